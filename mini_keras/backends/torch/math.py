"""PyTorch backend: elementwise math, comparisons, logic and reductions (numpy semantics)."""

from __future__ import annotations

import builtins
import operator

import numpy as np
import torch

from mini_keras.backends.torch.core import convert_to_tensor
from mini_keras.common import settings as config

_PYTHON_SCALARS = (bool, int, float)


def operands(x1, x2):
    """Convert a pair of operands, leaving a Python scalar next to a tensor as it is.

    Torch treats Python scalars as weakly typed, so ``float32_tensor + 0.5`` stays float32.
    """
    scalar1, scalar2 = isinstance(x1, _PYTHON_SCALARS), isinstance(x2, _PYTHON_SCALARS)
    if scalar1 and scalar2:
        return convert_to_tensor(x1), convert_to_tensor(x2)
    return (x1 if scalar1 else convert_to_tensor(x1)), (x2 if scalar2 else convert_to_tensor(x2))


def _as_float(x) -> torch.Tensor:
    """``x`` as a tensor, cast to floatx when it is not floating point."""
    x = convert_to_tensor(x)
    return x if x.is_floating_point() else x.to(getattr(torch, config.floatx()))


# ---------------------------------------------------------------------------- elementwise

def add(x1, x2):
    """``x1 + x2`` with broadcasting."""
    return operator.add(*operands(x1, x2))


def subtract(x1, x2):
    """``x1 - x2`` with broadcasting."""
    return operator.sub(*operands(x1, x2))


def multiply(x1, x2):
    """``x1 * x2`` with broadcasting."""
    return operator.mul(*operands(x1, x2))


def divide(x1, x2):
    """True division ``x1 / x2`` with broadcasting."""
    return operator.truediv(*operands(x1, x2))


def power(x1, x2):
    """``x1 ** x2`` with broadcasting."""
    return operator.pow(*operands(x1, x2))


def maximum(x1, x2):
    """Elementwise maximum (gradient to the larger input; ties to ``x1``)."""
    x1, x2 = operands(x1, x2)
    return torch.where(operator.ge(x1, x2), x1, x2)


def minimum(x1, x2):
    """Elementwise minimum (gradient to the smaller input; ties to ``x1``)."""
    x1, x2 = operands(x1, x2)
    return torch.where(operator.le(x1, x2), x1, x2)


def negative(x):
    """``-x``."""
    return torch.negative(convert_to_tensor(x))


def abs(x):
    """``|x|`` (gradient ``sign(x)``)."""
    return torch.abs(convert_to_tensor(x))


def sign(x):
    """Sign of ``x`` (-1, 0, 1); gradient zero."""
    return torch.sign(convert_to_tensor(x))


def exp(x):
    """``e ** x``."""
    return torch.exp(_as_float(x))


def log(x):
    """Natural logarithm."""
    return torch.log(_as_float(x))


def log1p(x):
    """``log(1 + x)``."""
    return torch.log1p(_as_float(x))


def expm1(x):
    """``exp(x) - 1``."""
    return torch.expm1(_as_float(x))


def sqrt(x):
    """Square root."""
    return torch.sqrt(_as_float(x))


def square(x):
    """``x * x``."""
    return torch.square(convert_to_tensor(x))


def sin(x):
    """Sine."""
    return torch.sin(_as_float(x))


def cos(x):
    """Cosine."""
    return torch.cos(_as_float(x))


def tanh(x):
    """Hyperbolic tangent."""
    return torch.tanh(_as_float(x))


def floor(x):
    """Round down (gradient zero)."""
    return torch.floor(convert_to_tensor(x))


def ceil(x):
    """Round up (gradient zero)."""
    return torch.ceil(convert_to_tensor(x))


def round(x):
    """Round half to even (gradient zero)."""
    return torch.round(convert_to_tensor(x))


def erf(x):
    """Gauss error function."""
    return torch.erf(_as_float(x))


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` else ``x2`` (broadcasting)."""
    condition = convert_to_tensor(condition).to(torch.bool)
    return torch.where(condition, *operands(x1, x2))


def clip(x, x_min, x_max):
    """Clip values to ``[x_min, x_max]`` (gradient 1 inside, 0 outside)."""
    x = convert_to_tensor(x)
    bounds = [b if isinstance(b, _PYTHON_SCALARS) else convert_to_tensor(b).to(x.dtype)
              for b in (x_min, x_max)]
    return torch.clamp(x, *bounds)


# ---------------------------------------------------------------------------- comparison & logic

def equal(x1, x2):
    """``x1 == x2`` as bool."""
    return operator.eq(*operands(x1, x2))


def not_equal(x1, x2):
    """``x1 != x2`` as bool."""
    return operator.ne(*operands(x1, x2))


def greater(x1, x2):
    """``x1 > x2`` as bool."""
    return operator.gt(*operands(x1, x2))


def greater_equal(x1, x2):
    """``x1 >= x2`` as bool."""
    return operator.ge(*operands(x1, x2))


def less(x1, x2):
    """``x1 < x2`` as bool."""
    return operator.lt(*operands(x1, x2))


def less_equal(x1, x2):
    """``x1 <= x2`` as bool."""
    return operator.le(*operands(x1, x2))


def logical_and(x1, x2):
    """Elementwise AND."""
    return torch.logical_and(convert_to_tensor(x1), convert_to_tensor(x2))


def logical_or(x1, x2):
    """Elementwise OR."""
    return torch.logical_or(convert_to_tensor(x1), convert_to_tensor(x2))


def logical_not(x):
    """Elementwise NOT."""
    return torch.logical_not(convert_to_tensor(x))


# ---------------------------------------------------------------------------- reductions

def normalize_axes(axis, ndim: int) -> tuple:
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(sorted(int(a) % builtins.max(ndim, 1) for a in axes))


def _reduce(op, x, axis, keepdims):
    """Apply a torch reduction over ``axis``; an empty axis tuple reduces nothing (numpy)."""
    if x.dim() == 0:
        return op(x.reshape(1), dim=(0,), keepdim=False)
    axes = normalize_axes(axis, x.dim())
    return op(x, dim=axes, keepdim=keepdims) if axes else x


def _keep_int_dtype(x: torch.Tensor) -> torch.Tensor:
    """Sums/products of ints keep their dtype (bool -> int32), unlike numpy's int64."""
    return x.to(torch.int32) if x.dtype == torch.bool else x


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (ints keep their dtype; bool sums to int32)."""
    x = _keep_int_dtype(convert_to_tensor(x))
    return _reduce(torch.sum, x, axis, keepdims).to(x.dtype)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (floatx result for integer input)."""
    return _reduce(torch.mean, _as_float(x), axis, keepdims)


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (gradient shared equally among tied maxima)."""
    return _reduce(torch.amax, convert_to_tensor(x), axis, keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    return _reduce(torch.amin, convert_to_tensor(x), axis, keepdims)


def _prod(x, dim, keepdim):
    """torch.prod over a tuple of axes (torch only takes one at a time)."""
    for axis in sorted(dim, reverse=True):
        x = torch.prod(x, dim=axis, keepdim=keepdim)
    return x


def prod(x, axis=None, keepdims=False):
    """Product over ``axis`` (ints keep their dtype; bool gives int32)."""
    x = _keep_int_dtype(convert_to_tensor(x))
    return _reduce(_prod, x, axis, keepdims).to(x.dtype)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    def population_var(t, dim, keepdim):
        return torch.var(t, dim=dim, keepdim=keepdim, correction=0)
    return _reduce(population_var, _as_float(x), axis, keepdims)


def _arg_reduce(op, x, axis, keepdims):
    x = convert_to_tensor(x)
    if x.dtype == torch.bool:
        x = x.to(torch.int32)
    if axis is None:
        out = op(x.reshape(-1), dim=0)
        out = out.reshape((1,) * x.dim()) if keepdims else out
    else:
        out = op(x, dim=int(axis), keepdim=keepdims)
    return out.to(torch.int32)


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32; first on ties)."""
    return _arg_reduce(torch.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32; first on ties)."""
    return _arg_reduce(torch.argmin, x, axis, keepdims)


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis``."""
    return _reduce(torch.any, convert_to_tensor(x).to(torch.bool), axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis``."""
    return _reduce(torch.all, convert_to_tensor(x).to(torch.bool), axis, keepdims)


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None; ints keep their dtype)."""
    x = _keep_int_dtype(convert_to_tensor(x))
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumsum(x, dim=int(axis), dtype=x.dtype)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably."""
    return _reduce(torch.logsumexp, _as_float(x), axis, keepdims)
