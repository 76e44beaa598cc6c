"""Reductions, scans and searches of the numpy-like public ops.

See :mod:`mini_keras.ops.numpy_ext` for the conventions."""

from __future__ import annotations

import math

import numpy as np

from mini_keras.backends import current
from mini_keras.ops._common import (
    _axes,
    _axis,
    _int,
    _is_float,
    _slice,
    _take_static,
    _tensor,
    _to_float,
)
from mini_keras.ops.dispatch import make_op, unwrap

__all__ = ["amax", "amin", "average", "count_nonzero", "cumprod", "diff", "digitize", "median",
    "nanmax", "nanmean", "nanmin", "nanprod", "nansum", "nonzero", "percentile", "ptp",
    "quantile", "searchsorted"]

# ============================================================================ reductions & scans

cumprod = make_op("cumprod")


def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (same as :func:`max`).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _tensor(x)
    _axes("amax", "axis", axis, len(current().shape(x)))
    return current().max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (same as :func:`min`).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _tensor(x)
    _axes("amin", "axis", axis, len(current().shape(x)))
    return current().min(x, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """Range ``max - min`` over ``axis``.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    b = current()
    return b.subtract(amax(x, axis, keepdims), amin(x, axis, keepdims))


def count_nonzero(x, axis=None):
    """Number of non-zero entries over ``axis`` (int32).

    Args:
        x: input. axis: int, tuple or None.
    """
    b = current()
    x = _tensor(x)
    _axes("count_nonzero", "axis", axis, len(b.shape(x)))
    return b.sum(b.cast(b.not_equal(x, 0), "int32"), axis=axis)


def average(x, axis=None, weights=None):
    """(Weighted) mean over ``axis``; 1-D ``weights`` run along a single ``axis``.

    Args:
        x: input. axis: int, tuple or None. weights: same shape as ``x``, or 1-D of length
            ``x.shape[axis]``.

    Raises:
        ValueError: ``weights`` do not fit ``x``.
    """
    b = current()
    x = _to_float(x)
    ndim = len(b.shape(x))
    _axes("average", "axis", axis, ndim)
    if weights is None:
        return b.mean(x, axis=axis)
    w = b.cast(_tensor(weights), b.dtype(x))
    if b.shape(w) != b.shape(x):
        if len(b.shape(w)) != 1 or not isinstance(axis, int) or \
                b.shape(w)[0] != b.shape(x)[axis]:
            raise ValueError(f"ops.average: `weights` of shape {b.shape(w)} do not fit `x` of "
                             f"shape {b.shape(x)} along axis {axis}.")
        w = b.reshape(w, [-1 if i == axis % ndim else 1 for i in range(ndim)])
    total = b.sum(b.multiply(b.ones(b.shape(x), b.dtype(x)), w), axis=axis)
    return b.divide(b.sum(b.multiply(x, w), axis=axis), total)


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


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
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"ops.quantile: `method` must be one of {_QUANTILE_METHODS}, "
                         f"received {method!r}.")
    qs = np.asarray(current().convert_to_numpy(q) if current().is_tensor(q) else q, np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"ops.quantile: `q` must lie in [0, 1], received {qs.tolist()}.")
    b = current()
    x = _to_float(x)
    shape = b.shape(x)
    axes = _axes("quantile", "axis", axis, len(shape))
    rest = [i for i in range(len(shape)) if i not in axes]
    n = math.prod(shape[i] for i in axes)
    moved = b.reshape(b.transpose(x, rest + list(axes)), [shape[i] for i in rest] + [n])
    ordered = b.sort(moved, axis=-1)
    outs = []
    for qv in qs.reshape(-1):
        pos = float(qv) * (n - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        low, high = _take_static(ordered, [lo], -1), _take_static(ordered, [hi], -1)
        if method == "lower":
            value = low
        elif method == "higher":
            value = high
        elif method == "nearest":
            value = _take_static(ordered, [int(np.round(pos))], -1)
        elif method == "midpoint":
            value = b.multiply(b.add(low, high), 0.5)
        else:
            value = b.add(low, b.multiply(b.subtract(high, low), float(pos - lo)))
        outs.append(b.squeeze(value, -1))
    kept = [1 if i in axes else shape[i] for i in range(len(shape))] if keepdims else \
        [shape[i] for i in rest]
    outs = [b.reshape(o, kept) for o in outs]
    return outs[0] if qs.ndim == 0 else b.reshape(b.stack(outs), list(qs.shape) + kept)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]); see :func:`quantile`.

    Args:
        x: input. q: percentile(s). axis, method, keepdims: as in :func:`quantile`.
    """
    return quantile(x, np.asarray(q, np.float64) / 100.0, axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    """Median over ``axis`` (mean of the two middle values for even counts).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _nan_filled(x, fill):
    b = current()
    x = _tensor(x)
    return b.where(b.isnan(x), fill, x) if _is_float(x) else x


def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis`` treating NaN as 0.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().sum(_nan_filled(x, 0.0), axis=axis, keepdims=keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis`` treating NaN as 1.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().prod(_nan_filled(x, 1.0), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    b = current()
    x = _to_float(x)
    count = b.sum(b.cast(b.logical_not(b.isnan(x)), b.dtype(x)), axis=axis, keepdims=keepdims)
    return b.divide(nansum(x, axis, keepdims), count)


def nanmax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().max(_nan_filled(x, -math.inf), axis=axis, keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().min(_nan_filled(x, math.inf), axis=axis, keepdims=keepdims)


def diff(a, n=1, axis=-1):
    """``n``-th discrete difference ``a[i + 1] - a[i]`` along ``axis``.

    Args:
        a: input. n: how many times to difference. axis: the axis.
    """
    b = current()
    a = _tensor(a)
    axis = _axis("diff", "axis", axis, len(b.shape(a)))
    for _ in range(_int("diff", "n", n)):
        a = b.subtract(_slice(a, axis, 1, None), _slice(a, axis, None, -1))
    return a


# ============================================================================ search & indexing

nonzero = make_op("nonzero")


def searchsorted(sorted_sequence, values, side="left"):
    """int32 indices where ``values`` would be inserted into ``sorted_sequence`` to keep order.

    Not differentiable.

    Args:
        sorted_sequence: 1-D ascending tensor. values: tensor of queries.
        side: "left" (first suitable index) or "right" (last).

    Raises:
        ValueError: ``sorted_sequence`` not 1-D, or an unknown ``side``.
    """
    b = current()
    sequence = _tensor(sorted_sequence)
    if len(b.shape(sequence)) != 1:
        raise ValueError("ops.searchsorted: `sorted_sequence` must be 1-D, received shape "
                         f"{b.shape(sequence)}.")
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted: `side` must be 'left' or 'right', received {side!r}.")
    return b.searchsorted(sequence, unwrap(values), side=side)


def digitize(x, bins):
    """int32 index of the bin of each ``x``: ``i`` with ``bins[i-1] <= x < bins[i]``.

    Args:
        x: input. bins: 1-D increasing bin edges.
    """
    return searchsorted(bins, x, side="right")
