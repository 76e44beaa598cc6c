"""mlx backend, linear algebra: inv, solve, det, cholesky, qr, svd, eigh, solve_triangular."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from mini_keras.backends.mlx import decomp_grad, linalg_grad
from mini_keras.backends.mlx.core import (
    result_dtype,
)
from mini_keras.backends.mlx.numeric import _as_float

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


def eig_parts(x):
    """Real and imaginary parts of ``mx.linalg.eig`` (on the CPU stream; no gradient)."""
    x = mx.stop_gradient(_as_float(x))
    w, v = mx.linalg.eig(x, stream=mx.cpu)
    return tuple(part.astype(x.dtype) for part in (mx.real(w), mx.imag(w), mx.real(v),
                                                   mx.imag(v)))
