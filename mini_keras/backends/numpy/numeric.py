"""numpy backend, numpy-like math beyond math.py: trigonometric and hyperbolic functions, trunc,
isnan/isinf/isfinite, mod, floor_divide, and the scans and searches cumprod, nonzero,
searchsorted, the bitwise ops and bitcast."""

from __future__ import annotations

import numpy as np

from mini_keras.backends.bitcast_support import bitcast_shape
from mini_keras.backends.numpy.autodiff import data, record
from mini_keras.backends.numpy.core import as_input, cast, floatx_dtype, np_dtype, operands


def _float(x):
    """``x`` as an input whose data is floating point (ints/bools become floatx)."""
    x = as_input(x)
    if _is_float(data(x)):
        return x
    return cast(x, floatx_dtype().name)


def _is_float(a) -> bool:
    return a.dtype.kind in "fc" or a.dtype.name == "bfloat16"


def _promoted(out, *operands_data):
    """numpy computes some ufuncs on bfloat16 in float32: give back the operands' dtype."""
    arrays = [a for a in operands_data if isinstance(a, np.ndarray)]
    return np.asarray(out).astype(np.result_type(*arrays), copy=False) if arrays else out


def _float_unary(x, fn, derivative):
    """Record ``fn(x)`` for float-only math; ``derivative(a, out)`` is d(out)/d(x)."""
    x = _float(x)
    a = data(x)
    out = np.asarray(fn(a)).astype(a.dtype, copy=False)

    def backward(g):
        return (g * derivative(a, out),)
    return record(out, (x,), backward)


# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent (gradient ``1 + tan(x)**2``)."""
    return _float_unary(x, np.tan, lambda a, out: 1 + out * out)


def arcsin(x):
    """Inverse sine (gradient ``1 / sqrt(1 - x**2)``)."""
    return _float_unary(x, np.arcsin, lambda a, out: 1 / np.sqrt(1 - a * a))


def arccos(x):
    """Inverse cosine (gradient ``-1 / sqrt(1 - x**2)``)."""
    return _float_unary(x, np.arccos, lambda a, out: -1 / np.sqrt(1 - a * a))


def arctan(x):
    """Inverse tangent (gradient ``1 / (1 + x**2)``)."""
    return _float_unary(x, np.arctan, lambda a, out: 1 / (1 + a * a))


def arctan2(x1, x2):
    """Angle of ``(x2, x1)``: d/dx1 = x2 / r², d/dx2 = -x1 / r²."""
    x1, x2 = operands(_float(x1) if not isinstance(x1, float) else x1,
                      _float(x2) if not isinstance(x2, float) else x2)
    a, b = data(x1), data(x2)
    out = _promoted(np.arctan2(a, b), a, b)

    def backward(g):
        r2 = a * a + b * b
        return g * b / r2, -g * a / r2
    return record(out, (x1, x2), backward)


def sinh(x):
    """Hyperbolic sine (gradient ``cosh``)."""
    return _float_unary(x, np.sinh, lambda a, out: np.cosh(a))


def cosh(x):
    """Hyperbolic cosine (gradient ``sinh``)."""
    return _float_unary(x, np.cosh, lambda a, out: np.sinh(a))


def arcsinh(x):
    """Inverse hyperbolic sine (gradient ``1 / sqrt(x**2 + 1)``)."""
    return _float_unary(x, np.arcsinh, lambda a, out: 1 / np.sqrt(a * a + 1))


def arccosh(x):
    """Inverse hyperbolic cosine (gradient ``1 / sqrt(x**2 - 1)``)."""
    return _float_unary(x, np.arccosh, lambda a, out: 1 / np.sqrt(a * a - 1))


def arctanh(x):
    """Inverse hyperbolic tangent (gradient ``1 / (1 - x**2)``)."""
    return _float_unary(x, np.arctanh, lambda a, out: 1 / (1 - a * a))


def trunc(x):
    """Round toward zero (integers pass through; gradient zero)."""
    x = as_input(x)
    a = data(x)
    if not _is_float(a):
        return a

    def backward(g):
        return (np.zeros_like(g),)
    return record(_promoted(np.trunc(a), a), (x,), backward)


def isnan(x):
    """Elementwise NaN test (bool)."""
    return np.isnan(data(_float(x)))


def isinf(x):
    """Elementwise infinity test (bool)."""
    return np.isinf(data(_float(x)))


def isfinite(x):
    """Elementwise finiteness test (bool)."""
    return np.isfinite(data(_float(x)))


def _int_operands(x1, x2):
    """Elementwise operands with bools promoted to int32."""
    x1, x2 = operands(x1, x2)
    return [cast(x, "int32") if np.asarray(data(x)).dtype == bool and not isinstance(x, bool)
            else x for x in (x1, x2)]


def mod(x1, x2):
    """Floor remainder (sign of ``x2``): d/dx1 = 1, d/dx2 = -floor(x1 / x2)."""
    x1, x2 = _int_operands(x1, x2)
    a, b = data(x1), data(x2)
    out = _promoted(np.mod(a, b), a, b)

    def backward(g):
        return g, -g * np.floor_divide(a, b)
    return record(out, (x1, x2), backward)


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    x1, x2 = _int_operands(x1, x2)
    out = _promoted(np.floor_divide(data(x1), data(x2)), data(x1), data(x2))

    def backward(g):
        return np.zeros_like(g), np.zeros_like(g)
    return record(out, (x1, x2), backward)


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product; the gradient is exact even when ``x`` holds zeros."""
    x = as_input(x)
    if dtype is not None or data(x).dtype == bool:
            x = cast(x, "int32" if dtype is None else dtype)
    a = data(x)
    flat = axis is None
    along = 0 if flat else int(axis) % a.ndim
    source = a.reshape(-1) if flat else a
    out = np.cumprod(source, axis=along).astype(a.dtype, copy=False)

    def backward(g):
        moved_a, moved_g = np.moveaxis(source, along, -1), np.moveaxis(g, along, -1)
        n = moved_a.shape[-1]
        grad = np.zeros_like(moved_a)
        for i in range(n):  # d out_j / d a_i = prod_{k <= j, k != i} a_k for j >= i
            others = moved_a.copy()
            others[..., i] = 1
            partial = np.cumprod(others, axis=-1)[..., i:]
            grad[..., i] = np.sum(moved_g[..., i:] * partial, axis=-1)
        return (np.moveaxis(grad, -1, along).reshape(a.shape),)
    return record(out, (x,), backward)


def nonzero(x):
    """Tuple of int32 index arrays of the non-zero entries."""
    return tuple(i.astype(np.int32) for i in np.nonzero(data(as_input(x))))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices of ``values`` into the sorted 1-D sequence."""
    sequence, values = data(as_input(sorted_sequence)), data(as_input(values))
    return np.asarray(np.searchsorted(sequence, values, side=side)).astype(np.int32)


# ---------------------------------------------------------------------------- bitwise


def bitwise_and(x, y):
    """Elementwise bitwise AND (no gradient)."""
    return np.bitwise_and(np.asarray(data(x)), np.asarray(data(y)))


def bitwise_or(x, y):
    """Elementwise bitwise OR (no gradient)."""
    return np.bitwise_or(np.asarray(data(x)), np.asarray(data(y)))


def bitwise_xor(x, y):
    """Elementwise bitwise XOR (no gradient)."""
    return np.bitwise_xor(np.asarray(data(x)), np.asarray(data(y)))


def bitwise_invert(x):
    """Elementwise bitwise NOT (no gradient)."""
    return np.invert(np.asarray(data(x)))


def bitwise_left_shift(x, y):
    """``x << y`` (no gradient)."""
    return np.left_shift(np.asarray(data(x)), np.asarray(data(y)))


def bitwise_right_shift(x, y):
    """``x >> y`` (no gradient)."""
    return np.right_shift(np.asarray(data(x)), np.asarray(data(y)))


def bitcast(x, dtype):
    """Reinterpret the bytes of ``x`` as ``dtype`` (no gradient)."""
    a = np.ascontiguousarray(np.asarray(data(x)))
    target = np_dtype(dtype)
    shape = bitcast_shape(a.shape, a.dtype.itemsize, target.itemsize)
    return a.reshape(-1).view(target).reshape(shape)
