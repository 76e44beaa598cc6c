"""JAX backend: numpy-like primitives and linear algebra (contract_numpy_ext)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mini_keras.backends.jax.core import _float_or, convert_to_tensor
from mini_keras.backends.jax.math import _pair


def _as_float(x):
    """``x`` as an array, cast to floatx when it is not floating point."""
    x = convert_to_tensor(x)
    return x if jnp.issubdtype(x.dtype, jnp.inexact) else x.astype(_float_or(None))


# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent."""
    return jnp.tan(_as_float(x))


def arcsin(x):
    """Inverse sine."""
    return jnp.arcsin(_as_float(x))


def arccos(x):
    """Inverse cosine."""
    return jnp.arccos(_as_float(x))


def arctan(x):
    """Inverse tangent."""
    return jnp.arctan(_as_float(x))


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``."""
    x1 = x1 if isinstance(x1, float) else _as_float(x1)
    x2 = x2 if isinstance(x2, float) else _as_float(x2)
    return jnp.arctan2(*_pair(x1, x2))


def sinh(x):
    """Hyperbolic sine."""
    return jnp.sinh(_as_float(x))


def cosh(x):
    """Hyperbolic cosine."""
    return jnp.cosh(_as_float(x))


def arcsinh(x):
    """Inverse hyperbolic sine."""
    return jnp.arcsinh(_as_float(x))


def arccosh(x):
    """Inverse hyperbolic cosine."""
    return jnp.arccosh(_as_float(x))


def arctanh(x):
    """Inverse hyperbolic tangent."""
    return jnp.arctanh(_as_float(x))


def trunc(x):
    """Round toward zero (integers pass through)."""
    x = convert_to_tensor(x)
    return jnp.trunc(x) if jnp.issubdtype(x.dtype, jnp.inexact) else x


def isnan(x):
    """Elementwise NaN test."""
    return jnp.isnan(convert_to_tensor(x))


def isinf(x):
    """Elementwise infinity test."""
    return jnp.isinf(convert_to_tensor(x))


def isfinite(x):
    """Elementwise finiteness test."""
    return jnp.isfinite(convert_to_tensor(x))


def _int_pair(x1, x2):
    x1, x2 = _pair(x1, x2)
    return [x.astype("int32") if isinstance(x, jax.Array) and x.dtype == jnp.bool_ else x
            for x in (x1, x2)]


def mod(x1, x2):
    """Floor remainder (sign of ``x2``)."""
    return jnp.mod(*_int_pair(x1, x2))


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    return jax.lax.stop_gradient(jnp.floor_divide(*_int_pair(x1, x2)))


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (ints keep their dtype; bool -> int32)."""
    x = convert_to_tensor(x, dtype)
    if x.dtype == jnp.bool_:
        x = x.astype("int32")
    return jnp.cumprod(x, axis=axis, dtype=x.dtype)


def nonzero(x):
    """Tuple of int32 index arrays of the non-zero entries (eager only)."""
    return tuple(i.astype("int32") for i in jnp.nonzero(convert_to_tensor(x)))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices into the sorted 1-D sequence."""
    sequence, values = convert_to_tensor(sorted_sequence), convert_to_tensor(values)
    common = jnp.promote_types(sequence.dtype, values.dtype)
    out = jnp.searchsorted(sequence.astype(common), values.astype(common), side=side)
    return out.astype("int32")


# ---------------------------------------------------------------------------- linear algebra


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
