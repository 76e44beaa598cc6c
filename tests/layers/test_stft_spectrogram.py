"""keras.layers.STFTSpectrogram on every backend: Keras 3's weights give Keras 3's outputs,
fresh kernels equal Keras' STFT kernels, ``.keras`` files move both ways, and errors."""

import os

import numpy as np
import pytest

import mini_keras as mk

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

RNG = np.random.default_rng(4)
X = RNG.standard_normal((2, 20, 3)).astype(np.float32)
CASES = [
    {"frame_length": 8},
    {"mode": "magnitude", "frame_length": 6, "frame_step": 2, "fft_length": 8, "padding": "same"},
    {"mode": "psd", "frame_length": 8, "frame_step": 4, "expand_dims": True},
    {"mode": "stft", "frame_length": 5, "frame_step": 3, "window": "hamming", "periodic": True,
     "scaling": "spectrum"},
    {"mode": "angle", "frame_length": 8, "data_format": "channels_first"},
    {"mode": "real", "frame_length": 4, "window": None, "scaling": None,
     "data_format": "channels_first", "expand_dims": True},
    {"mode": "imag", "frame_length": 4},
]
IDS = ["log", "magnitude-same", "psd-expand", "stft-hamming", "angle-cf", "real-cf-expand",
       "imag"]


def _inputs(kwargs):
    return np.transpose(X, (0, 2, 1)) if kwargs.get("data_format") == "channels_first" else X


@pytest.mark.parametrize("kwargs", CASES, ids=IDS)
def test_matches_keras_and_round_trips(backend, kwargs, tmp_path):
    keras = pytest.importorskip("keras")
    x = _inputs(kwargs)
    reference = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.STFTSpectrogram(**kwargs)])
    fresh = mk.Sequential([mk.Input(x.shape[1:]), mk.layers.STFTSpectrogram(**kwargs)])
    for ours, theirs in zip(fresh.weights, reference.weights, strict=True):  # STFT kernels
        assert ours.name == theirs.name
        np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=1e-6, atol=1e-6)
    assert fresh.output_shape == reference.output_shape
    for w in reference.weights:
        w.assign(np.asarray(w) + 0.3 * RNG.standard_normal(w.shape).astype(np.float32))
    expected = np.asarray(reference.predict(x, verbose=0))
    reference.save(tmp_path / "theirs.keras")
    loaded = mk.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), expected, rtol=1e-4,
                               atol=1e-4)
    config = loaded.layers[0].get_config()
    assert {k: v for k, v in config.items() if k != "dtype"} == {
        k: v for k, v in reference.layers[0].get_config().items() if k != "dtype"}
    loaded.save(tmp_path / "ours.keras")
    back = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(back.predict(x, verbose=0)), expected, rtol=1e-4,
                               atol=1e-4)


@pytest.mark.parametrize("kwargs, match", [
    ({"frame_length": 4, "frame_step": 5}, "`frame_step` must be a positive integer"),
    ({"frame_length": 8, "fft_length": 4}, "`fft_length` must be >= `frame_length`"),
    ({"mode": "power"}, "`mode` must be one of"),
    ({"scaling": "unit"}, "`scaling` must be None"),
    ({"padding": "causal"}, "`padding` must be 'valid' or 'same'"),
    ({"window": "no-such-window"}, "Unknown window"),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mk.layers.STFTSpectrogram(**kwargs)


def test_rank_and_dtype_errors():
    layer = mk.layers.STFTSpectrogram(frame_length=4)
    with pytest.raises(ValueError, match="STFTSpectrogram: expects inputs of rank 3"):
        layer(np.zeros((2, 8), np.float32))
    with pytest.raises(TypeError, match="STFTSpectrogram: inputs must be float16, float32"):
        mk.layers.STFTSpectrogram(frame_length=4)(np.zeros((1, 8, 1), np.int32))
    with pytest.warns(UserWarning, match="power of two"):
        mk.layers.STFTSpectrogram(frame_length=4, fft_length=6)
