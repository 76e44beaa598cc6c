"""Weight constraints on every backend: formulas, real Keras 3, and enforcement during fit."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import constraints

W = np.random.default_rng(0).normal(0.0, 2.0, size=(5, 4)).astype("float32")
EPS = 1e-7


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _norms(w, axis):
    return np.sqrt((w.astype("float64") ** 2).sum(axis=axis, keepdims=True))


CASES = {
    "max_norm": (lambda C: C.MaxNorm(max_value=3.0, axis=0),
                 lambda w: w * np.clip(_norms(w, 0), 0, 3.0) / (EPS + _norms(w, 0))),
    "max_norm_axis1": (lambda C: C.MaxNorm(max_value=2.0, axis=1),
                       lambda w: w * np.clip(_norms(w, 1), 0, 2.0) / (EPS + _norms(w, 1))),
    "non_neg": (lambda C: C.NonNeg(), lambda w: np.maximum(w, 0)),
    "unit_norm": (lambda C: C.UnitNorm(axis=0), lambda w: w / (EPS + _norms(w, 0))),
    "min_max_norm": (lambda C: C.MinMaxNorm(min_value=4.0, max_value=5.0, rate=0.5, axis=0),
                     lambda w: w * (0.5 * np.clip(_norms(w, 0), 4.0, 5.0) + 0.5 * _norms(w, 0))
                     / (EPS + _norms(w, 0))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_constraint_matches_numpy_and_keras(backend, case):
    make, formula = CASES[case]
    out = _np(make(constraints)(keras.ops.convert_to_tensor(W)))
    np.testing.assert_allclose(out, formula(W), rtol=1e-5, atol=1e-6)
    real = pytest.importorskip("keras")
    np.testing.assert_allclose(out, np.asarray(make(real.constraints)(W)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kernel_constraint,check", [
    ("non_neg", lambda k: np.all(k >= 0)),
    (constraints.MaxNorm(0.5), lambda k: np.all(_norms(k, 0) <= 0.5 + 1e-5)),
    ("unit_norm", lambda k: np.allclose(_norms(k, 0), 1.0, atol=1e-5)),
])
def test_dense_kernel_satisfies_constraint_after_fit_step(backend, kernel_constraint, check):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(16, 5)).astype("float32"), rng.normal(size=(16, 3)).astype("float32")
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(
        3, kernel_constraint=kernel_constraint, bias_constraint="non_neg",
        kernel_initializer=keras.initializers.RandomNormal(stddev=2.0), bias_initializer="ones")])
    kernel0 = model.layers[0].kernel.numpy()
    assert not check(kernel0)  # the initial kernel violates the constraint
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit(x, 10 * y, epochs=1, batch_size=16, verbose=0)
    kernel, bias = model.get_weights()
    assert check(kernel)
    assert np.all(bias >= 0) and not np.allclose(bias, 1.0)


def test_batchnorm_gamma_constraint_is_applied_in_fit(backend):
    x = np.random.default_rng(3).normal(size=(16, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization(
        gamma_constraint=constraints.MaxNorm(1.0, axis=0))])
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    model.fit(x, 5 * x, epochs=1, batch_size=16, verbose=0)  # pushes gamma far above 1
    assert np.linalg.norm(model.layers[0].gamma.numpy()) <= 1.0 + 1e-5


def test_constraints_get_serialize_and_errors():
    assert constraints.get(None) is None
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get("NonNeg"), constraints.NonNeg)
    assert isinstance(constraints.get(constraints.UnitNorm), constraints.UnitNorm)
    clone = constraints.get(constraints.serialize(constraints.MinMaxNorm(0.1, 2.0, 0.3, 1)))
    assert clone.get_config() == {"min_value": 0.1, "max_value": 2.0, "rate": 0.3, "axis": 1}
    assert constraints.get(abs) is abs
    with pytest.raises(ValueError, match="max_norm"):
        constraints.get("maxnorm")
    with pytest.raises(ValueError, match="constraint"):
        constraints.get(3)
