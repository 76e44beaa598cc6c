"""Keras 3 linalg ops added late (cholesky_inverse, lu_factor, ...): values vs numpy/scipy,
gradients, symbolic shapes, on every backend."""

import numpy as np
import pytest

from mini_keras import Input, ops

sl = pytest.importorskip("scipy.linalg")

rng = np.random.default_rng(5)
SQUARE = rng.normal(size=(4, 4)).astype(np.float32)
BATCH = rng.normal(size=(2, 3, 3)).astype(np.float32)
SPD = (SQUARE @ SQUARE.T + 4 * np.eye(4)).astype(np.float32)
LOWER = np.linalg.cholesky(SPD).astype(np.float32)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_matches_numpy(backend, upper):
    factor = np.ascontiguousarray(LOWER.T) if upper else LOWER
    out = ops.cholesky_inverse(factor, upper=upper)
    np.testing.assert_allclose(ops.convert_to_numpy(out), np.linalg.inv(SPD), atol=1e-5)
    assert ops.dtype(out) == "float32"
    assert ops.cholesky_inverse(Input((3, 3))).shape == (None, 3, 3)


def _rebuild(lu, pivots, rows):
    """``P^T L U`` from scipy-style ``(lu, pivots)`` of one matrix."""
    k = min(lu.shape)
    lower = np.tril(lu, -1)[:, :k] + np.eye(rows, k)
    perm = np.arange(rows)
    for i, p in enumerate(pivots):
        perm[[i, p]] = perm[[p, i]]
    out = np.empty((rows, lu.shape[1]))
    out[perm] = lower @ np.triu(lu)[:k]
    return out


@pytest.mark.parametrize("matrix", [SQUARE, BATCH, SQUARE[:3], SQUARE[:, :3]],
                         ids=["square", "batch", "wide", "tall"])
def test_lu_factor_matches_scipy(backend, matrix):
    lu, pivots = ops.lu_factor(matrix)
    lu, pivots = ops.convert_to_numpy(lu), ops.convert_to_numpy(pivots)
    assert pivots.dtype == np.int32 and pivots.shape == matrix.shape[:-2] + (min(matrix.shape[-2:]),)
    for i in np.ndindex(matrix.shape[:-2]):
        if matrix.shape[-1] == matrix.shape[-2]:  # scipy's own lu_factor is for square only
            expected_lu, expected_pivots = sl.lu_factor(matrix[i])
            np.testing.assert_allclose(lu[i], expected_lu, atol=1e-5)
            np.testing.assert_array_equal(pivots[i], expected_pivots)
        np.testing.assert_allclose(_rebuild(lu[i], pivots[i], matrix.shape[-2]), matrix[i],
                                   atol=1e-5)


def test_lu_factor_symbolic_and_gradient(backend):
    lu, pivots = ops.lu_factor(Input((3, 3)))
    assert lu.shape == (None, 3, 3) and pivots.shape == (None, 3) and pivots.dtype == "int32"

    def loss(values):
        return ops.sum(ops.lu_factor(values[0])[0])
    _, (grad,) = ops.value_and_grad(loss)([ops.convert_to_tensor(SQUARE)])
    eps, expected = 1e-3, np.zeros_like(SQUARE, np.float64)
    for idx in np.ndindex(SQUARE.shape):  # central differences of scipy's LU (float64)
        up, down = SQUARE.astype(np.float64), SQUARE.astype(np.float64)
        up[idx] += eps
        down[idx] -= eps
        expected[idx] = (sl.lu_factor(up)[0].sum() - sl.lu_factor(down)[0].sum()) / (2 * eps)
    np.testing.assert_allclose(ops.convert_to_numpy(grad), expected, rtol=1e-2, atol=1e-2)


def test_jvp_matches_the_analytic_derivative(backend):
    weights = rng.normal(size=(2, 3)).astype(np.float32)
    x, t = rng.normal(size=3).astype(np.float32), rng.normal(size=3).astype(np.float32)
    out, tangent = ops.jvp(lambda v: ops.tanh(ops.matmul(weights, v)), (x,), (t,))
    expected = np.tanh(weights @ x)
    np.testing.assert_allclose(ops.convert_to_numpy(out), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(tangent), (1 - expected ** 2) * (weights @ t),
                               rtol=1e-5, atol=1e-6)


def test_jvp_nested_outputs_and_aux(backend):
    x, t = rng.normal(size=3).astype(np.float32), rng.normal(size=3).astype(np.float32)

    def fun(a, b):
        return {"dot": ops.sum(ops.multiply(a, b)), "sin": ops.sin(a)}, ops.cos(b)
    out, tangents, aux = ops.jvp(fun, (x, x), (t, t), has_aux=True)
    np.testing.assert_allclose(ops.convert_to_numpy(tangents["dot"]), 2 * np.sum(x * t),
                               rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(tangents["sin"]), np.cos(x) * t, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(out["sin"]), np.sin(x), rtol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(aux), np.cos(x), rtol=1e-6)


def test_jvp_bad_arguments(backend):
    x = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="ops.jvp: `primals` and `tangents` must have the same"):
        ops.jvp(ops.sin, (x,), (x, x))
    with pytest.raises(ValueError, match="ops.jvp: primal 0 has shape"):
        ops.jvp(ops.sin, (x,), (np.ones(2, np.float32),))
    with pytest.raises(TypeError, match="ops.jvp: `primals` and `tangents` must be tuples"):
        ops.jvp(ops.sin, x, x)


def test_eig_of_a_real_spectrum(backend):
    basis = rng.normal(size=(4, 4))
    matrix = (basis @ np.diag([3.0, 1.0, -2.0, 0.5]) @ np.linalg.inv(basis)).astype(np.float32)
    w, v = ops.eig(matrix)
    assert ops.dtype(w) == ops.dtype(v) == "float32"
    w, v = ops.convert_to_numpy(w), ops.convert_to_numpy(v)
    np.testing.assert_allclose(np.sort(w), np.sort(np.linalg.eig(matrix)[0].real), atol=1e-4)
    np.testing.assert_allclose(matrix @ v, v * w, atol=1e-4)  # A v = v diag(w)
    np.testing.assert_allclose(np.linalg.norm(v, axis=0), 1.0, atol=1e-5)


def test_eig_refuses_complex_eigenvalues_and_traces(backend):
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]], np.float32)
    with pytest.raises(ValueError, match=f"ops.eig on the {backend} backend: .*complex"):
        ops.eig(rotation)
    w, v = ops.eig(Input((4, 4)))
    assert w.shape == (None, 4) and v.shape == (None, 4, 4)
