"""MLX backend: numpy-like primitives and linear algebra (contract_numpy_ext)."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from mini_keras.backends import contract_numpy_ext
from mini_keras.backends.mlx import decomp_grad, linalg_grad
from mini_keras.backends.mlx.core import (
    _float_or,
    convert_to_numpy,
    convert_to_tensor,
    result_dtype,
)
from mini_keras.backends.mlx.math import _pair

__all__ = list(contract_numpy_ext.__all__)  # exactly the contract's names


def _as_float(x):
    """``x`` as an array, cast to floatx when it is not floating point."""
    x = convert_to_tensor(x)
    return x if mx.issubdtype(x.dtype, mx.inexact) else x.astype(_float_or(None))


# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent."""
    return mx.tan(_as_float(x))


def arcsin(x):
    """Inverse sine."""
    return mx.arcsin(_as_float(x))


def arccos(x):
    """Inverse cosine."""
    return mx.arccos(_as_float(x))


def arctan(x):
    """Inverse tangent."""
    return mx.arctan(_as_float(x))


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``."""
    x1 = x1 if isinstance(x1, float) else _as_float(x1)
    x2 = x2 if isinstance(x2, float) else _as_float(x2)
    return mx.arctan2(*_pair(x1, x2))


def sinh(x):
    """Hyperbolic sine."""
    return mx.sinh(_as_float(x))


def cosh(x):
    """Hyperbolic cosine."""
    return mx.cosh(_as_float(x))


def arcsinh(x):
    """Inverse hyperbolic sine."""
    return mx.arcsinh(_as_float(x))


def arccosh(x):
    """Inverse hyperbolic cosine."""
    return mx.arccosh(_as_float(x))


def arctanh(x):
    """Inverse hyperbolic tangent."""
    return mx.arctanh(_as_float(x))


def trunc(x):
    """Round toward zero (integers pass through)."""
    x = convert_to_tensor(x)
    return mx.trunc(x) if mx.issubdtype(x.dtype, mx.inexact) else x


def isnan(x):
    """Elementwise NaN test."""
    return mx.isnan(convert_to_tensor(x))


def isinf(x):
    """Elementwise infinity test."""
    return mx.isinf(convert_to_tensor(x))


def isfinite(x):
    """Elementwise finiteness test."""
    return mx.isfinite(convert_to_tensor(x))


def _int_pair(x1, x2):
    x1, x2 = _pair(x1, x2)
    return [x.astype(mx.int32) if isinstance(x, mx.array) and x.dtype == mx.bool_ else x
            for x in (x1, x2)]


def mod(x1, x2):
    """Floor remainder (sign of ``x2``)."""
    return mx.remainder(*_int_pair(x1, x2))


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    return mx.stop_gradient(mx.floor_divide(*_int_pair(x1, x2)))


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (ints keep their dtype; bool -> int32)."""
    x = convert_to_tensor(x, dtype)
    if x.dtype == mx.bool_:
        x = x.astype(mx.int32)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return mx.cumprod(x, axis=axis)


def nonzero(x):
    """Tuple of int32 index arrays of the non-zero entries (eager only)."""
    return tuple(mx.array(i.astype(np.int32)) for i in np.nonzero(convert_to_numpy(x)))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices into the sorted 1-D sequence (no gradient)."""
    out = np.searchsorted(convert_to_numpy(sorted_sequence), convert_to_numpy(values), side=side)
    return mx.array(np.asarray(out).astype(np.int32))


# ---------------------------------------------------------------------------- linear algebra
# MLX's linalg kernels run on the CPU stream (MLX has them nowhere else).


def _float_pair(a, b):
    a, b = _as_float(a), _as_float(b)
    common = result_dtype(a.dtype, b.dtype)
    return a.astype(common), b.astype(common)


_CPU = mx.cpu


def inv(x):
    """Matrix inverse."""
    return linalg_grad.inv(_as_float(x))


def solve(a, b):
    """Solve ``a @ x = b`` (``b`` (..., n, k) or (n,))."""
    a, b = _float_pair(a, b)
    if b.ndim == 1:
        return linalg_grad.solve(a, b[:, None])[..., 0]
    batch = np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    return linalg_grad.solve(mx.broadcast_to(a, batch + tuple(a.shape[-2:])),
                             mx.broadcast_to(b, batch + tuple(b.shape[-2:])))


def det(x):
    """Determinant, from the LU factorisation (product of U's diagonal times the pivot sign)."""
    return linalg_grad.det(_as_float(x), _det_value)


def _det_value(x):
    p, _lower, upper = mx.linalg.lu(x, stream=_CPU)
    diag = mx.diagonal(upper, axis1=-2, axis2=-1)
    perm = np.asarray(p.tolist()).reshape(-1, x.shape[-1])
    signs = [np.linalg.det(np.eye(x.shape[-1])[row]) for row in perm]
    sign = mx.array(np.asarray(signs, dtype=np.float32).reshape(tuple(x.shape[:-2])))
    return (mx.prod(diag, axis=-1) * sign).astype(x.dtype)


def cholesky(x, upper=False):
    """Cholesky factor (lower, or its transpose when ``upper``); lower triangle read."""
    x = _as_float(x)
    sym = mx.tril(x) + mx.swapaxes(mx.tril(x, -1), -1, -2)
    lower = linalg_grad.cholesky(sym)
    return mx.swapaxes(lower, -1, -2) if upper else lower


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)`` (MLX computes the reduced form only)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    x = _as_float(x)
    m, n = x.shape[-2], x.shape[-1]
    if mode == "complete" and m > n:
        # mx.linalg.qr is reduced only: the reduced QR of [x | I] has the complete Q, and the
        # first n columns of its R are x's complete R (the Householder steps are the same).
        eye = mx.broadcast_to(mx.eye(m, dtype=x.dtype), tuple(x.shape[:-2]) + (m, m))
        q, r = decomp_grad.qr(mx.concatenate([x, eye], axis=-1))
        return q, r[..., :n]
    return decomp_grad.qr(x)


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)`` (or only ``s``)."""
    x = _as_float(x)
    if not compute_uv:
        return decomp_grad.svd_values(x)
    if full_matrices and x.shape[-2] != x.shape[-1]:
        return decomp_grad.svd_full(x)
    return decomp_grad.svd_reduced(x)


def eigh(x):
    """Symmetric eigen-decomposition ``(w, v)`` (lower triangle read)."""
    return decomp_grad.eigh(_as_float(x))


def solve_triangular(a, b, lower=False):
    """Triangular solve ``a @ x = b``."""
    a, b = _float_pair(a, b)
    vector = b.ndim == 1
    b = b[:, None] if vector else b
    batch = np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    a = mx.broadcast_to(a, batch + tuple(a.shape[-2:]))
    b = mx.broadcast_to(b, batch + tuple(b.shape[-2:]))
    out = linalg_grad.solve_triangular(a, b, upper=not lower)
    return out[..., 0] if vector else out
