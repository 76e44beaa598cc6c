"""Reverse-mode rules for MLX's decompositions (``qr``, ``svd``, ``eigh``), which have no vjp
of their own in MLX 0.32. The rules are the real-matrix ones of TensorFlow's ``QrGrad``, Townsend
(2016) for the SVD and the standard eigenvector rule; where the derivative is not defined by
the factorisation (a wide QR, full non-square SVD factors) the gradient raises, naming the op.
"""

from __future__ import annotations

import mlx.core as mx

from mini_keras.backends.mlx.linalg_grad import no_gradient

_CPU = mx.cpu


def _t(x):
    return mx.swapaxes(x, -1, -2)


def _eye(n, dtype):
    return mx.eye(n, dtype=dtype)


def _off_diagonal_inverse(diff):
    """``1 / diff`` off the diagonal, 0 on it (``diff`` has the spectrum gaps)."""
    n = diff.shape[-1]
    on = _eye(n, mx.bool_)
    return mx.where(on, 0, 1 / mx.where(on, 1, diff))


def _r_inv_t(mat, r):
    """``mat @ inv(r)^T`` with ``r`` upper triangular."""
    return _t(mx.linalg.solve_triangular(r, _t(mat), upper=True, stream=_CPU))


@mx.custom_function
def _qr_tall(x):
    return tuple(mx.linalg.qr(x, stream=_CPU))


@_qr_tall.vjp
def _qr_tall_vjp(primals, cotangents, outputs):
    q, r = outputs
    gq, gr = cotangents
    qdq = _t(q) @ gq
    rdr = r @ _t(gr)
    low = mx.tril(qdq - _t(qdq) + rdr - _t(rdr))
    return q @ (gr + _r_inv_t(low, r)) + _r_inv_t(gq - q @ qdq, r)


_qr_wide = no_gradient("qr (more columns than rows)",
                       lambda x: tuple(mx.linalg.qr(x, stream=_CPU)))


def qr(x):
    """Reduced QR ``(q, r)``; differentiable when ``x`` has at least as many rows as columns."""
    return _qr_tall(x) if x.shape[-2] >= x.shape[-1] else _qr_wide(x)


def _reduced_svd(x):
    u, s, vh = mx.linalg.svd(x, stream=_CPU)
    k = min(x.shape[-2], x.shape[-1])
    return u[..., :k], s, vh[..., :k, :]


@mx.custom_function
def svd_reduced(x):
    """Reduced SVD ``(u, s, vh)`` with Townsend's gradient."""
    return _reduced_svd(x)


@svd_reduced.vjp
def _svd_vjp(primals, cotangents, outputs):
    u, s, vh = outputs
    gu, gs, gvh = cotangents
    m, n = u.shape[-2], vh.shape[-1]
    k = s.shape[-1]
    v, gv = _t(vh), _t(gvh)
    s2 = s[..., None, :] ** 2
    f = _off_diagonal_inverse(s2 - _t(s2))  # F_ij = 1 / (s_j^2 - s_i^2)
    s_mat = s[..., None, :] * _eye(k, s.dtype)
    inner = (f * (_t(u) @ gu - _t(gu) @ u)) @ s_mat + s_mat @ (f * (_t(v) @ gv - _t(gv) @ v))
    grad = u @ (inner + gs[..., None, :] * _eye(k, s.dtype)) @ vh
    s_inv = 1 / s
    if m > k:  # the part of gu outside u's column space
        grad = grad + ((gu - u @ (_t(u) @ gu)) * s_inv[..., None, :]) @ vh
    if n > k:
        grad = grad + (u * s_inv[..., None, :]) @ _t(gv - v @ (_t(v) @ gv))
    return grad


@mx.custom_function
def svd_values(x):
    """Singular values with ``d/dA = U diag(g) V^T``."""
    return mx.linalg.svd(x, compute_uv=False, stream=_CPU)


@svd_values.vjp
def _svd_values_vjp(primals, cotangent, output):
    u, _, vh = _reduced_svd(primals)
    return (u * cotangent[..., None, :]) @ vh


svd_full = no_gradient("svd (full_matrices=True on a non-square matrix)",
                       lambda x: tuple(mx.linalg.svd(x, stream=_CPU)))


@mx.custom_function
def eigh(x):
    """Symmetric eigen-decomposition ``(w, v)`` (lower triangle read), symmetrised gradient."""
    return tuple(mx.linalg.eigh(x, UPLO="L", stream=_CPU))


@eigh.vjp
def _eigh_vjp(primals, cotangents, outputs):
    w, v = outputs
    gw, gv = cotangents
    f = _off_diagonal_inverse(w[..., None, :] - w[..., :, None])  # F_ij = 1 / (w_j - w_i)
    grad = v @ (gw[..., None, :] * _eye(w.shape[-1], w.dtype) + f * (_t(v) @ gv)) @ _t(v)
    return 0.5 * (grad + _t(grad))
