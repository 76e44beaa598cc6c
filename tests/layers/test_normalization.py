"""Normalization layers on every backend: numpy formulas, real Keras 3, fit steps, gradients."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.core.stateless import StatelessScope

RNG = np.random.default_rng(0)
X3 = RNG.normal(1.0, 2.0, size=(4, 3, 6)).astype("float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _random_weights(layer, rng=None):
    """Give every weight of a built layer distinct values (variances kept positive)."""
    rng = rng or np.random.default_rng(1)
    ws = [rng.uniform(0.5, 1.5, w.shape).astype("float32") if "variance" in w.name
          else rng.normal(size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(ws)
    return ws


def _keras_twin(make, x, weights):
    """The same layer in real Keras 3, built on ``x`` and given ``weights``."""
    real = pytest.importorskip("keras")
    layer = make(real.layers)
    layer.build(x.shape)
    layer.set_weights(weights)
    return layer


def _grads(name, make, x, weights, **call_kwargs):
    """Gradients of ``sum(layer(x) * r)`` w.r.t. ``x`` and the trainable weights on ``name``."""
    previous = backends.default_name()
    keras.config.set_backend(name)
    try:
        layer = make(keras.layers)
        layer(x)
        layer.set_weights(weights)
        b = backends.get(name)
        r = b.convert_to_tensor(np.random.default_rng(2).normal(size=x.shape).astype("float32"))
        trainable = layer.trainable_weights

        def f(values):
            with StatelessScope(zip(trainable, values[1:])):
                return b.sum(b.multiply(layer(values[0], **call_kwargs), r))

        _, grads = b.value_and_grad(f)([b.convert_to_tensor(x)] + [v.value for v in trainable])
        return [np.asarray(b.convert_to_numpy(g)) for g in grads]
    finally:
        keras.config.set_backend(previous)


def _reference_backend(backend):
    return "jax" if backend != "jax" else "torch"


def _batchnorm_np(x, mean, var, gamma, beta, axis, eps=1e-3):
    shape = [1] * x.ndim
    shape[axis] = -1
    mean, var, gamma, beta = (np.reshape(v, shape) for v in (mean, var, gamma, beta))
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


# ----------------------------------------------------------------------------- BatchNormalization

@pytest.mark.parametrize("axis", [-1, 1])
def test_batchnorm_training_and_inference_match_numpy_and_keras(backend, axis):
    layer = keras.layers.BatchNormalization(axis=axis, momentum=0.8)
    layer(X3)  # builds (inference call: no state change)
    gamma, beta, mm, mv = ws = _random_weights(layer)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["gamma", "beta", "moving_mean",
                                                              "moving_variance"]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]
    red = tuple(a for a in range(3) if a != axis % 3)
    mean, var = X3.mean(red), X3.var(red)

    y_train = _np(layer(X3, training=True))
    np.testing.assert_allclose(y_train, _batchnorm_np(X3, mean, var, gamma, beta, axis),
                               rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.8 * mm + 0.2 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.8 * mv + 0.2 * var, rtol=1e-5)
    y_infer = _np(layer(X3, training=False))
    new_mm, new_mv = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    np.testing.assert_allclose(y_infer, _batchnorm_np(X3, new_mm, new_mv, gamma, beta, axis),
                               rtol=1e-4, atol=1e-4)

    ref = _keras_twin(lambda L: L.BatchNormalization(axis=axis, momentum=0.8), X3, ws)
    np.testing.assert_allclose(y_train, np.asarray(ref(X3, training=True)), rtol=1e-4, atol=1e-4)
    for ours, theirs in zip(layer.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(y_infer, np.asarray(ref(X3, training=False)), rtol=1e-4, atol=1e-4)


def test_batchnorm_fit_step_uses_batch_stats_and_updates_moving_stats(backend):
    x = RNG.normal(2.0, 3.0, size=(16, 3)).astype("float32")
    y = RNG.normal(size=(16, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization(momentum=0.9)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    bn = model.layers[-1]
    mean, var = x.mean(0), x.var(0)
    # The loss is computed in training mode, with the initial gamma=1, beta=0.
    expected_loss = np.mean((_batchnorm_np(x, mean, var, 1.0, 0.0, -1) - y) ** 2)
    np.testing.assert_allclose(history.history["loss"][0], expected_loss, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    # Inference normalizes with the moving statistics and the updated gamma/beta.
    gamma, beta = bn.gamma.numpy(), bn.beta.numpy()
    assert not np.allclose(gamma, 1.0)
    expected = _batchnorm_np(x, bn.moving_mean.numpy(), bn.moving_variance.numpy(), gamma, beta, -1)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-4)


def test_batchnorm_frozen_layer_runs_in_inference_mode(backend):
    layer = keras.layers.BatchNormalization(trainable=False)
    out = _np(layer(X3[:, 0], training=True))
    np.testing.assert_allclose(out, X3[:, 0] / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(6))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_batchnorm_training_is_identical_across_backends():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(24, 5)).astype("float32")
    y = rng.normal(size=(24, 1)).astype("float32")
    results = {}
    previous = backends.default_name()
    try:
        for name in backends.available():
            keras.config.set_backend(name)
            keras.utils.set_random_seed(11)
            model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4),
                                      keras.layers.BatchNormalization(momentum=0.5),
                                      keras.layers.Dense(1)])
            # SGD, not Adam: the bias before BN has a ~0 gradient that Adam would blow up to +-lr.
            model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
            model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
            results[name] = model.get_weights() + [model.predict(x, verbose=0)]
    finally:
        keras.config.set_backend(previous)
    ref = results.pop("numpy")
    assert not np.allclose(ref[4], 0.0)  # the BN moving mean moved
    for name, arrays in results.items():
        for a, b in zip(ref, arrays):
            np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5, err_msg=name)


# ----------------------------------------------------------------------------- Layer/Group/Unit

@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_layer_normalization_matches_numpy_and_keras(backend, axis):
    layer = keras.layers.LayerNormalization(axis=axis, epsilon=1e-3)
    layer(X3)  # builds (inference call: no state change)
    gamma, beta = ws = _random_weights(layer)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["gamma", "beta"]
    red = (-1,) if axis == -1 else (1, 2)
    mean, var = X3.mean(red, keepdims=True), X3.var(red, keepdims=True)
    expected = (X3 - mean) / np.sqrt(var + 1e-3) * gamma + beta
    out = _np(layer(X3))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    ref = _keras_twin(lambda L: L.LayerNormalization(axis=axis), X3, ws)
    np.testing.assert_allclose(out, np.asarray(ref(X3)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("groups,axis", [(2, -1), (3, 1), (-1, -1)])
def test_group_normalization_matches_numpy_and_keras(backend, groups, axis):
    layer = keras.layers.GroupNormalization(groups=groups, axis=axis)
    layer(X3)  # builds (inference call: no state change)
    gamma, beta = ws = _random_weights(layer)
    channels = X3.shape[axis]
    g = channels if groups == -1 else groups
    moved = np.moveaxis(X3, axis, -1)  # (batch, spatial, channels)
    grouped = moved.reshape(4, moved.shape[1], g, channels // g)
    mean = grouped.mean((1, 3), keepdims=True)
    var = grouped.var((1, 3), keepdims=True)
    norm = ((grouped - mean) / np.sqrt(var + 1e-3)).reshape(moved.shape) * gamma + beta
    expected = np.moveaxis(norm, -1, axis)
    out = _np(layer(X3))
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    ref = _keras_twin(lambda L: L.GroupNormalization(groups=groups, axis=axis), X3, ws)
    np.testing.assert_allclose(out, np.asarray(ref(X3)), rtol=1e-4, atol=1e-4)


def test_group_normalization_rejects_groups_not_dividing_channels(backend):
    with pytest.raises(ValueError, match="groups"):
        keras.layers.GroupNormalization(groups=4)(X3)


@pytest.mark.parametrize("axis", [-1, [1, 2]])
def test_unit_normalization_matches_numpy_and_keras(backend, axis):
    x = X3.copy()
    x[0] = 0.0  # an all-zero sample stays zero
    out = _np(keras.layers.UnitNormalization(axis=axis)(x))
    red = -1 if axis == -1 else (1, 2)
    norms = np.sqrt((x ** 2).sum(red, keepdims=True))
    np.testing.assert_allclose(out, x / np.maximum(norms, 1e-12), rtol=1e-5, atol=1e-6)
    real = pytest.importorskip("keras")
    ref = np.asarray(real.layers.UnitNormalization(axis=axis)(x))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ["batch_train", "batch_infer", "layer", "group", "unit"])
def test_normalization_gradients_agree_across_backends(backend, case):
    make, kwargs = {
        "batch_train": (lambda L: L.BatchNormalization(), {"training": True}),
        "batch_infer": (lambda L: L.BatchNormalization(), {"training": False}),
        "layer": (lambda L: L.LayerNormalization(axis=[1, 2]), {}),
        "group": (lambda L: L.GroupNormalization(groups=3, axis=1), {}),
        "unit": (lambda L: L.UnitNormalization(), {}),
    }[case]
    probe = make(keras.layers)
    probe(X3)  # builds (inference call: no state change)
    weights = _random_weights(probe)
    got = _grads(backend, make, X3, weights, **kwargs)
    ref = _grads(_reference_backend(backend), make, X3, weights, **kwargs)
    assert len(got) == len(ref) == 1 + len(probe.trainable_weights)
    for g, r in zip(got, ref):
        np.testing.assert_allclose(g, r, rtol=1e-3, atol=1e-4)


def test_normalization_configs_round_trip(backend):
    for layer in [keras.layers.BatchNormalization(axis=1, momentum=0.9, center=False),
                  keras.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5),
                  keras.layers.GroupNormalization(groups=3, axis=1),
                  keras.layers.UnitNormalization(axis=[1, 2])]:
        clone = type(layer).from_config(layer.get_config())
        clone(X3)  # builds (inference call: no state change)
        layer(X3)  # builds (inference call: no state change)
        assert [w.shape for w in clone.weights] == [w.shape for w in layer.weights]
        np.testing.assert_allclose(_np(clone(X3)), _np(layer(X3)), rtol=1e-6)
