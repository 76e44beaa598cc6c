"""keras.layers.MelSpectrogram on every backend: Keras 3's outputs and config, ``.keras`` files
both ways, errors."""

import os

import numpy as np
import pytest

import mini_keras as mk

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

AUDIO = np.random.default_rng(8).standard_normal((2, 200)).astype(np.float32)
CASES = [
    {"fft_length": 64, "sequence_stride": 16, "num_mel_bins": 10, "sampling_rate": 8000},
    {"fft_length": 32, "sequence_stride": 8, "sequence_length": 24, "window": "hamming",
     "num_mel_bins": 6, "power_to_db": False, "mag_exp": 1.0, "min_freq": 100.0,
     "max_freq": 3000},
    {"fft_length": 32, "sequence_stride": 10, "window": None, "num_mel_bins": 8, "top_db": 20.0,
     "ref_power": 2.0},
]


@pytest.mark.parametrize("kwargs", CASES, ids=["db", "linear-hamming", "no-window"])
def test_matches_keras(backend, kwargs):
    keras = pytest.importorskip("keras")
    theirs, ours = keras.layers.MelSpectrogram(**kwargs), mk.layers.MelSpectrogram(**kwargs)
    for audio in (AUDIO, AUDIO[0]):
        got = mk.ops.convert_to_numpy(ours(audio))
        # decibels of O(10): float32 rounding of the log of the filter-bank sums
        np.testing.assert_allclose(got, np.asarray(theirs(audio)), rtol=1e-5, atol=1e-4)
    assert ours.get_config() == {**theirs.get_config(), "dtype": ours.get_config()["dtype"]}


def test_round_trips_with_keras(backend, tmp_path):
    keras = pytest.importorskip("keras")
    reference = keras.Sequential([keras.Input((200,)), keras.layers.MelSpectrogram(**CASES[0])])
    expected = np.asarray(reference.predict(AUDIO, verbose=0))
    reference.save(tmp_path / "theirs.keras")
    ours = mk.models.load_model(tmp_path / "theirs.keras")
    assert ours.output_shape == (None, 10, 13)
    np.testing.assert_allclose(np.asarray(ours.predict(AUDIO, verbose=0)), expected, rtol=1e-5,
                               atol=1e-4)
    ours.save(tmp_path / "ours.keras")
    back = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(back.predict(AUDIO, verbose=0)), expected, rtol=1e-5,
                               atol=1e-4)


def test_errors_are_named():
    with pytest.raises(ValueError, match="MelSpectrogram: `fft_length` must be >="):
        mk.layers.MelSpectrogram(fft_length=16, sequence_length=32)
    with pytest.raises(ValueError, match='MelSpectrogram: `window` must be "hann"'):
        mk.layers.MelSpectrogram(window="kaiser")
    with pytest.raises(ValueError, match="MelSpectrogram: expects audio of shape"):
        mk.layers.MelSpectrogram(fft_length=16, sequence_stride=4)(np.zeros((1, 2, 64), "float32"))
