"""numpy backend, linear algebra: inv, solve, det, cholesky, qr, svd, eigh, solve_triangular."""

from __future__ import annotations

import numpy as np

from mini_keras.backends.numpy.autodiff import data, not_differentiable, record
from mini_keras.backends.numpy.numeric import _float


def _mT(a):  # the matrix transpose of a batch
    return np.swapaxes(a, -1, -2)


def _as_matrix_rhs(b):
    """A 1-D right-hand side as a column (and a function that undoes it)."""
    if b.ndim == 1:
        return b[:, None], lambda r: r[..., 0]
    return b, lambda r: r


def inv(x):
    """Matrix inverse: gradient ``-inv^T @ g @ inv^T``."""
    x = _float(x)
    out = np.linalg.inv(data(x))

    def backward(g):
        return (-_mT(out) @ g @ _mT(out),)
    return record(out, (x,), backward)


def solve(a, b):
    """``x = inv(a) @ b``: grad_b = solve(a^T, g), grad_a = -grad_b @ x^T."""
    a, b = _float(a), _float(b)
    ma, (mb, undo) = data(a), _as_matrix_rhs(data(b))
    out = np.linalg.solve(ma, mb)

    def backward(g):
        gb = np.linalg.solve(_mT(ma), g[..., None] if data(b).ndim == 1 else g)
        return -gb @ _mT(out), undo(gb)
    return record(undo(out), (a, b), backward)


def det(x):
    """Determinant: gradient ``g * det * inv(x)^T``."""
    x = _float(x)
    a = data(x)
    out = np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False)

    def backward(g):
        return ((g * out)[..., None, None] * _mT(np.linalg.inv(a)),)
    return record(out, (x,), backward)


def _phi(m):
    """Lower triangle of ``m`` with the diagonal halved (the Cholesky/QR gradient helper)."""
    return np.tril(m) - 0.5 * np.eye(m.shape[-1], dtype=m.dtype) * m


def cholesky(x, upper=False):
    """Cholesky factor: grad = sym(L^-T Phi(L^T gL) L^-1) (Murray, 2016)."""
    x = _float(x)
    a = data(x)
    lower = np.linalg.cholesky(a)
    out = _mT(lower) if upper else lower

    def backward(g):
        g = _mT(g) if upper else g
        inner = _phi(_mT(lower) @ g)
        l_inv = np.linalg.inv(lower)
        grad = _mT(l_inv) @ inner @ l_inv
        return (0.5 * (grad + _mT(grad)),)
    return record(out, (x,), backward)


def qr(x, mode="reduced"):
    """QR decomposition; gradient (reduced, m >= n) as in TensorFlow's QrGrad."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    x = _float(x)
    a = data(x)
    q, r = np.linalg.qr(a, mode=mode)
    m, n = a.shape[-2:]
    if mode == "complete" and m != n or m < n:
        backward = not_differentiable("qr (complete mode or more columns than rows)")
        return record(q, (x,), backward), record(r, (x,), backward)

    def r_inv_t(mat):  # mat @ inv(r)^T
        return _mT(np.linalg.solve(r, _mT(mat)))

    def grad(gq, gr):
        qdq = _mT(q) @ gq
        rdr = r @ _mT(gr)
        tril = np.tril(qdq - _mT(qdq) + rdr - _mT(rdr))
        return q @ (gr + r_inv_t(tril)) + r_inv_t(gq - q @ qdq)

    def backward_q(g):
        return (grad(g, np.zeros_like(r)),)

    def backward_r(g):
        return (grad(np.zeros_like(q), g),)
    return record(q, (x,), backward_q), record(r, (x,), backward_r)


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)``; gradients per Townsend (2016), real case."""
    x = _float(x)
    a = data(x)
    m, n = a.shape[-2:]
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    k = min(m, n)

    def backward_s(g):
        return ((u * g[..., None, :]) @ vh,)
    s_out = record(s, (x,), backward_s)
    if not compute_uv:
        return s_out
    if full_matrices and m != n:
        u_full, _, vh_full = np.linalg.svd(a, full_matrices=True)
        backward = not_differentiable("svd (full_matrices=True on non-square matrices)")
        return record(u_full, (x,), backward), s_out, record(vh_full, (x,), backward)
    v = _mT(vh)
    s2 = s[..., None, :] ** 2
    diff = s2 - _mT(s2)  # F_ij = 1 / (s_j^2 - s_i^2), zero on the diagonal
    f = np.where(np.eye(k, dtype=bool), 0, 1 / np.where(np.eye(k, dtype=bool), 1, diff))
    s_mat = s[..., None, :] * np.eye(k, dtype=a.dtype)
    s_inv = 1 / s

    def backward_u(gu):
        j = f * (_mT(u) @ gu - _mT(gu) @ u)
        term = u @ j @ s_mat @ vh
        if m > k:  # the part of gu outside the column space of u
            term = term + (gu - u @ (_mT(u) @ gu)) * s_inv[..., None, :] @ vh
        return (term,)

    def backward_vh(gvh):
        gv = _mT(gvh)
        kk = f * (_mT(v) @ gv - _mT(gv) @ v)
        term = u @ s_mat @ kk @ vh
        if n > k:
            term = term + (u * s_inv[..., None, :]) @ _mT(gv - v @ (_mT(v) @ gv))
        return (term,)
    return record(u, (x,), backward_u), s_out, record(vh, (x,), backward_vh)


def eigh(x):
    """Symmetric eigen-decomposition: grad = V (diag(gw) + F * (V^T gV)) V^T, symmetrized."""
    x = _float(x)
    a = data(x)
    w, v = np.linalg.eigh(a)
    n = a.shape[-1]
    eye = np.eye(n, dtype=bool)
    diff = w[..., None, :] - w[..., :, None]  # F_ij = 1 / (w_j - w_i)
    f = np.where(eye, 0, 1 / np.where(eye, 1, diff))

    def sym(grad):
        return 0.5 * (grad + _mT(grad))

    def backward_w(g):
        return (sym((v * g[..., None, :]) @ _mT(v)),)

    def backward_v(g):
        return (sym(v @ (f * (_mT(v) @ g)) @ _mT(v)),)
    return record(w, (x,), backward_w), record(v, (x,), backward_v)


def solve_triangular(a, b, lower=False):
    """Triangular solve: grad_b = solve(tri(a)^T, g), grad_a = tri(-grad_b @ x^T)."""
    a, b = _float(a), _float(b)
    tri = np.tril if lower else np.triu
    ma, (mb, undo) = tri(data(a)), _as_matrix_rhs(data(b))
    out = np.linalg.solve(ma, mb)

    def backward(g):
        gb = np.linalg.solve(_mT(ma), g[..., None] if data(b).ndim == 1 else g)
        return tri(-gb @ _mT(out)), undo(gb)
    return record(undo(out), (a, b), backward)


def eig_parts(x):
    """Real and imaginary parts of ``np.linalg.eig`` (no gradient)."""
    x = _float(x)
    w, v = np.linalg.eig(data(x))
    dtype = data(x).dtype
    backward = not_differentiable("eig")
    return tuple(record(np.asarray(part, dtype), (x,), backward)
                 for part in (w.real, w.imag, v.real, v.imag))
