"""Regularization layers and weight/activity penalties on every backend."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends, regularizers
from mini_keras.core.stateless import StatelessScope


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _input_grad(layer, x, **kwargs):
    """Output and gradient of ``sum(layer(x))`` w.r.t. ``x`` on the current backend."""
    b = backends.current()

    def f(values):
        with StatelessScope():  # the seed-generator update must not leak out of the trace
            out = layer(values[0], **kwargs)
        return b.sum(out), out

    (_, out), (grad,) = b.value_and_grad(f, has_aux=True)([b.convert_to_tensor(x)])
    return _np(out), np.asarray(b.convert_to_numpy(grad))


# ----------------------------------------------------------------------------- spatial dropout

@pytest.mark.parametrize("cls,shape,shared", [("SpatialDropout1D", (64, 5, 16), (1,)),
                                              ("SpatialDropout2D", (32, 3, 4, 16), (1, 2)),
                                              ("SpatialDropout3D", (16, 2, 3, 2, 32), (1, 2, 3))])
def test_spatial_dropout_drops_whole_channels(backend, cls, shape, shared):
    x = np.random.default_rng(0).uniform(1.0, 2.0, size=shape).astype("float32")
    layer = getattr(keras.layers, cls)(0.25, seed=3)
    np.testing.assert_array_equal(_np(layer(x)), x)  # inference: identity
    np.testing.assert_array_equal(_np(layer(x, training=False)), x)
    y = _np(layer(x, training=True))
    kept = y != 0
    # the mask is constant across the spatial axes, and kept values are scaled by 1 / (1 - rate)
    assert all(np.all(kept == kept.take([0], axis=a)) for a in shared)
    np.testing.assert_allclose(y[kept], x[kept] / 0.75, rtol=1e-6)
    maps = kept.reshape(shape[0], -1, shape[-1])[:, 0, :]
    assert abs(1 - maps.mean() - 0.25) < 0.06  # 512-1024 feature maps: > 3 sigma
    # same seed, same masks; the next call draws a new mask
    again = getattr(keras.layers, cls)(0.25, seed=3)
    np.testing.assert_array_equal(_np(again(x, training=True)), y)
    assert not np.array_equal(_np(layer(x, training=True)), y)


def test_spatial_dropout_channels_first_and_gradient(backend):
    x = np.ones((8, 6, 3, 3), dtype="float32")
    layer = keras.layers.SpatialDropout2D(0.5, data_format="channels_first", seed=1)
    y = _np(layer(x, training=True))
    assert np.all((y == 0) | (y == 2.0))
    assert np.all(y == y[:, :, :1, :1])
    out, grad = _input_grad(layer, x, training=True)
    np.testing.assert_array_equal(grad, out)  # d(sum(mask * x / keep))/dx = mask / keep


def test_spatial_dropout_rejects_wrong_rank(backend):
    with pytest.raises(ValueError, match="ndim=3"):
        keras.layers.SpatialDropout1D(0.5)(np.ones((2, 3), dtype="float32"))


# ----------------------------------------------------------------------------- gaussian layers

def test_gaussian_noise_statistics_and_reproducibility(backend):
    x = np.full((200, 50), 3.0, dtype="float32")
    layer = keras.layers.GaussianNoise(0.5, seed=7)
    np.testing.assert_array_equal(_np(layer(x)), x)
    noise = _np(layer(x, training=True)) - x
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 0.5) < 0.02
    np.testing.assert_array_equal(_np(keras.layers.GaussianNoise(0.5, seed=7)(x, training=True)),
                                  noise + x)
    _, grad = _input_grad(layer, x, training=True)
    np.testing.assert_allclose(grad, np.ones_like(x))


def test_gaussian_dropout_statistics_and_gradient(backend):
    x = np.full((200, 50), 2.0, dtype="float32")
    layer = keras.layers.GaussianDropout(0.2, seed=5)
    np.testing.assert_array_equal(_np(layer(x)), x)
    factor = _np(layer(x, training=True)) / x
    assert abs(factor.mean() - 1.0) < 0.02
    assert abs(factor.std() - np.sqrt(0.2 / 0.8)) < 0.02
    out, grad = _input_grad(layer, x, training=True)
    np.testing.assert_allclose(grad, out / x, rtol=1e-6)


def test_gaussian_layers_config_and_validation(backend):
    layer = keras.layers.GaussianNoise.from_config(keras.layers.GaussianNoise(0.1, seed=2)
                                                   .get_config())
    assert (layer.stddev, layer.seed) == (0.1, 2)
    spatial = keras.layers.SpatialDropout2D(0.3, data_format="channels_first", seed=1)
    clone = keras.layers.SpatialDropout2D.from_config(spatial.get_config())
    assert (clone.rate, clone.seed, clone.data_format) == (0.3, 1, "channels_first")
    with pytest.raises(ValueError, match="stddev"):
        keras.layers.GaussianNoise(2.0)
    with pytest.raises(ValueError, match="rate"):
        keras.layers.GaussianDropout(1.0)


# ----------------------------------------------------------------------------- penalties

X = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")
Y = np.random.default_rng(2).normal(size=(8, 2)).astype("float32")


def test_activity_regularization_adds_penalty_to_losses_and_fit_loss(backend):
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2),
                              keras.layers.ActivityRegularization(l1=0.1, l2=0.2)])
    kernel, bias = model.get_weights()
    h = X @ kernel + bias
    penalty = (0.1 * np.abs(h).sum() + 0.2 * (h ** 2).sum()) / len(X)
    np.testing.assert_allclose(_np(model(X)), h, rtol=1e-5)
    assert len(model.losses) == 1
    np.testing.assert_allclose(_np(model.losses[0]), penalty, rtol=1e-5)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    history = model.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0], np.mean((h - Y) ** 2) + penalty,
                               rtol=1e-5)


def test_weight_regularizers_add_penalty_to_fit_loss(backend):
    keras.utils.set_random_seed(4)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        2, kernel_regularizer=regularizers.L2(0.1), bias_regularizer="l1",
        bias_initializer="ones")])
    kernel, bias = model.get_weights()
    penalty = 0.1 * (kernel ** 2).sum() + 0.01 * np.abs(bias).sum()
    np.testing.assert_allclose(sum(_np(v) for v in model.losses), penalty, rtol=1e-5)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    history = model.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    np.testing.assert_allclose(history.history["loss"][0],
                               np.mean((X @ kernel + bias - Y) ** 2) + penalty, rtol=1e-5)
    # the gradient includes the penalty: one SGD step on d(mse + penalty)
    n_out = 2 * len(X)
    residual = X @ kernel + bias - Y
    step_kernel = kernel - 0.05 * (2 / n_out * X.T @ residual + 0.2 * kernel)
    step_bias = bias - 0.05 * (2 / n_out * residual.sum(0) + 0.01 * np.sign(bias))
    h1 = X @ step_kernel + step_bias
    expected_1 = (np.mean((h1 - Y) ** 2) + 0.1 * (step_kernel ** 2).sum()
                  + 0.01 * np.abs(step_bias).sum())
    np.testing.assert_allclose(history.history["loss"][1], expected_1, rtol=1e-4)


def test_regularizers_get_and_serialize():
    assert isinstance(regularizers.get("l1_l2"), regularizers.L1L2)
    assert regularizers.get(None) is None
    reg = regularizers.get(regularizers.serialize(regularizers.L1L2(l1=0.3, l2=0.4)))
    assert (reg.l1, reg.l2) == (0.3, 0.4)
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)
    with pytest.raises(ValueError, match="l1_l2"):
        regularizers.get("l3")
