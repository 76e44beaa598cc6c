"""ConvLSTM1D/2D/3D on every backend: outputs against Keras 3 with the same weights (padding,
strides, dilation, channels_first, masks, states), configs and ``.keras`` round trips."""

import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

RNG = np.random.default_rng(5)
MASK = np.array([[1, 1, 0], [0, 1, 1]], dtype=bool)


def _k3():
    return pytest.importorskip("keras")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _inputs(rank, channels_first=False):
    spatial = (5,) * rank
    shape = (2, 3) + ((3,) + spatial if channels_first else spatial + (3,))
    return RNG.normal(size=shape).astype("float32")


def _pair(rank, **kwargs):
    k3 = _k3()
    x = _inputs(rank, kwargs.get("data_format") == "channels_first")
    ref = getattr(k3.layers, f"ConvLSTM{rank}D")(2, 3, **kwargs)
    ref(x)
    for w in ref.weights:
        w.assign(RNG.normal(scale=0.3, size=w.shape).astype("float32"))
    ours = getattr(keras.layers, f"ConvLSTM{rank}D")(2, 3, **kwargs)
    ours(x)
    ours.set_weights(ref.get_weights())
    return ours, ref, x


def _close(got, expected):
    got = list(got) if isinstance(got, (list, tuple)) else [got]
    expected = list(expected) if isinstance(expected, (list, tuple)) else [expected]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert tuple(ops.shape(g)) == tuple(e.shape)
        np.testing.assert_allclose(_np(g), np.asarray(e), rtol=1e-5, atol=2e-5)


CASES = [
    (1, {}),
    (1, {"padding": "same", "return_sequences": True, "go_backwards": True}),
    (2, {"strides": 2, "return_state": True}),
    (2, {"data_format": "channels_first", "padding": "same", "use_bias": False}),
    (2, {"dilation_rate": 2, "return_sequences": True, "unit_forget_bias": False}),
    (3, {"padding": "same", "return_sequences": True, "return_state": True}),
]


@pytest.mark.parametrize(("rank", "kwargs"), CASES,
                         ids=[f"{r}d-{'-'.join(k) or 'default'}" for r, k in CASES])
def test_conv_lstm_matches_keras(backend, rank, kwargs):
    ours, ref, x = _pair(rank, **kwargs)
    _close(ours(x), ref(x))
    _close(ours(x, mask=MASK), ref(x, mask=MASK))
    assert [(w.name, w.shape) for w in ours.weights] == [(w.name, tuple(w.shape))
                                                         for w in ref.weights]
    expected_shape = ref.compute_output_shape((None,) + x.shape[1:])
    assert ours.compute_output_shape((None,) + x.shape[1:]) == expected_shape


def test_initial_state_and_config(backend):
    ours, ref, x = _pair(2, return_state=True)
    _, h, c = ref(x)
    h, c = np.asarray(h) * 0.5, np.asarray(c) + 0.1
    _close(ours(x, initial_state=[h, c]), ref(x, initial_state=[h, c]))
    config, theirs = ours.get_config(), ref.get_config()
    assert config.keys() == theirs.keys()
    skip = {"name", "dtype", "kernel_initializer", "recurrent_initializer", "bias_initializer"}
    assert {k: v for k, v in config.items() if k not in skip} == {
        k: v for k, v in theirs.items() if k not in skip}
    clone = keras.layers.ConvLSTM2D.from_config(config)
    assert clone.get_config() == config
    assert (ours.filters, ours.kernel_size, ours.padding) == (2, (3, 3), "valid")


def test_keras_files_round_trip_both_ways(backend, tmp_path):
    k3 = _k3()
    x = _inputs(2)

    def model(lib):
        return lib.Sequential([lib.Input(x.shape[1:]),
                               lib.layers.ConvLSTM2D(2, 3, padding="same"),
                               lib.layers.Flatten(), lib.layers.Dense(2)])

    theirs = model(k3)
    for w in theirs.weights:
        w.assign(RNG.normal(scale=0.3, size=w.shape).astype("float32"))
    expected = theirs.predict(x, verbose=0)
    theirs.save(tmp_path / "theirs.keras")
    ours = keras.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(_np(ours.predict(x, verbose=0)), expected, rtol=1e-5, atol=1e-5)
    ours.save(tmp_path / "ours.keras")
    back = k3.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-5)


def test_conv_lstm_trains_and_checks_arguments(backend):
    x = np.concatenate([_inputs(1) for _ in range(4)])
    y = x.mean(axis=(1, 2, 3))[:, None] * 5.0
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.ConvLSTM1D(2, 3),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    losses = model.fit(x, y, epochs=5, batch_size=8, verbose=0).history["loss"]
    assert losses[-1] < losses[0]
    layer = keras.layers.ConvLSTM1D(2, 3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    inference = _np(layer(x))
    np.testing.assert_allclose(_np(layer(x, training=False)), inference)
    assert not np.allclose(_np(layer(x, training=True)), inference)
    with pytest.raises(ValueError, match="strides > 1 is not compatible with dilation_rate"):
        keras.layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="ConvLSTM2D.*expects 5-D inputs"):
        keras.layers.ConvLSTM2D(2, 3, name="c2")(x)
