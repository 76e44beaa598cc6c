"""torch backend, numpy-like math beyond math.py: trigonometric and hyperbolic functions, trunc,
isnan/isinf/isfinite, mod, floor_divide, and the scans and searches cumprod, nonzero,
searchsorted, the bitwise ops and bitcast."""

from __future__ import annotations

import torch

from mini_keras.backends.bitcast_support import bitcast_shape
from mini_keras.backends.torch.core import convert_to_tensor, to_torch_dtype
from mini_keras.backends.torch.math import _as_float, operands

# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent."""
    return torch.tan(_as_float(x))


def arcsin(x):
    """Inverse sine."""
    return torch.asin(_as_float(x))


def arccos(x):
    """Inverse cosine."""
    return torch.acos(_as_float(x))


def arctan(x):
    """Inverse tangent."""
    return torch.atan(_as_float(x))


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``."""
    x1 = x1 if isinstance(x1, float) else _as_float(x1)
    x2 = x2 if isinstance(x2, float) else _as_float(x2)
    x1, x2 = operands(x1, x2)
    x1, x2 = (torch.full_like(x2, x1) if isinstance(x1, float) else x1,
              torch.full_like(x1, x2) if isinstance(x2, float) else x2)
    common = torch.promote_types(x1.dtype, x2.dtype)
    return torch.atan2(x1.to(common), x2.to(common))


def sinh(x):
    """Hyperbolic sine."""
    return torch.sinh(_as_float(x))


def cosh(x):
    """Hyperbolic cosine."""
    return torch.cosh(_as_float(x))


def arcsinh(x):
    """Inverse hyperbolic sine."""
    return torch.asinh(_as_float(x))


def arccosh(x):
    """Inverse hyperbolic cosine."""
    return torch.acosh(_as_float(x))


def arctanh(x):
    """Inverse hyperbolic tangent."""
    return torch.atanh(_as_float(x))


def trunc(x):
    """Round toward zero (integers pass through)."""
    x = convert_to_tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


def isnan(x):
    """Elementwise NaN test."""
    return torch.isnan(convert_to_tensor(x))


def isinf(x):
    """Elementwise infinity test."""
    return torch.isinf(convert_to_tensor(x))


def isfinite(x):
    """Elementwise finiteness test."""
    return torch.isfinite(convert_to_tensor(x))


def _int_operands(x1, x2):
    x1, x2 = operands(x1, x2)
    return [x.to(torch.int32) if isinstance(x, torch.Tensor) and x.dtype == torch.bool else x
            for x in (x1, x2)]


def mod(x1, x2):
    """Floor remainder (sign of ``x2``)."""
    x1, x2 = _int_operands(x1, x2)
    if not isinstance(x1, torch.Tensor):
        x1 = torch.full_like(x2, x1)
    return torch.remainder(x1, x2)


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    x1, x2 = _int_operands(x1, x2)
    if not isinstance(x1, torch.Tensor):
        x1 = torch.full_like(x2, x1)
    out = torch.div(x1, x2, rounding_mode="floor")
    return out.detach() if out.is_floating_point() else out  # zero gradient, as a.e.


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (ints keep their dtype; bool -> int32)."""
    x = convert_to_tensor(x)
    if dtype is not None:
        x = x.to(to_torch_dtype(dtype))
    elif x.dtype == torch.bool:
        x = x.to(torch.int32)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumprod(x, dim=int(axis), dtype=x.dtype)


def nonzero(x):
    """Tuple of int32 index tensors of the non-zero entries."""
    return tuple(i.to(torch.int32) for i in torch.nonzero(convert_to_tensor(x), as_tuple=True))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices into the sorted 1-D sequence."""
    sequence, values = convert_to_tensor(sorted_sequence), convert_to_tensor(values)
    common = torch.promote_types(sequence.dtype, values.dtype)
    out = torch.searchsorted(sequence.to(common), values.to(common).reshape(-1), side=side,
                             out_int32=True)
    return out.reshape(values.shape)


# ---------------------------------------------------------------------------- bitwise


def bitwise_and(x, y):
    """Elementwise bitwise AND (no gradient)."""
    return torch.bitwise_and(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_or(x, y):
    """Elementwise bitwise OR (no gradient)."""
    return torch.bitwise_or(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_xor(x, y):
    """Elementwise bitwise XOR (no gradient)."""
    return torch.bitwise_xor(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_invert(x):
    """Elementwise bitwise NOT (no gradient)."""
    return torch.bitwise_not(convert_to_tensor(x))


def bitwise_left_shift(x, y):
    """``x << y`` (no gradient)."""
    return torch.bitwise_left_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_right_shift(x, y):
    """``x >> y`` (no gradient)."""
    return torch.bitwise_right_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitcast(x, dtype):
    """Reinterpret the bytes of ``x`` as ``dtype`` (no gradient)."""
    x = convert_to_tensor(x).detach().contiguous()
    target = to_torch_dtype(dtype)
    shape = bitcast_shape(tuple(x.shape), x.element_size(), target.itemsize)
    return x.reshape(-1).view(target).reshape(shape)
