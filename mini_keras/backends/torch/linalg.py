"""torch backend, linear algebra: inv, solve, det, cholesky, qr, svd, eigh, solve_triangular."""

from __future__ import annotations

import torch

from mini_keras.backends.torch.math import _as_float


def _float_pair(a, b):
    a, b = _as_float(a), _as_float(b)
    common = torch.promote_types(a.dtype, b.dtype)
    return a.to(common), b.to(common)


def inv(x):
    """Matrix inverse."""
    return torch.linalg.inv(_as_float(x))


def solve(a, b):
    """Solve ``a @ x = b`` (``b`` (..., n, k) or (n,))."""
    a, b = _float_pair(a, b)
    if b.dim() == 1:
        return torch.linalg.solve(a, b[:, None])[..., 0]
    return torch.linalg.solve(a, b)


def det(x):
    """Determinant."""
    return torch.linalg.det(_as_float(x))


def cholesky(x, upper=False):
    """Cholesky factor (lower, or its transpose when ``upper``)."""
    return torch.linalg.cholesky(_as_float(x), upper=upper)


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    q, r = torch.linalg.qr(_as_float(x), mode=mode)
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)`` (or only ``s``)."""
    x = _as_float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def eigh(x):
    """Symmetric eigen-decomposition ``(w, v)`` (lower triangle read)."""
    w, v = torch.linalg.eigh(_as_float(x))
    return w, v


def solve_triangular(a, b, lower=False):
    """Triangular solve ``a @ x = b``."""
    a, b = _float_pair(a, b)
    if b.dim() == 1:
        return torch.linalg.solve_triangular(a, b[:, None], upper=not lower)[..., 0]
    return torch.linalg.solve_triangular(a, b, upper=not lower)


def eig_parts(x):
    """Real and imaginary parts of ``torch.linalg.eig`` (no gradient)."""
    x = _as_float(x).detach()
    w, v = torch.linalg.eig(x)
    return tuple(part.to(x.dtype) for part in (w.real, w.imag, v.real, v.imag))
