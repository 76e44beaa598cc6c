"""Activation layers on every backend: numpy formulas, real Keras 3, gradients across backends."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.core.stateless import StatelessScope

X = np.random.default_rng(0).normal(0.0, 3.0, size=(4, 3, 5)).astype("float32")
X[0, 0, :3] = [0.0, 0.5, 6.0]  # exact boundary values for threshold / max_value


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


CASES = {
    "relu": (lambda L: L.ReLU(), lambda x: np.maximum(x, 0)),
    "relu6": (lambda L: L.ReLU(max_value=6.0), lambda x: np.clip(x, 0, 6)),
    "relu_leak": (lambda L: L.ReLU(negative_slope=0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    "relu_all": (lambda L: L.ReLU(max_value=4.0, negative_slope=0.2, threshold=0.5),
                 lambda x: np.where(x > 0.5, np.minimum(x, 4.0), 0.2 * (x - 0.5))),
    "relu_threshold": (lambda L: L.ReLU(threshold=0.5), lambda x: np.where(x > 0.5, x, 0)),
    "leaky_relu": (lambda L: L.LeakyReLU(), lambda x: np.where(x > 0, x, 0.3 * x)),
    "elu": (lambda L: L.ELU(alpha=0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    "softmax": (lambda L: L.Softmax(), lambda x: _softmax(x, -1)),
    "softmax_axis1": (lambda L: L.Softmax(axis=1), lambda x: _softmax(x, 1)),
    "softmax_2axes": (lambda L: L.Softmax(axis=[1, 2]), lambda x: _softmax(x, (1, 2))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_activation_layer_matches_numpy_and_keras(backend, case):
    make, formula = CASES[case]
    out = _np(make(keras.layers)(X))
    assert out.shape == X.shape
    np.testing.assert_allclose(out, formula(X.astype("float64")), rtol=1e-5, atol=1e-6)
    real = pytest.importorskip("keras")
    np.testing.assert_allclose(out, np.asarray(make(real.layers)(X)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shared_axes", [None, [1], [1, 2]])
def test_prelu_matches_numpy_and_keras(backend, shared_axes):
    layer = keras.layers.PReLU(shared_axes=shared_axes)
    layer(X)
    expected_shape = tuple(1 if i in (shared_axes or []) else X.shape[i] for i in (1, 2))
    assert layer.alpha.shape == expected_shape
    np.testing.assert_array_equal(layer.alpha.numpy(), 0.0)  # Keras default: zeros
    alpha = np.random.default_rng(1).uniform(0.0, 0.5, size=expected_shape).astype("float32")
    layer.set_weights([alpha])
    out = _np(layer(X))
    np.testing.assert_allclose(out, np.where(X > 0, X, alpha * X), rtol=1e-6, atol=1e-7)
    real = pytest.importorskip("keras")
    ref = real.layers.PReLU(shared_axes=shared_axes)
    ref.build(X.shape)
    ref.set_weights([alpha])
    np.testing.assert_allclose(out, np.asarray(ref(X)), rtol=1e-6, atol=1e-7)


def test_prelu_alpha_is_trained_and_constrained(backend):
    x = -np.abs(np.random.default_rng(2).normal(size=(16, 4))).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.PReLU(alpha_constraint="non_neg")])
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    model.fit(x, -x, epochs=1, batch_size=16, verbose=0)  # target -x pushes alpha below 0
    np.testing.assert_array_equal(model.layers[0].alpha.numpy(), 0.0)
    model.fit(x, 0.5 * x, epochs=1, batch_size=16, verbose=0)
    assert np.all(model.layers[0].alpha.numpy() > 0)


def test_softmax_mask_zeroes_masked_entries(backend):
    mask = np.random.default_rng(3).uniform(size=X.shape) > 0.3
    mask[..., 0] = True  # every row keeps at least one entry
    out = _np(keras.layers.Softmax()(X, mask=mask))
    e = np.where(mask, np.exp(X - X.max(-1, keepdims=True)), 0.0)
    np.testing.assert_allclose(out, e / e.sum(-1, keepdims=True), rtol=1e-5, atol=1e-7)
    real = pytest.importorskip("keras")
    np.testing.assert_allclose(out, np.asarray(real.layers.Softmax()(X, mask=mask)), atol=1e-6)


def test_activation_layer_argument_validation(backend):
    with pytest.raises(ValueError, match="max_value"):
        keras.layers.ReLU(max_value=-1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        keras.layers.LeakyReLU(negative_slope=-0.1)
    assert keras.layers.LeakyReLU(alpha=0.1).negative_slope == 0.1
    relu = keras.layers.ReLU.from_config(keras.layers.ReLU(6.0, 0.1, 0.5).get_config())
    assert (relu.max_value, relu.negative_slope, relu.threshold) == (6.0, 0.1, 0.5)


def _grads(name, make, x):
    """Gradients of ``sum(layer(x) * r)`` w.r.t. ``x`` and the weights, on backend ``name``."""
    previous = backends.default_name()
    keras.config.set_backend(name)
    try:
        layer = make(keras.layers)
        layer(x)
        layer.set_weights([np.full(w.shape, 0.25, "float32") for w in layer.weights])
        b = backends.get(name)
        r = b.convert_to_tensor(np.random.default_rng(4).normal(size=x.shape).astype("float32"))
        weights = layer.trainable_weights

        def f(values):
            with StatelessScope(zip(weights, values[1:])):
                return b.sum(b.multiply(layer(values[0]), r))

        _, grads = b.value_and_grad(f)([b.convert_to_tensor(x)] + [v.value for v in weights])
        return [np.asarray(b.convert_to_numpy(g)) for g in grads]
    finally:
        keras.config.set_backend(previous)


@pytest.mark.parametrize("case", ["relu_all", "leaky_relu", "elu", "softmax_axis1",
                                  "softmax_2axes", "prelu"])
def test_activation_gradients_agree_across_backends(backend, case):
    make = (lambda L: L.PReLU(shared_axes=[1])) if case == "prelu" else CASES[case][0]
    x = X.copy()
    x[0, 0, :3] = [-1.0, 0.25, 1.5]  # keep away from kinks, where backends may differ
    got = _grads(backend, make, x)
    ref = _grads("jax" if backend != "jax" else "torch", make, x)
    assert len(got) == len(ref) == (2 if case == "prelu" else 1)
    for g, r in zip(got, ref):
        np.testing.assert_allclose(g, r, rtol=1e-4, atol=1e-5)
