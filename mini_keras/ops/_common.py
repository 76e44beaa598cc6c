"""Shared argument helpers of the numpy-like public ops (validation messages live here)."""

from __future__ import annotations

import builtins

import numpy as np

from mini_keras import config
from mini_keras.backends import current
from mini_keras.ops.dispatch import unwrap


def _tensor(x):
    """``x`` (Variable, scalar, array, tensor) as a tensor of the current backend."""
    return current().convert_to_tensor(unwrap(x))


def _is_float(x) -> bool:
    return current().dtype(x).startswith(("float", "bfloat"))


def _to_float(x):
    """``x`` as a tensor, cast to floatx unless it already is floating point."""
    x = _tensor(x)
    return x if _is_float(x) else current().cast(x, config.floatx())


def _axis(op, arg, axis, ndim):
    """Normalise one axis to ``0 <= axis < ndim`` or raise naming the op and argument."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"ops.{op}: `{arg}` must be an int, received {axis!r}.")
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"ops.{op}: `{arg}`={axis} is out of range for a tensor of rank {ndim}.")
    return int(axis) % builtins.max(ndim, 1)


def _axes(op, arg, axis, ndim):
    """Normalise None / int / sequence axes to a sorted tuple (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(sorted(_axis(op, arg, a, ndim) for a in axis))
    return (_axis(op, arg, axis, ndim),)


def _int(op, arg, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"ops.{op}: `{arg}` must be an int, received {value!r}.")
    return int(value)


def _take_static(x, indices, axis):
    """``take`` with a host-side index list (int32)."""
    b = current()
    return b.take(x, b.convert_to_tensor(np.asarray(indices, np.int32)), axis=axis)


def _slice(x, axis, start, stop):
    """``x[..., start:stop, ...]`` along ``axis``."""
    return current().getitem(x, (slice(None),) * axis + (slice(start, stop),))

