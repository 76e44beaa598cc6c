"""Ops added for Keras-3 parity of the symbolic path, checked eagerly on every backend vs numpy."""

import numpy as np
import pytest

from mini_keras import ops

rng = np.random.default_rng(7)
X = rng.uniform(-2, 2, (3, 4)).astype(np.float32)
Y = rng.uniform(-2, 2, (3, 4)).astype(np.float32)
NANS = X.copy()
NANS[0, 1] = NANS[2, 3] = NANS[1, 0] = np.nan
SQUARE = (np.eye(3) * 3 + rng.uniform(0, 0.5, (3, 3))).astype(np.float32)
SQUARE = (SQUARE + SQUARE.T) / 2
EXPONENTS = np.array([[0, 1, -2, 3]] * 3, np.int32)
ZEROS = np.array([0.0, -0.0, 1.5, -2.0, np.nan], np.float32)

CASES = [  # (id, op, args, kwargs, numpy reference)
    ("nanmax", ops.nanmax, (NANS,), {"axis": 1}, lambda: np.nanmax(NANS, axis=1)),
    ("nanargmax", ops.nanargmax, (NANS,), {"axis": 1}, lambda: np.nanargmax(NANS, axis=1)),
    ("nanargmin", ops.nanargmin, (NANS,), {}, lambda: np.nanargmin(NANS)),
    ("nancumsum", ops.nancumsum, (NANS,), {"axis": 0}, lambda: np.nancumsum(NANS, axis=0)),
    ("nancumsum-flat", ops.nancumsum, (NANS,), {}, lambda: np.nancumsum(NANS)),
    ("nancumprod", ops.nancumprod, (NANS,), {"axis": 1}, lambda: np.nancumprod(NANS, axis=1)),
    ("nanvar", ops.nanvar, (NANS,), {"axis": 1}, lambda: np.nanvar(NANS, axis=1)),
    ("nanstd", ops.nanstd, (NANS,), {}, lambda: np.nanstd(NANS)),
    ("nanmedian", ops.nanmedian, (NANS,), {"axis": 1}, lambda: np.nanmedian(NANS, axis=1)),
    ("nanquantile", ops.nanquantile, (NANS, [0.25, 0.9]), {"axis": 0},
     lambda: np.nanquantile(NANS, [0.25, 0.9], axis=0)),
    ("nanpercentile-lower", ops.nanpercentile, (NANS, 40.0), {"axis": 1, "method": "lower"},
     lambda: np.nanpercentile(NANS, 40.0, axis=1, method="lower")),
    ("quantile-keepdims", ops.quantile, (X, 0.3), {"axis": 1, "keepdims": True},
     lambda: np.quantile(X, 0.3, axis=1, keepdims=True)),
    ("fmax", ops.fmax, (NANS, Y), {}, lambda: np.fmax(NANS, Y)),
    ("fmin", ops.fmin, (NANS, Y), {}, lambda: np.fmin(NANS, Y)),
    ("logaddexp2", ops.logaddexp2, (X, Y), {}, lambda: np.logaddexp2(X, Y)),
    ("ldexp", ops.ldexp, (X, EXPONENTS), {}, lambda: np.ldexp(X, EXPONENTS)),
    ("signbit", ops.signbit, (ZEROS,), {}, lambda: np.signbit(ZEROS[:4])),
    ("angle", ops.angle, (X,), {}, lambda: np.angle(X).astype(np.float32)),
    ("real", ops.real, (X,), {}, lambda: np.real(X)),
    ("imag", ops.imag, (X,), {}, lambda: np.imag(X)),
    ("conj", ops.conj, (X,), {}, lambda: np.conj(X)),
    ("conjugate", ops.conjugate, (X,), {}, lambda: np.conjugate(X)),
    ("isreal", ops.isreal, (X,), {}, lambda: np.isreal(X)),
    ("copy", ops.copy, (X,), {}, lambda: np.copy(X)),
    ("trapezoid", ops.trapezoid, (X,), {}, lambda: np.trapezoid(X)),
    ("trapezoid-x", ops.trapezoid, (X,), {"x": np.array([0, 1, 3, 6], np.float32)},
     lambda: np.trapezoid(X, x=np.array([0, 1, 3, 6], np.float32))),
    ("trapezoid-dx-axis", ops.trapezoid, (X,), {"dx": 0.5, "axis": 0},
     lambda: np.trapezoid(X, dx=0.5, axis=0)),
    ("diagflat", ops.diagflat, (X[:2, :2],), {"k": 1}, lambda: np.diagflat(X[:2, :2], k=1)),
    ("isin", ops.isin, (EXPONENTS, np.array([1, 3], np.int32)), {},
     lambda: np.isin(EXPONENTS, [1, 3])),
    ("isin-invert", ops.isin, (EXPONENTS, np.array([1, 3], np.int32)), {"invert": True},
     lambda: np.isin(EXPONENTS, [1, 3], invert=True)),
    ("geomspace", ops.geomspace, (1.0, 1000.0, 4), {}, lambda: np.geomspace(1, 1000, 4)),
    ("geomspace-negative", ops.geomspace, (-1.0, -16.0, 5), {"endpoint": False},
     lambda: np.geomspace(-1, -16, 5, endpoint=False)),
    ("logdet", ops.logdet, (SQUARE,), {}, lambda: np.log(np.linalg.det(SQUARE))),
    ("matrix_rank", ops.matrix_rank, (np.outer(X[0], X[1]),), {},
     lambda: np.linalg.matrix_rank(np.outer(X[0], X[1]))),
    ("matrix_rank-full", ops.matrix_rank, (SQUARE,), {}, lambda: np.linalg.matrix_rank(SQUARE)),
]


def _numpy(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.parametrize("op, args, kwargs, reference", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_added_op_matches_numpy(backend, op, args, kwargs, reference):
    if op is ops.signbit:
        args = (ZEROS[:4],)  # -nan's sign bit is not portable across frameworks
    got, expected = _numpy(op(*args, **kwargs)), np.asarray(reference())
    assert got.shape == expected.shape
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected)
    else:
        # float32 inputs; a handful of roundings (quantile interpolation, exp/log chains)
        np.testing.assert_allclose(got, expected, rtol=2e-5 * 8, atol=1e-5)


@pytest.mark.parametrize("op", ["array_split", "argpartition"])
def test_split_and_partition(backend, op):
    if op == "array_split":
        parts = ops.array_split(X, 3, axis=1)
        for got, expected in zip(parts, np.array_split(X, 3, axis=1)):
            np.testing.assert_array_equal(_numpy(got), expected)
        assert len(parts) == 3
    else:
        idx = _numpy(ops.argpartition(X, 2, axis=1))
        part = np.take_along_axis(X, idx, axis=1)
        kth = np.sort(X, axis=1)[:, 2:3]
        assert idx.dtype == np.int32
        assert np.all(part[:, :2] <= kth) and np.all(part[:, 3:] >= kth)
        np.testing.assert_array_equal(part[:, 2:3], kth)


def test_bad_arguments_name_the_op():
    with pytest.raises(TypeError, match=r"ops.ldexp: `x2` must be integers"):
        ops.ldexp(X, Y)
    with pytest.raises(ValueError, match=r"ops.argpartition: `kth`=9 is out of range"):
        ops.argpartition(X, 9)
    with pytest.raises(ValueError, match=r"ops.nanquantile: `q` must lie in \[0, 1\]"):
        ops.nanquantile(X, 1.5)
