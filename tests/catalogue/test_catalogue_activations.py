"""Every Keras 3 activation on every backend: values equal Keras 3's, gradients equal finite
differences, shapes follow symbolic inputs, and names round-trip through get/serialize."""

import numpy as np
import pytest
from catalogue_helpers import (
    F32_ATOL,
    F32_RTOL,
    gradient,
    keras_numpy,
    numeric_gradient,
    ours_numpy,
    real_keras,
)

import mini_keras as keras

RNG = np.random.default_rng(3)
X = RNG.uniform(-4, 4, (3, 6)).astype(np.float32)

CASES = [  # (name, kwargs)
    ("relu", {}), ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 2.0}),
    ("relu", {"threshold": 1.0}), ("relu", {"negative_slope": 0.3, "max_value": 2.5,
                                            "threshold": -0.5}),
    ("relu", {"max_value": 6.0}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}),
    ("relu6", {}), ("softmax", {}), ("softmax", {"axis": 0}), ("elu", {}), ("elu", {"alpha": 0.5}),
    ("selu", {}), ("softplus", {}), ("softsign", {}), ("soft_shrink", {}),
    ("soft_shrink", {"threshold": 1.5}), ("sparse_plus", {}), ("silu", {}), ("swish", {}),
    ("squareplus", {}), ("squareplus", {"b": 1}), ("gelu", {}), ("gelu", {"approximate": True}),
    ("celu", {}), ("celu", {"alpha": 2.0}), ("glu", {}), ("glu", {"axis": 0}), ("tanh", {}),
    ("tanh_shrink", {}), ("hard_tanh", {}), ("hard_shrink", {}),
    ("hard_shrink", {"threshold": 2.0}), ("threshold", {"threshold": 0.5, "default_value": -1.0}),
    ("sigmoid", {}), ("exponential", {}), ("hard_sigmoid", {}), ("hard_silu", {}),
    ("hard_swish", {}), ("linear", {}), ("mish", {}), ("log_sigmoid", {}), ("log_softmax", {}),
    ("log_softmax", {"axis": 0}), ("sparse_sigmoid", {}),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" if kw else n for n, kw in CASES]
# glu halves the axis; X's axis 0 has odd length, so that case uses a 4-row input.
X_EVEN = RNG.uniform(-4, 4, (4, 6)).astype(np.float32)


def _input(kwargs):
    return X_EVEN if kwargs.get("axis") == 0 else X


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=IDS)
def test_activation_matches_keras(backend, name, kwargs):
    theirs = getattr(real_keras().activations, name)
    x = _input(kwargs)
    got = ours_numpy(getattr(keras.activations, name)(keras.ops.convert_to_tensor(x), **kwargs))
    expected = keras_numpy(theirs(x, **kwargs))
    assert got.dtype == expected.dtype == np.float32
    assert got.shape == expected.shape
    # exp-based activations of values up to 4: relative error of a few ulps
    np.testing.assert_allclose(got, expected, rtol=F32_RTOL * 4, atol=F32_ATOL * 4)


GRAD_CASES = [c for c in CASES if c[0] not in ("threshold",)]  # piecewise constant default


@pytest.mark.parametrize(("name", "kwargs"), GRAD_CASES,
                         ids=[i for i, c in zip(IDS, CASES) if c in GRAD_CASES])
def test_activation_gradient_matches_finite_differences(backend, name, kwargs):
    fn = getattr(keras.activations, name)
    x = _input(kwargs)
    # keep 1e-2 away from the kinks (0, +-1, +-threshold, max_value) where the derivative jumps
    kinks = np.array([0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.0, -2.0, 2.5, 3.0, -3.0, 6.0])
    dist = np.min(np.abs(x[..., None] - kinks), axis=-1)
    x = np.where(dist < 1e-2, x + 0.05, x).astype(np.float32)
    expected = numeric_gradient(lambda v: fn(v, **kwargs), x)
    got = gradient(lambda v: fn(v, **kwargs), x)
    # float32 backward vs float64 central differences (eps 1e-5: truncation ~1e-10)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_sparsemax_projects_onto_the_simplex(backend):
    """Keras 3.15's sparsemax is wrong when the support has more than one entry, so the
    reference is the algorithm of Martins & Astudillo (2016) in numpy."""
    x = np.array([[0.5, 0.3, -1.0, 0.45], [2.0, -1.0, 0.0, 0.1]], np.float32)
    got = ours_numpy(keras.activations.sparsemax(keras.ops.convert_to_tensor(x)))
    expected = []
    for row in x.astype(np.float64):
        z = np.sort(row)[::-1]
        k = np.arange(1, len(z) + 1)
        support = z - (np.cumsum(z) - 1) / k > 0
        tau = (np.cumsum(z)[support][-1] - 1) / k[support][-1]
        expected.append(np.maximum(row - tau, 0))
    np.testing.assert_allclose(got, np.array(expected), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(got.sum(axis=-1), 1.0, rtol=1e-6)


def test_names_are_keras_names_and_round_trip():
    theirs = real_keras().activations
    for name in keras.activations.__all__:
        if name in ("get", "serialize", "deserialize"):
            continue
        fn = keras.activations.get(name)
        assert keras.activations.serialize(fn) == theirs.serialize(theirs.get(name)), name
        assert keras.activations.deserialize(keras.activations.serialize(fn)) is fn
        config = {"module": "keras.activations", "class_name": "function", "config": name,
                  "registered_name": None}
        assert keras.activations.get(config) is keras.activations.get(name)
    assert keras.activations.get(None) is keras.activations.linear


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="Unknown activation 'relu7'.*relu6"):
        keras.activations.get("relu7")
    with pytest.raises(ValueError, match="Could not interpret activation.*42"):
        keras.activations.get(42)


def test_activations_follow_symbolic_inputs():
    theirs = real_keras()
    for name, kwargs in CASES:
        if kwargs.get("axis") == 0:
            continue  # the batch axis: our shape probe tries odd sizes, which glu refuses
        x = keras.Input((4, 6))
        y = getattr(keras.activations, name)(x, **kwargs)
        try:
            expected = getattr(theirs.activations, name)(theirs.Input((4, 6)), **kwargs)
        except ValueError:  # a few Keras activations are not ops (relu with a threshold...)
            expected = theirs.KerasTensor((None, 4, 3 if name == "glu" else 6), "float32")
        assert tuple(y.shape) == tuple(expected.shape), name
        assert y.dtype == expected.dtype, name
