"""numpy backend: elementwise math, comparisons, logic and reductions, each with its gradient.

Every differentiable op computes its forward on ndarrays and returns
``record(out, inputs, backward)`` with the ``backward(g)`` rule written right under it.
"""

from __future__ import annotations

import math as _math

import numpy as np

from mini_keras.backends.numpy.autodiff import Tensor, data, record
from mini_keras.backends.numpy.core import as_input, floatx_dtype, operands


def _erf(a):
    """scipy's erf when installed (imported on first use: it costs ~0.5 s), else the stdlib's."""
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:  # scipy is optional: fall back to the (slower) standard library
        return np.vectorize(_math.erf, otypes=[np.float64])(a)
    return scipy_erf(a)


def _unary(x, fn, derivative):
    """Record ``fn(x)``; ``derivative(a, out)`` is d(out)/d(x) evaluated elementwise."""
    x = as_input(x)
    a = data(x)
    out = np.asarray(fn(a))

    def backward(g):
        return (g * derivative(a, out),)
    return record(out, (x,), backward)


def _zero_grad(a, out):
    return np.zeros_like(a)


# ---------------------------------------------------------------------------- elementwise


def add(x1, x2):
    """``x1 + x2`` with broadcasting."""
    x1, x2 = operands(x1, x2)
    out = np.add(data(x1), data(x2))

    def backward(g):
        return g, g
    return record(out, (x1, x2), backward)


def subtract(x1, x2):
    """``x1 - x2`` with broadcasting."""
    x1, x2 = operands(x1, x2)
    out = np.subtract(data(x1), data(x2))

    def backward(g):
        return g, -g
    return record(out, (x1, x2), backward)


def multiply(x1, x2):
    """``x1 * x2`` with broadcasting."""
    x1, x2 = operands(x1, x2)
    a, b = data(x1), data(x2)
    out = np.multiply(a, b)

    def backward(g):
        return g * b, g * a
    return record(out, (x1, x2), backward)


def divide(x1, x2):
    """True division ``x1 / x2`` (integer inputs give floatx)."""
    x1, x2 = operands(x1, x2)
    a, b = data(x1), data(x2)
    out = np.true_divide(a, b)
    if np.result_type(a, b).kind not in "fc":
        out = out.astype(floatx_dtype())

    def backward(g):
        return g / b, -g * out / b
    return record(out, (x1, x2), backward)


def power(x1, x2):
    """``x1 ** x2`` with broadcasting."""
    x1, x2 = operands(x1, x2)
    a, b = data(x1), data(x2)
    out = np.power(a, b)

    def backward(g):
        ga = g * b * np.power(a, b - 1)
        if not isinstance(x2, Tensor):  # constant exponent: skip the log
            return ga, None
        safe_log = np.log(np.where(a > 0, a, 1))
        return ga, g * out * safe_log
    return record(out, (x1, x2), backward)


def maximum(x1, x2):
    """Elementwise maximum (gradient to the larger input; ties to ``x1``)."""
    x1, x2 = operands(x1, x2)
    a, b = data(x1), data(x2)
    out = np.maximum(a, b)

    def backward(g):
        first = a >= b
        return g * first, g * ~first
    return record(out, (x1, x2), backward)


def minimum(x1, x2):
    """Elementwise minimum (gradient to the smaller input; ties to ``x1``)."""
    x1, x2 = operands(x1, x2)
    a, b = data(x1), data(x2)
    out = np.minimum(a, b)

    def backward(g):
        first = a <= b
        return g * first, g * ~first
    return record(out, (x1, x2), backward)


def negative(x):
    """``-x``."""
    return _unary(x, np.negative, lambda a, out: -1)


def abs(x):
    """``|x|`` (gradient ``sign(x)``)."""
    return _unary(x, np.abs, lambda a, out: np.sign(a))


def sign(x):
    """Sign of ``x``; its derivative is zero almost everywhere."""
    return _unary(x, np.sign, _zero_grad)


def exp(x):
    """``e ** x``."""
    return _unary(x, np.exp, lambda a, out: out)


def log(x):
    """Natural logarithm."""
    return _unary(x, np.log, lambda a, out: 1 / a)


def log1p(x):
    """``log(1 + x)``."""
    return _unary(x, np.log1p, lambda a, out: 1 / (1 + a))


def expm1(x):
    """``exp(x) - 1``."""
    return _unary(x, np.expm1, lambda a, out: out + 1)


def sqrt(x):
    """Square root."""
    return _unary(x, np.sqrt, lambda a, out: 0.5 / out)


def square(x):
    """``x * x``."""
    return _unary(x, np.square, lambda a, out: 2 * a)


def sin(x):
    """Sine."""
    return _unary(x, np.sin, lambda a, out: np.cos(a))


def cos(x):
    """Cosine."""
    return _unary(x, np.cos, lambda a, out: -np.sin(a))


def tanh(x):
    """Hyperbolic tangent."""
    return _unary(x, np.tanh, lambda a, out: 1 - out * out)


def floor(x):
    """Round down (zero gradient)."""
    return _unary(x, np.floor, _zero_grad)


def ceil(x):
    """Round up (zero gradient)."""
    return _unary(x, np.ceil, _zero_grad)


def round(x):
    """Round half to even (zero gradient)."""
    return _unary(x, np.round, _zero_grad)


def erf(x):
    """Gauss error function (gradient ``2/sqrt(pi) * exp(-x**2)``)."""
    x = as_input(x)
    a = data(x)
    a = a if a.dtype.kind in "fc" else a.astype(floatx_dtype())
    out = np.asarray(_erf(a)).astype(a.dtype, copy=False)

    def backward(g):
        return (g * (2 / np.sqrt(np.pi)) * np.exp(-a * a),)
    return record(out, (x,), backward)


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` else ``x2`` (broadcasting)."""
    cond = np.asarray(data(as_input(condition))).astype(bool)
    x1, x2 = operands(x1, x2)
    out = np.where(cond, data(x1), data(x2))

    def backward(g):
        return np.where(cond, g, 0), np.where(cond, 0, g)
    return record(out, (x1, x2), backward)


def clip(x, x_min, x_max):
    """Clip to ``[x_min, x_max]`` (gradient 1 inside, 0 outside; the bounds get the rest)."""
    x, lo, hi = operands(x, x_min, x_max)
    a, low, high = data(x), data(lo), data(hi)
    out = np.clip(a, low, high)

    def backward(g):
        below, above = a < low, a > high
        return g * ~(below | above), g * below, g * above
    return record(out, (x, lo, hi), backward)


# ---------------------------------------------------------------------------- comparison & logic
# Boolean results carry no gradient: they are returned as bare arrays.


def _compare(fn, x1, x2):
    x1, x2 = operands(x1, x2)
    return np.asarray(fn(data(x1), data(x2)))


def equal(x1, x2):
    """``x1 == x2`` as bool."""
    return _compare(np.equal, x1, x2)


def not_equal(x1, x2):
    """``x1 != x2`` as bool."""
    return _compare(np.not_equal, x1, x2)


def greater(x1, x2):
    """``x1 > x2`` as bool."""
    return _compare(np.greater, x1, x2)


def greater_equal(x1, x2):
    """``x1 >= x2`` as bool."""
    return _compare(np.greater_equal, x1, x2)


def less(x1, x2):
    """``x1 < x2`` as bool."""
    return _compare(np.less, x1, x2)


def less_equal(x1, x2):
    """``x1 <= x2`` as bool."""
    return _compare(np.less_equal, x1, x2)


def logical_and(x1, x2):
    """Elementwise AND."""
    return _compare(np.logical_and, x1, x2)


def logical_or(x1, x2):
    """Elementwise OR."""
    return _compare(np.logical_or, x1, x2)


def logical_not(x):
    """Elementwise NOT."""
    return np.logical_not(data(as_input(x)))


# ---------------------------------------------------------------------------- reductions


def _axes(axis, ndim):
    """Normalise ``axis`` to a sorted tuple of non-negative ints (all axes when None)."""
    if axis is None:
        return tuple(range(ndim))
    axis = (axis,) if isinstance(axis, (int, np.integer)) else axis
    return tuple(sorted(int(a) % ndim for a in axis)) if ndim else ()


def _expand(g, shape, axis, keepdims):
    """Re-insert reduced axes into ``g`` so it broadcasts against the input ``shape``."""
    if not keepdims:
        g = np.expand_dims(g, _axes(axis, len(shape)))
    return g


def _int_keep(a):
    """numpy sums int32 into int64; keep the input's integer dtype (bool counts as int32)."""
    if a.dtype == bool:
        return np.int32
    return a.dtype if a.dtype.kind in "iu" else None


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis``."""
    x = as_input(x)
    a = data(x)
    out = np.asarray(np.sum(a, axis=_axes(axis, a.ndim), keepdims=keepdims, dtype=_int_keep(a)))

    def backward(g):
        return (np.broadcast_to(_expand(g, a.shape, axis, keepdims), a.shape),)
    return record(out, (x,), backward)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (integer inputs give floatx)."""
    x = as_input(x)
    a = data(x)
    axes = _axes(axis, a.ndim)
    count = int(np.prod([a.shape[i] for i in axes]))
    out = np.asarray(np.mean(a, axis=axes, keepdims=keepdims,
                             dtype=None if a.dtype.kind in "fc" else floatx_dtype()))

    def backward(g):
        return (np.broadcast_to(_expand(g, a.shape, axis, keepdims) / count, a.shape),)
    return record(out, (x,), backward)


def _extremum(x, axis, keepdims, fn):
    """max/min: the gradient is shared equally by all entries equal to the extremum."""
    x = as_input(x)
    a = data(x)
    axes = _axes(axis, a.ndim)
    kept = fn(a, axis=axes, keepdims=True)
    out = np.asarray(kept if keepdims else kept.reshape(np.delete(a.shape, axes)))

    def backward(g):
        hits = a == kept
        return (_expand(g, a.shape, axis, keepdims) * hits / hits.sum(axes, keepdims=True),)
    return record(out, (x,), backward)


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (ties share the gradient equally)."""
    return _extremum(x, axis, keepdims, np.max)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (ties share the gradient equally)."""
    return _extremum(x, axis, keepdims, np.min)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis`` (exact gradient even with zeros: product of the others)."""
    x = as_input(x)
    a = data(x)
    axes = _axes(axis, a.ndim)
    out = np.asarray(np.prod(a, axis=axes, keepdims=keepdims, dtype=_int_keep(a)))

    def backward(g):
        rest = [i for i in range(a.ndim) if i not in axes]
        order = rest + list(axes)
        moved = np.transpose(a, order).reshape([a.shape[i] for i in rest] + [-1])
        ones = np.ones_like(moved[..., :1])
        before = np.cumprod(np.concatenate([ones, moved[..., :-1]], -1), -1)
        after = np.flip(np.cumprod(np.concatenate([ones, np.flip(moved, -1)[..., :-1]], -1), -1), -1)
        others = (before * after).reshape([a.shape[i] for i in order])
        others = np.transpose(others, np.argsort(order))
        return (_expand(g, a.shape, axis, keepdims) * others,)
    return record(out, (x,), backward)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    x = as_input(x)
    a = data(x)
    a = a if a.dtype.kind in "fc" else a.astype(floatx_dtype())
    axes = _axes(axis, a.ndim)
    count = int(np.prod([a.shape[i] for i in axes]))
    centered = a - a.mean(axis=axes, keepdims=True)
    out = np.asarray(np.mean(centered * centered, axis=axes, keepdims=keepdims))

    def backward(g):
        return (_expand(g, a.shape, axis, keepdims) * (2 / count) * centered,)
    return record(out, (x,), backward)


def _arg(fn, x, axis, keepdims):
    a = data(as_input(x))
    if isinstance(axis, (tuple, list)):
        if len(axis) != 1:
            raise ValueError(f"{fn.__name__}: `axis` must be an int or None, received {axis}.")
        axis = axis[0]
    return np.asarray(fn(a, axis=axis, keepdims=keepdims)).astype(np.int32)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32; first on ties)."""
    return _arg(np.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32; first on ties)."""
    return _arg(np.argmin, x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis``."""
    a = data(as_input(x))
    return np.asarray(np.any(a, axis=_axes(axis, a.ndim), keepdims=keepdims))


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis``."""
    a = data(as_input(x))
    return np.asarray(np.all(a, axis=_axes(axis, a.ndim), keepdims=keepdims))


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None)."""
    x = as_input(x)
    a = data(x)
    out = np.cumsum(a, axis=axis, dtype=_int_keep(a))

    def backward(g):  # each input feeds every later output: a reversed cumsum
        along = -1 if axis is None else axis
        return (np.flip(np.cumsum(np.flip(g, along), along), along).reshape(a.shape),)
    return record(out, (x,), backward)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably (shifted by the maximum)."""
    x = as_input(x)
    a = data(x)
    axes = _axes(axis, a.ndim)
    shift = np.max(a, axis=axes, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    kept = np.log(np.sum(np.exp(a - shift), axis=axes, keepdims=True)) + shift
    out = np.asarray(kept if keepdims else kept.reshape(np.delete(a.shape, axes)))

    def backward(g):  # d/dx logsumexp = softmax(x)
        return (_expand(g, a.shape, axis, keepdims) * np.exp(a - kept),)
    return record(out, (x,), backward)

