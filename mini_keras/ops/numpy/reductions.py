"""Reductions, scans, statistics (quantile, median...), sorting and search.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import (
    _axes,
    _axis,
    _int,
    _slice,
    _tensor,
    _to_float,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


@primitive
def sum(x, axis=None, keepdims=False):
    ...


@primitive
def mean(x, axis=None, keepdims=False):
    ...


@primitive
def max(x, axis=None, keepdims=False):
    ...


@primitive
def min(x, axis=None, keepdims=False):
    ...


@primitive
def prod(x, axis=None, keepdims=False):
    ...


@primitive
def var(x, axis=None, keepdims=False):
    ...


@primitive
def argmax(x, axis=None, keepdims=False):
    ...


@primitive
def argmin(x, axis=None, keepdims=False):
    ...


@primitive
def any(x, axis=None, keepdims=False):
    ...


@primitive
def all(x, axis=None, keepdims=False):
    ...


@primitive
def cumsum(x, axis=None):
    ...


@primitive
def cumprod(x, axis=None, dtype=None):
    ...


@composite
def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (same as :func:`max`).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _tensor(x)
    _axes("amax", "axis", axis, len(ops.shape(x)))
    return ops.max(x, axis=axis, keepdims=keepdims)


@composite
def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (same as :func:`min`).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _tensor(x)
    _axes("amin", "axis", axis, len(ops.shape(x)))
    return ops.min(x, axis=axis, keepdims=keepdims)


@composite
def average(x, axis=None, weights=None):
    """(Weighted) mean over ``axis``; 1-D ``weights`` run along a single ``axis``.

    Args:
        x: input. axis: int, tuple or None. weights: same shape as ``x``, or 1-D of length
            ``x.shape[axis]``.

    Raises:
        ValueError: ``weights`` do not fit ``x``.
    """
    x = _to_float(x)
    ndim = len(ops.shape(x))
    _axes("average", "axis", axis, ndim)
    if weights is None:
        return ops.mean(x, axis=axis)
    w = ops.cast(_tensor(weights), ops.dtype(x))
    if ops.shape(w) != ops.shape(x):
        if len(ops.shape(w)) != 1 or not isinstance(axis, int) or \
                ops.shape(w)[0] != ops.shape(x)[axis]:
            raise ValueError(f"ops.average: `weights` of shape {ops.shape(w)} do not fit `x` of "
                             f"shape {ops.shape(x)} along axis {axis}.")
        w = ops.reshape(w, [-1 if i == axis % ndim else 1 for i in range(ndim)])
    total = ops.sum(ops.multiply(ops.ones(ops.shape(x), ops.dtype(x)), w), axis=axis)
    return ops.divide(ops.sum(ops.multiply(x, w), axis=axis), total)


@composite
def count_nonzero(x, axis=None):
    """Number of non-zero entries over ``axis`` (int32).

    Args:
        x: input. axis: int, tuple or None.
    """
    x = _tensor(x)
    _axes("count_nonzero", "axis", axis, len(ops.shape(x)))
    return ops.sum(ops.cast(ops.not_equal(x, 0), "int32"), axis=axis)


@composite
def diff(a, n=1, axis=-1):
    """``n``-th discrete difference ``a[i + 1] - a[i]`` along ``axis``.

    Args:
        a: input. n: how many times to difference. axis: the axis.
    """
    a = _tensor(a)
    axis = _axis("diff", "axis", axis, len(ops.shape(a)))
    for _ in range(_int("diff", "n", n)):
        a = ops.subtract(_slice(a, axis, 1, None), _slice(a, axis, None, -1))
    return a


@composite
def median(x, axis=None, keepdims=False):
    """Median over ``axis`` (mean of the two middle values for even counts).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.quantile(x, 0.5, axis=axis, keepdims=keepdims)


@composite
def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]); see :func:`quantile`.

    Args:
        x: input. q: percentile(s). axis, method, keepdims: as in :func:`quantile`.
    """
    return ops.quantile(x, np.asarray(q, np.float64) / 100.0, axis, method, keepdims)


@composite
def ptp(x, axis=None, keepdims=False):
    """Range ``max - min`` over ``axis``.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.subtract(ops.amax(x, axis, keepdims), ops.amin(x, axis, keepdims))


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantiles(op, x, q, axis, method, keepdims, skip_nan=False):
    """Quantiles ``q`` (host values in [0, 1]) over ``axis``; NaN entries left out if asked."""
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"ops.{op}: `method` must be one of {_QUANTILE_METHODS}, "
                         f"received {method!r}.")
    qs = np.asarray(ops.convert_to_numpy(q) if ops.is_tensor(q) else q, np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"ops.{op}: `q` must lie in [0, 1], received {qs.tolist()}.")
    x = _to_float(x)
    shape = ops.shape(x)
    axes = _axes(op, "axis", axis, len(shape))
    rest = [i for i in range(len(shape)) if i not in axes]
    n = math.prod(shape[i] for i in axes)
    moved = ops.reshape(ops.transpose(x, rest + list(axes)), [shape[i] for i in rest] + [n])
    missing = ops.isnan(moved) if skip_nan else None
    ordered = ops.sort(ops.where(missing, math.inf, moved) if skip_nan else moved, axis=-1)
    count = ops.sum(ops.cast(ops.logical_not(missing), ops.dtype(x)), axis=-1,
                    keepdims=True) if skip_nan else float(n)

    def at(index):  # the sorted values at (float) positions ``index``
        index = ops.clip(ops.cast(index, "int32"), 0, builtins.max(n - 1, 0))
        index = ops.broadcast_to(index, tuple(ops.shape(ordered)[:-1]) + (1,))
        return ops.take_along_axis(ordered, index, axis=-1)
    outs = []
    for qv in qs.reshape(-1):
        pos = ops.multiply(ops.subtract(count, 1.0), float(qv)) if skip_nan else \
            ops.convert_to_tensor(float(qv) * (n - 1), ops.dtype(x))
        pos = ops.maximum(pos, 0.0)
        lo, hi = ops.floor(pos), ops.ceil(pos)
        low, high = at(lo), at(hi)
        if method == "lower":
            value = low
        elif method == "higher":
            value = high
        elif method == "nearest":
            value = at(ops.round(pos))
        elif method == "midpoint":
            value = ops.multiply(ops.add(low, high), 0.5)
        else:
            value = ops.add(low, ops.multiply(ops.subtract(high, low), ops.subtract(pos, lo)))
        if skip_nan:
            value = ops.where(ops.equal(count, 0.0), math.nan, value)
        outs.append(ops.squeeze(value, -1))
    kept = [1 if i in axes else shape[i] for i in range(len(shape))] if keepdims else \
        [shape[i] for i in rest]
    outs = [ops.reshape(o, kept) for o in outs]
    return outs[0] if qs.ndim == 0 else ops.reshape(ops.stack(outs), list(qs.shape) + kept)


@composite
def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles over ``axis`` (numpy's definition; ``q`` in [0, 1]).

    ``q`` must be a host value (Python float, list or numpy array), not a traced tensor.
    Output shape: ``q.shape`` + the reduced shape of ``x``.

    Args:
        x: input. q: quantile(s). axis: int, tuple or None. method: "linear", "lower",
            "higher", "midpoint" or "nearest". keepdims: keep reduced axes as size 1.

    Raises:
        ValueError: unknown ``method`` or ``q`` outside [0, 1].
    """
    return _quantiles("quantile", x, q, axis, method, keepdims)


@composite
def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.sqrt(ops.var(x, axis=axis, keepdims=keepdims))


@primitive
def nonzero(x):
    ...


@primitive
def searchsorted(sorted_sequence, values, side="left"):
    """int32 indices where ``values`` would be inserted into ``sorted_sequence`` to keep order.

    Not differentiable.

    Args:
        sorted_sequence: 1-D ascending tensor. values: tensor of queries.
        side: "left" (first suitable index) or "right" (last).

    Raises:
        ValueError: ``sorted_sequence`` not 1-D, or an unknown ``side``.
    """
    sequence = _tensor(sorted_sequence)
    if len(ops.shape(sequence)) != 1:
        raise ValueError("ops.searchsorted: `sorted_sequence` must be 1-D, received shape "
                         f"{ops.shape(sequence)}.")
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted: `side` must be 'left' or 'right', received {side!r}.")
    return {'sorted_sequence': sequence, 'values': unwrap(values)}


@composite
def digitize(x, bins):
    """int32 index of the bin of each ``x``: ``i`` with ``bins[i-1] <= x < bins[i]``.

    Args:
        x: input. bins: 1-D increasing bin edges.
    """
    return ops.searchsorted(bins, x, side="right")


@primitive
def sort(x, axis=-1):
    ...


@primitive
def argsort(x, axis=-1):
    ...


@composite
def argpartition(x, kth, axis=-1):
    """Indices that partition ``x`` around its ``kth`` smallest entry along ``axis`` (int32).

    Any valid partition is allowed; this one is fully sorted (a stable argsort).

    Args:
        x: input. kth: the position to partition at. axis: the axis.
    """
    x = _tensor(x)
    axis = _axis("argpartition", "axis", axis, len(ops.shape(x)))
    kth = _int("argpartition", "kth", kth)
    if not -ops.shape(x)[axis] <= kth < ops.shape(x)[axis]:
        raise ValueError(f"ops.argpartition: `kth`={kth} is out of range for axis {axis} of "
                         f"size {ops.shape(x)[axis]}.")
    return ops.cast(ops.argsort(x, axis=axis), "int32")


@composite
def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule.

    Args:
        y: values. x: sample points (same shape as ``y``, or 1-D along ``axis``); spacing
            ``dx`` when None. dx: the spacing. axis: the axis.
    """
    y = _to_float(y)
    rank = len(ops.shape(y))
    axis = _axis("trapezoid", "axis", axis, rank)
    n = ops.shape(y)[axis]
    average = ops.multiply(ops.add(_slice(y, axis, 1, None), _slice(y, axis, None, -1)), 0.5)
    if x is None:
        return ops.multiply(ops.sum(average, axis=axis), float(dx))
    x = ops.cast(_tensor(x), ops.dtype(y))
    if len(ops.shape(x)) == 1:
        x = ops.reshape(x, [n if d == axis else 1 for d in range(rank)])
        spacing = ops.subtract(_slice(x, axis, 1, None), _slice(x, axis, None, -1))
    else:
        spacing = ops.subtract(_slice(x, axis, 1, None), _slice(x, axis, None, -1))
    return ops.sum(ops.multiply(average, spacing), axis=axis)


__all__ = [name for name in exported(__name__)]
