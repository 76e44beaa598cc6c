"""NaN-aware reductions and scans of the numpy family (``nansum``, ``nanquantile``...).

NaN entries are left out; where a reduction sees only NaNs the result is NaN (``nansum``: 0,
``nanprod``: 1, ``nanargmax``/``nanargmin``: the first position), as in numpy. Every op is
declared once with ``@composite``; see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import _is_float, _tensor, _to_float
from mini_keras.ops.declare import composite, exported
from mini_keras.ops.numpy.reductions import _quantiles


def _nan_filled(x, fill):
    x = _tensor(x)
    return ops.where(ops.isnan(x), fill, x) if _is_float(x) else x





@composite
def nanmax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.max(_nan_filled(x, -math.inf), axis=axis, keepdims=keepdims)


@composite
def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _to_float(x)
    count = ops.sum(ops.cast(ops.logical_not(ops.isnan(x)), ops.dtype(x)), axis=axis, keepdims=keepdims)
    return ops.divide(ops.nansum(x, axis, keepdims), count)


@composite
def nanmin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.min(_nan_filled(x, math.inf), axis=axis, keepdims=keepdims)


@composite
def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis`` treating NaN as 1.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.prod(_nan_filled(x, 1.0), axis=axis, keepdims=keepdims)


@composite
def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis`` treating NaN as 0.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.sum(_nan_filled(x, 0.0), axis=axis, keepdims=keepdims)


@composite
def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum over ``axis`` ignoring NaN entries (int32).

    Args:
        x: input. axis: int or None (the flattened tensor). keepdims: keep the axis as size 1.
    """
    return ops.argmax(_nan_filled(x, -math.inf), axis=axis, keepdims=keepdims)


@composite
def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum over ``axis`` ignoring NaN entries (int32).

    Args:
        x: input. axis: int or None (the flattened tensor). keepdims: keep the axis as size 1.
    """
    return ops.argmin(_nan_filled(x, math.inf), axis=axis, keepdims=keepdims)


def _nan_scan(op, fill, x, axis, dtype):
    x = _nan_filled(x, fill)
    if dtype is not None:
        x = ops.cast(x, dtype)
    if axis is None:
        x, axis = ops.reshape(x, (-1,)), 0
    return op(x, axis=axis)


@composite
def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum over ``axis`` treating NaN as 0 (the flattened tensor when None).

    Args:
        x: input. axis: int or None. dtype: accumulation dtype (that of ``x`` by default).
    """
    return _nan_scan(ops.cumsum, 0.0, x, axis, dtype)


@composite
def nancumprod(x, axis=None, dtype=None):
    """Cumulative product over ``axis`` treating NaN as 1 (the flattened tensor when None).

    Args:
        x: input. axis: int or None. dtype: accumulation dtype (that of ``x`` by default).
    """
    return _nan_scan(ops.cumprod, 1.0, x, axis, dtype)


@composite
def nanvar(x, axis=None, keepdims=False):
    """Population variance over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _to_float(x)
    mean = ops.nanmean(x, axis=axis, keepdims=True)
    deviation = ops.square(ops.subtract(x, mean))
    return ops.nanmean(deviation, axis=axis, keepdims=keepdims)


@composite
def nanstd(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return ops.sqrt(ops.nanvar(x, axis=axis, keepdims=keepdims))


@composite
def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles over ``axis`` ignoring NaN entries (see :func:`quantile`).

    Args:
        x: input. q: quantile(s) in [0, 1] (host values). axis: int, tuple or None.
        method: "linear", "lower", "higher", "midpoint" or "nearest". keepdims: keep reduced
            axes as size 1.
    """
    return _quantiles("nanquantile", x, q, axis, method, keepdims, skip_nan=True)


@composite
def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]) ignoring NaN entries.

    Args:
        x: input. q: percentile(s). axis, method, keepdims: as in :func:`nanquantile`.
    """
    q = ops.convert_to_numpy(q) if ops.is_tensor(q) else q
    return _quantiles("nanpercentile", x, np.asarray(q, np.float64) / 100.0, axis, method,
                      keepdims, skip_nan=True)


@composite
def nanmedian(x, axis=None, keepdims=False):
    """Median over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return _quantiles("nanmedian", x, 0.5, axis, "linear", keepdims, skip_nan=True)


__all__ = [name for name in exported(__name__)]
