"""jax backend, numpy-like math beyond math.py: trigonometric and hyperbolic functions, trunc,
isnan/isinf/isfinite, mod, floor_divide, and the scans and searches cumprod, nonzero,
searchsorted, the bitwise ops and bitcast."""

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


# ---------------------------------------------------------------------------- bitwise


def bitwise_and(x, y):
    """Elementwise bitwise AND (no gradient)."""
    return jnp.bitwise_and(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_or(x, y):
    """Elementwise bitwise OR (no gradient)."""
    return jnp.bitwise_or(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_xor(x, y):
    """Elementwise bitwise XOR (no gradient)."""
    return jnp.bitwise_xor(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_invert(x):
    """Elementwise bitwise NOT (no gradient)."""
    return jnp.invert(convert_to_tensor(x))


def bitwise_left_shift(x, y):
    """``x << y`` (no gradient)."""
    return jnp.left_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_right_shift(x, y):
    """``x >> y`` (no gradient)."""
    return jnp.right_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitcast(x, dtype):
    """Reinterpret the bytes of ``x`` as ``dtype`` (no gradient)."""
    x, target = jax.lax.stop_gradient(convert_to_tensor(x)), jnp.dtype(dtype)
    if jax.dtypes.canonicalize_dtype(target) != target:
        raise ValueError(f"bitcast: the jax backend runs with 64-bit types disabled (as Keras 3 "
                         f"does), so bytes cannot be read as {target.name}.")
    return jax.lax.bitcast_convert_type(x, target)
