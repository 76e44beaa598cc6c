"""Preprocessing layers on every backend: Rescaling and Normalization (adapt, invert, Keras)."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

DATA = np.random.default_rng(0).normal([1.0, -2.0, 5.0], [0.5, 2.0, 3.0],
                                       size=(40, 2, 3)).astype("float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def test_rescaling_scalar_and_per_channel(backend):
    pixels = np.random.default_rng(1).integers(0, 256, size=(2, 4, 4, 3)).astype("uint8")
    out = _np(keras.layers.Rescaling(1 / 255)(pixels))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, pixels / 255, rtol=1e-6)
    scale, offset = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    layer = keras.layers.Rescaling(scale, offset)
    np.testing.assert_allclose(_np(layer(pixels)), pixels * scale + offset, rtol=1e-6)
    clone = keras.layers.Rescaling.from_config(layer.get_config())
    np.testing.assert_allclose(_np(clone(pixels)), pixels * scale + offset, rtol=1e-6)
    real = pytest.importorskip("keras")
    np.testing.assert_allclose(out, np.asarray(real.layers.Rescaling(1 / 255)(pixels)), rtol=1e-6)


@pytest.mark.parametrize("axis", [-1, (1, 2), None])
def test_normalization_adapt_matches_numpy_and_keras(backend, axis):
    layer = keras.layers.Normalization(axis=axis)
    layer.adapt(DATA)
    keep = () if axis is None else ((2,) if axis == -1 else (1, 2))
    reduce = tuple(a for a in range(3) if a not in keep)
    mean, var = DATA.mean(reduce), DATA.var(reduce)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["mean", "variance", "count"]
    assert layer.trainable_weights == []
    np.testing.assert_allclose(layer.weights[0].numpy(), mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.weights[1].numpy(), var, rtol=1e-5)
    out = _np(layer(DATA))
    np.testing.assert_allclose(out, (DATA - DATA.mean(reduce, keepdims=True))
                               / DATA.std(reduce, keepdims=True), rtol=1e-4, atol=1e-4)
    real = pytest.importorskip("keras")
    ref = real.layers.Normalization(axis=axis)
    ref.adapt(DATA)
    for ours, theirs in zip(layer.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out, np.asarray(ref(DATA)), rtol=1e-4, atol=1e-4)


def test_normalization_adapt_on_batches_equals_adapt_on_all(backend):
    whole = keras.layers.Normalization()
    whole.adapt(DATA)
    batched = keras.layers.Normalization()
    batched.adapt([DATA[:7], (DATA[7:30], None), DATA[30:]])
    for a, b in zip(whole.get_weights()[:2], batched.get_weights()[:2]):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    tensor_adapted = keras.layers.Normalization()
    tensor_adapted.adapt(backends.current().convert_to_tensor(DATA))
    np.testing.assert_allclose(tensor_adapted.get_weights()[0], whole.get_weights()[0], rtol=1e-6)


def test_normalization_fixed_statistics_and_invert(backend):
    mean, var = np.array([1.0, 2.0, 3.0]), np.array([4.0, 1.0, 0.25])
    layer = keras.layers.Normalization(mean=mean, variance=var)
    out = _np(layer(DATA))
    np.testing.assert_allclose(out, (DATA - mean) / np.sqrt(var), rtol=1e-5, atol=1e-5)
    assert layer.weights == []
    inverse = keras.layers.Normalization(mean=mean, variance=var, invert=True)
    np.testing.assert_allclose(_np(inverse(out)), DATA, rtol=1e-5, atol=1e-5)
    scalar = keras.layers.Normalization(axis=None, mean=2.0, variance=9.0)
    np.testing.assert_allclose(_np(scalar(DATA)), (DATA - 2.0) / 3.0, rtol=1e-5, atol=1e-6)
    real = pytest.importorskip("keras")
    ref = real.layers.Normalization(mean=mean, variance=var, invert=True)
    np.testing.assert_allclose(_np(inverse(DATA)), np.asarray(ref(DATA)), rtol=1e-5, atol=1e-5)


def test_normalization_inside_a_model_and_errors(backend):
    norm = keras.layers.Normalization()
    norm.adapt(DATA[:, 0])
    model = keras.Sequential([keras.Input((3,)), norm, keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(DATA[:, 0], DATA[:, 0, :1], epochs=1, verbose=0)
    np.testing.assert_allclose(norm.weights[0].numpy(), DATA[:, 0].mean(0), rtol=1e-5)
    with pytest.raises(ValueError, match="both"):
        keras.layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="adapt"):
        keras.layers.Normalization(mean=1.0, variance=1.0).adapt(DATA)
    with pytest.raises(ValueError, match="shape"):
        norm.adapt(DATA[:, 0, :2])
