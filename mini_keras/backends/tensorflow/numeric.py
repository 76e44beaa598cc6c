"""tensorflow backend, numpy-like math beyond math.py: trigonometric and hyperbolic functions,
trunc, isnan/isinf/isfinite, mod, floor_divide, and the scans and searches cumprod, nonzero,
searchsorted, the bitwise ops and bitcast."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor, promote, to_float

# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent."""
    return tf.tan(to_float(x))


def arcsin(x):
    """Inverse sine."""
    return tf.asin(to_float(x))


def arccos(x):
    """Inverse cosine."""
    return tf.acos(to_float(x))


def arctan(x):
    """Inverse tangent."""
    return tf.atan(to_float(x))


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``."""
    x1 = x1 if isinstance(x1, float) else to_float(x1)
    x2 = x2 if isinstance(x2, float) else to_float(x2)
    x1, x2 = promote(x1, x2)
    return tf.atan2(x1, x2)


def sinh(x):
    """Hyperbolic sine."""
    return tf.sinh(to_float(x))


def cosh(x):
    """Hyperbolic cosine."""
    return tf.cosh(to_float(x))


def arcsinh(x):
    """Inverse hyperbolic sine."""
    return tf.asinh(to_float(x))


def arccosh(x):
    """Inverse hyperbolic cosine."""
    return tf.acosh(to_float(x))


def arctanh(x):
    """Inverse hyperbolic tangent."""
    return tf.atanh(to_float(x))


def trunc(x):
    """Round toward zero (integers pass through; gradient zero)."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    return tf.stop_gradient(tf.where(x < 0, tf.math.ceil(x), tf.math.floor(x)))


def isnan(x):
    """Elementwise NaN test."""
    return tf.math.is_nan(to_float(x))


def isinf(x):
    """Elementwise infinity test."""
    return tf.math.is_inf(to_float(x))


def isfinite(x):
    """Elementwise finiteness test."""
    return tf.math.is_finite(to_float(x))


def _int_promote(x1, x2):
    x1, x2 = promote(x1, x2)
    if x1.dtype == tf.bool:
        x1, x2 = tf.cast(x1, tf.int32), tf.cast(x2, tf.int32)
    return x1, x2


def mod(x1, x2):
    """Floor remainder (sign of ``x2``)."""
    return tf.math.floormod(*_int_promote(x1, x2))


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    return tf.stop_gradient(tf.math.floordiv(*_int_promote(x1, x2)))


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (ints keep their dtype; bool -> int32)."""
    x = convert_to_tensor(x, dtype)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    if not x.dtype.is_floating:
        return tf.math.cumprod(x, axis=axis)
    return _cumprod_exact_grad(x, axis % x.shape.rank)


def _cumprod_exact_grad(x, axis):
    """tf's own cumprod gradient divides by ``x`` (NaN at zeros); this one is exact:
    d out_j / d x_i = prod_{k <= j, k != i} x_k for j >= i."""

    @tf.custom_gradient
    def forward(v):
        def backward(g):
            moved = tf.experimental.numpy.moveaxis(v, axis, -1)
            g_moved = tf.experimental.numpy.moveaxis(g, axis, -1)
            n = moved.shape[-1]
            eye = tf.eye(n, dtype=tf.bool)
            others = tf.where(eye, tf.ones([], v.dtype), moved[..., None, :])  # row i: x_i := 1
            partial = tf.math.cumprod(others, axis=-1)  # [..., i, j]
            upper = tf.linalg.band_part(tf.ones([n, n], v.dtype), 0, -1)  # j >= i
            grad = tf.reduce_sum(partial * upper * g_moved[..., None, :], axis=-1)
            return tf.experimental.numpy.moveaxis(grad, -1, axis)
        return tf.math.cumprod(v, axis=axis), backward
    return forward(x)


def nonzero(x):
    """Tuple of int32 index tensors of the non-zero entries (eager only)."""
    x = convert_to_tensor(x)
    where = tf.cast(tf.where(tf.not_equal(x, tf.zeros([], x.dtype))), tf.int32)
    return tuple(where[:, i] for i in range(x.shape.rank))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices into the sorted 1-D sequence."""
    sequence, values = promote(sorted_sequence, values)
    flat = tf.searchsorted(sequence, tf.reshape(values, [-1]), side=side, out_type=tf.int32)
    return tf.reshape(flat, tf.shape(values))


# ---------------------------------------------------------------------------- bitwise
# tf.bitwise takes integers only: bool operands use the logical ops (numpy's meaning).


def bitwise_and(x, y):
    """Elementwise bitwise AND (no gradient)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    return tf.logical_and(x, y) if x.dtype == tf.bool else tf.bitwise.bitwise_and(x, y)


def bitwise_or(x, y):
    """Elementwise bitwise OR (no gradient)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    return tf.logical_or(x, y) if x.dtype == tf.bool else tf.bitwise.bitwise_or(x, y)


def bitwise_xor(x, y):
    """Elementwise bitwise XOR (no gradient)."""
    x, y = convert_to_tensor(x), convert_to_tensor(y)
    return tf.math.logical_xor(x, y) if x.dtype == tf.bool else tf.bitwise.bitwise_xor(x, y)


def bitwise_invert(x):
    """Elementwise bitwise NOT (no gradient)."""
    x = convert_to_tensor(x)
    return tf.logical_not(x) if x.dtype == tf.bool else tf.bitwise.invert(x)


def bitwise_left_shift(x, y):
    """``x << y`` (no gradient)."""
    return tf.bitwise.left_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitwise_right_shift(x, y):
    """``x >> y`` (no gradient)."""
    return tf.bitwise.right_shift(convert_to_tensor(x), convert_to_tensor(y))


def bitcast(x, dtype):
    """Reinterpret the bytes of ``x`` as ``dtype`` (no gradient)."""
    return tf.bitcast(tf.stop_gradient(convert_to_tensor(x)), tf.as_dtype(dtype))
