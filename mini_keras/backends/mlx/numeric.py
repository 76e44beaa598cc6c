"""mlx backend, numpy-like math beyond math.py: trigonometric and hyperbolic functions, trunc,
isnan/isinf/isfinite, mod, floor_divide, and the scans and searches cumprod, nonzero,
searchsorted, the bitwise ops and bitcast."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from mini_keras.backends.bitcast_support import bitcast_shape
from mini_keras.backends.mlx.core import (
    _float_or,
    convert_to_numpy,
    convert_to_tensor,
    mx_dtype,
)
from mini_keras.backends.mlx.math import _pair


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


# ---------------------------------------------------------------------------- bitwise


def bitwise_and(x, y):
    """Elementwise bitwise AND (no gradient)."""
    return mx.bitwise_and(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_or(x, y):
    """Elementwise bitwise OR (no gradient)."""
    return mx.bitwise_or(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_xor(x, y):
    """Elementwise bitwise XOR (no gradient)."""
    return mx.bitwise_xor(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_invert(x):
    """Elementwise bitwise NOT (bool: logical NOT; no gradient)."""
    x = convert_to_tensor(x)
    return mx.logical_not(x) if x.dtype == mx.bool_ else mx.bitwise_invert(x)


def bitwise_left_shift(x, y):
    """``x << y`` (no gradient)."""
    return mx.left_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_right_shift(x, y):
    """``x >> y`` (no gradient)."""
    return mx.right_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitcast(x, dtype):
    """Reinterpret the bytes of ``x`` as ``dtype`` (no gradient)."""
    x = mx.stop_gradient(convert_to_tensor(x))
    target = mx_dtype(dtype)
    shape = bitcast_shape(tuple(x.shape), x.dtype.size, target.size)
    return mx.view(mx.reshape(x, (-1,)), target).reshape(shape)
