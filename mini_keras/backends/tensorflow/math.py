"""TensorFlow backend: elementwise math, comparisons, logic and reductions (numpy semantics)."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import (
    convert_to_tensor,
    normalize_axis,
    promote,
    to_float,
)
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- elementwise


def add(x1, x2):
    """``x1 + x2`` with broadcasting (bool + bool is logical or, as in numpy)."""
    x1, x2 = promote(x1, x2)
    if x1.dtype == tf.bool:
        return tf.logical_or(x1, x2)
    return tf.add(x1, x2)


def subtract(x1, x2):
    """``x1 - x2`` with broadcasting."""
    x1, x2 = promote(x1, x2)
    return tf.subtract(x1, x2)


def multiply(x1, x2):
    """``x1 * x2`` with broadcasting."""
    x1, x2 = promote(x1, x2)
    return tf.multiply(x1, x2)


def divide(x1, x2):
    """True division ``x1 / x2`` (ints give floatx)."""
    x1, x2 = promote(x1, x2)
    if not x1.dtype.is_floating:
        x1, x2 = tf.cast(x1, config.floatx()), tf.cast(x2, config.floatx())
    return tf.divide(x1, x2)


def power(x1, x2):
    """``x1 ** x2`` with broadcasting."""
    x1, x2 = promote(x1, x2)
    return tf.pow(x1, x2)


def maximum(x1, x2):
    """Elementwise maximum (tf's gradient goes to ``x1`` on ties)."""
    x1, x2 = promote(x1, x2)
    return tf.maximum(x1, x2)


def minimum(x1, x2):
    """Elementwise minimum (tf's gradient goes to ``x1`` on ties)."""
    x1, x2 = promote(x1, x2)
    return tf.minimum(x1, x2)


def negative(x):
    """``-x``."""
    return tf.negative(convert_to_tensor(x))


def abs(x):
    """``|x|``."""
    return tf.abs(convert_to_tensor(x))


def sign(x):
    """Sign of ``x``."""
    return tf.sign(convert_to_tensor(x))


def exp(x):
    """``e ** x``."""
    return tf.exp(to_float(x))


def log(x):
    """Natural logarithm."""
    return tf.math.log(to_float(x))


def log1p(x):
    """``log(1 + x)``."""
    return tf.math.log1p(to_float(x))


def expm1(x):
    """``exp(x) - 1``."""
    return tf.math.expm1(to_float(x))


def sqrt(x):
    """Square root."""
    return tf.sqrt(to_float(x))


def square(x):
    """``x * x``."""
    return tf.square(convert_to_tensor(x))


def sin(x):
    """Sine."""
    return tf.sin(to_float(x))


def cos(x):
    """Cosine."""
    return tf.cos(to_float(x))


def tanh(x):
    """Hyperbolic tangent."""
    return tf.tanh(to_float(x))


def floor(x):
    """Round down."""
    return tf.floor(to_float(x))


def ceil(x):
    """Round up."""
    return tf.math.ceil(to_float(x))


def round(x):
    """Round half to even."""
    x = convert_to_tensor(x)
    return x if x.dtype.is_integer else tf.round(x)


def erf(x):
    """Gauss error function."""
    return tf.math.erf(to_float(x))


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` else ``x2`` (broadcasting)."""
    condition = tf.cast(convert_to_tensor(condition), tf.bool)
    x1, x2 = promote(x1, x2)
    return tf.where(condition, x1, x2)


def clip(x, x_min, x_max):
    """Clip to ``[x_min, x_max]``."""
    x, x_min, x_max = promote(x, x_min, x_max)
    return tf.clip_by_value(x, x_min, x_max)


# ---------------------------------------------------------------------------- comparison & logic

def equal(x1, x2):
    """``x1 == x2``."""
    return tf.equal(*promote(x1, x2))


def not_equal(x1, x2):
    """``x1 != x2``."""
    return tf.not_equal(*promote(x1, x2))


def greater(x1, x2):
    """``x1 > x2``."""
    return tf.greater(*promote(x1, x2))


def greater_equal(x1, x2):
    """``x1 >= x2``."""
    return tf.greater_equal(*promote(x1, x2))


def less(x1, x2):
    """``x1 < x2``."""
    return tf.less(*promote(x1, x2))


def less_equal(x1, x2):
    """``x1 <= x2``."""
    return tf.less_equal(*promote(x1, x2))


def _bool(x):
    return tf.cast(convert_to_tensor(x), tf.bool)


def logical_and(x1, x2):
    """Elementwise AND."""
    return tf.logical_and(_bool(x1), _bool(x2))


def logical_or(x1, x2):
    """Elementwise OR."""
    return tf.logical_or(_bool(x1), _bool(x2))


def logical_not(x):
    """Elementwise NOT."""
    return tf.logical_not(_bool(x))


# ---------------------------------------------------------------------------- reductions

def _summable(x):
    x = convert_to_tensor(x)
    return tf.cast(x, tf.int32) if x.dtype == tf.bool else x


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (bools count as int32)."""
    return tf.reduce_sum(_summable(x), axis=normalize_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (ints give floatx)."""
    return tf.reduce_mean(to_float(x), axis=normalize_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (tied maxima share the gradient equally)."""
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        return tf.reduce_any(x, axis=normalize_axis(axis), keepdims=keepdims)
    return tf.reduce_max(x, axis=normalize_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        return tf.reduce_all(x, axis=normalize_axis(axis), keepdims=keepdims)
    return tf.reduce_min(x, axis=normalize_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``."""
    return tf.reduce_prod(_summable(x), axis=normalize_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    return tf.math.reduce_variance(to_float(x), axis=normalize_axis(axis), keepdims=keepdims)


def _arg_extreme(x, axis, keepdims, reduce):
    """First index of the extreme value (explicit, since tf.argmax leaves ties unspecified)."""
    x = convert_to_tensor(x)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    if axis is None:
        out = _arg_extreme(tf.reshape(x, [-1]), 0, False, reduce)
        return tf.reshape(out, [1] * x.shape.rank) if keepdims else out
    axis = axis % x.shape.rank
    extreme = reduce(x, axis=axis, keepdims=True)
    hit = tf.equal(x, extreme)
    if x.dtype.is_floating:
        hit = tf.logical_or(hit, tf.math.is_nan(x))
    size = tf.shape(x)[axis]
    positions = tf.reshape(tf.range(size), [-1] + [1] * (x.shape.rank - axis - 1))
    candidates = tf.where(hit, positions, size)
    return tf.reduce_min(candidates, axis=axis, keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32; first on ties)."""
    return _arg_extreme(x, axis, keepdims, tf.reduce_max)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32; first on ties)."""
    return _arg_extreme(x, axis, keepdims, tf.reduce_min)


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis``."""
    return tf.reduce_any(_bool(x), axis=normalize_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis``."""
    return tf.reduce_all(_bool(x), axis=normalize_axis(axis), keepdims=keepdims)


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None)."""
    x = _summable(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    return tf.cumsum(x, axis=axis)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably."""
    return tf.reduce_logsumexp(to_float(x), axis=normalize_axis(axis), keepdims=keepdims)

