"""jax backend, linear algebra: inv, solve, det, cholesky, qr, svd, eigh, solve_triangular."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mini_keras.backends.jax.numeric import _as_float


def _float_pair(a, b):
    a, b = _as_float(a), _as_float(b)
    common = jnp.promote_types(a.dtype, b.dtype)
    return a.astype(common), b.astype(common)


def inv(x):
    """Matrix inverse."""
    return jnp.linalg.inv(_as_float(x))


def solve(a, b):
    """Solve ``a @ x = b`` (``b`` (..., n, k) or (n,))."""
    a, b = _float_pair(a, b)
    if b.ndim == 1:
        return jnp.linalg.solve(a, b[:, None])[..., 0]
    batch = jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return jnp.linalg.solve(jnp.broadcast_to(a, batch + a.shape[-2:]),
                            jnp.broadcast_to(b, batch + b.shape[-2:]))


def det(x):
    """Determinant."""
    return jnp.linalg.det(_as_float(x))


def cholesky(x, upper=False):
    """Cholesky factor (lower, or its transpose when ``upper``); lower triangle read."""
    x = _as_float(x)
    lower = jnp.tril(x)
    lower = jnp.linalg.cholesky(lower + jnp.swapaxes(jnp.tril(x, -1), -1, -2))
    return jnp.swapaxes(lower, -1, -2) if upper else lower


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    q, r = jnp.linalg.qr(_as_float(x), mode=mode)
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)`` (or only ``s``)."""
    return jnp.linalg.svd(_as_float(x), full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(x):
    """Symmetric eigen-decomposition ``(w, v)`` (lower triangle read)."""
    w, v = jnp.linalg.eigh(_as_float(x), UPLO="L", symmetrize_input=False)
    return w, v


def solve_triangular(a, b, lower=False):
    """Triangular solve ``a @ x = b``."""
    a, b = _float_pair(a, b)
    vector = b.ndim == 1
    b = b[:, None] if vector else b
    batch = jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    out = jax.scipy.linalg.solve_triangular(a, b, lower=lower)
    return out[..., 0] if vector else out


def eig_parts(x):
    """Real and imaginary parts of ``jnp.linalg.eig`` (no gradient; CPU only in jax)."""
    x = jax.lax.stop_gradient(_as_float(x))
    w, v = jnp.linalg.eig(x)
    return tuple(part.astype(x.dtype) for part in (w.real, w.imag, v.real, v.imag))
