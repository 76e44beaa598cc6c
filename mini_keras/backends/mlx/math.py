"""MLX backend: elementwise math, comparisons, logic and reductions (numpy semantics)."""

from __future__ import annotations

import mlx.core as mx

from mini_keras.backends.mlx.core import convert_to_tensor, is_tensor


def _axis(axis):
    """Accept lists as well as ints/tuples/None for ``axis``."""
    return tuple(axis) if isinstance(axis, list) else axis


def _pair(x1, x2):
    """Convert both operands, leaving Python scalars weakly typed (float32 stays float32)."""
    scalar = (int, float, bool)
    x1 = x1 if isinstance(x1, scalar) else convert_to_tensor(x1)
    x2 = x2 if isinstance(x2, scalar) else convert_to_tensor(x2)
    return x1, x2


def _isnan(x):
    """``isnan`` that is all-False for integer and bool inputs."""
    return mx.isnan(x) if is_tensor(x) and mx.issubdtype(x.dtype, mx.inexact) else False


# ---------------------------------------------------------------------------- elementwise


def add(x1, x2):
    """``x1 + x2`` with broadcasting."""
    return mx.add(*_pair(x1, x2))


def subtract(x1, x2):
    """``x1 - x2`` with broadcasting."""
    return mx.subtract(*_pair(x1, x2))


def multiply(x1, x2):
    """``x1 * x2`` with broadcasting."""
    return mx.multiply(*_pair(x1, x2))


def divide(x1, x2):
    """True division ``x1 / x2`` with broadcasting."""
    return mx.divide(*_pair(x1, x2))


def power(x1, x2):
    """``x1 ** x2`` with broadcasting."""
    return mx.power(*_pair(x1, x2))


def maximum(x1, x2):
    """Elementwise maximum (gradient to the larger input; ties to ``x1``; NaN propagates)."""
    x1, x2 = _pair(x1, x2)
    return mx.where((x1 >= x2) | _isnan(x1), x1, x2)


def minimum(x1, x2):
    """Elementwise minimum (gradient to the smaller input; ties to ``x1``; NaN propagates)."""
    x1, x2 = _pair(x1, x2)
    return mx.where((x1 <= x2) | _isnan(x1), x1, x2)


def negative(x):
    """``-x``."""
    return mx.negative(convert_to_tensor(x))


def abs(x):
    """``|x|`` (gradient ``sign(x)``, so 0 at 0)."""
    x = convert_to_tensor(x)
    return mx.abs(x)


def sign(x):
    """Sign of ``x`` (-1, 0, 1); gradient zero."""
    return mx.sign(convert_to_tensor(x))


def exp(x):
    """``e ** x``."""
    return mx.exp(convert_to_tensor(x))


def log(x):
    """Natural logarithm."""
    return mx.log(convert_to_tensor(x))


def log1p(x):
    """``log(1 + x)``."""
    return mx.log1p(convert_to_tensor(x))


def expm1(x):
    """``exp(x) - 1``."""
    return mx.expm1(convert_to_tensor(x))


def sqrt(x):
    """Square root."""
    return mx.sqrt(convert_to_tensor(x))


def square(x):
    """``x * x``."""
    return mx.square(convert_to_tensor(x))


def sin(x):
    """Sine."""
    return mx.sin(convert_to_tensor(x))


def cos(x):
    """Cosine."""
    return mx.cos(convert_to_tensor(x))


def tanh(x):
    """Hyperbolic tangent."""
    return mx.tanh(convert_to_tensor(x))


def floor(x):
    """Round down (gradient zero)."""
    return mx.floor(convert_to_tensor(x))


def ceil(x):
    """Round up (gradient zero)."""
    return mx.ceil(convert_to_tensor(x))


def round(x):
    """Round half to even (gradient zero)."""
    return mx.round(convert_to_tensor(x))


def erf(x):
    """Gauss error function."""
    return mx.erf(convert_to_tensor(x))


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` else ``x2`` (broadcasting)."""
    x1, x2 = _pair(x1, x2)
    return mx.where(convert_to_tensor(condition), x1, x2)


def clip(x, x_min, x_max):
    """Clip values to ``[x_min, x_max]`` (gradient 1 inside, 0 outside)."""
    return mx.clip(convert_to_tensor(x), x_min, x_max)


# ---------------------------------------------------------------------------- comparison & logic


def equal(x1, x2):
    """``x1 == x2`` as bool."""
    return mx.equal(*_pair(x1, x2))


def not_equal(x1, x2):
    """``x1 != x2`` as bool."""
    return mx.not_equal(*_pair(x1, x2))


def greater(x1, x2):
    """``x1 > x2`` as bool."""
    return mx.greater(*_pair(x1, x2))


def greater_equal(x1, x2):
    """``x1 >= x2`` as bool."""
    return mx.greater_equal(*_pair(x1, x2))


def less(x1, x2):
    """``x1 < x2`` as bool."""
    return mx.less(*_pair(x1, x2))


def less_equal(x1, x2):
    """``x1 <= x2`` as bool."""
    return mx.less_equal(*_pair(x1, x2))


def logical_and(x1, x2):
    """Elementwise AND."""
    return mx.logical_and(*_pair(x1, x2))


def logical_or(x1, x2):
    """Elementwise OR."""
    return mx.logical_or(*_pair(x1, x2))


def logical_not(x):
    """Elementwise NOT."""
    return mx.logical_not(convert_to_tensor(x))


# ---------------------------------------------------------------------------- reductions


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis``."""
    return mx.sum(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (float result)."""
    return mx.mean(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (gradient shared equally between tied maxima)."""
    return mx.max(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    return mx.min(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``."""
    return mx.prod(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    return mx.var(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32; first on ties)."""
    return mx.argmax(convert_to_tensor(x), axis=axis, keepdims=keepdims).astype(mx.int32)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32; first on ties)."""
    return mx.argmin(convert_to_tensor(x), axis=axis, keepdims=keepdims).astype(mx.int32)


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis``."""
    return mx.any(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis``."""
    return mx.all(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None)."""
    return mx.cumsum(convert_to_tensor(x), axis=axis)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably."""
    return mx.logsumexp(convert_to_tensor(x), axis=_axis(axis), keepdims=keepdims)
