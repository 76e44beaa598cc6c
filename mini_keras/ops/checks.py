"""Argument checks and conversions shared by the op declarations (messages name op and argument)."""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from mini_keras import config, ops
from mini_keras.ops.declare import unwrap


def _axes(op, arg, axis, ndim):
    """Normalise None / int / sequence axes to a sorted tuple (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(sorted(_axis(op, arg, a, ndim) for a in axis))
    return (_axis(op, arg, axis, ndim),)


def _axis(op, arg, axis, ndim):
    """Normalise one axis to ``0 <= axis < ndim`` or raise naming the op and argument."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"ops.{op}: `{arg}` must be an int, received {axis!r}.")
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"ops.{op}: `{arg}`={axis} is out of range for a tensor of rank {ndim}.")
    return int(axis) % builtins.max(ndim, 1)


def _fail(op, message, error=ValueError):
    raise error(f"ops.{op}: {message}")


def _float(x):
    """``x`` as a backend tensor, ints/bools cast to floatx (activations are float-only)."""
    x = ops.convert_to_tensor(unwrap(x))
    return x if "float" in ops.dtype(x) else ops.cast(x, config.floatx())


def _int(op, arg, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"ops.{op}: `{arg}` must be an int, received {value!r}.")
    return int(value)


def _is_float(x) -> bool:
    return ops.dtype(x).startswith(("float", "bfloat"))


def _positive_int(op, value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        _fail(op, f"`{name}` must be a positive int, received {value!r}.",
              TypeError if not isinstance(value, numbers.Integral) else ValueError)
    return int(value)


def _rank_axis(op, axis, rank, name="axis"):
    """Normalize an int axis against ``rank``, or raise naming ``op`` and the argument."""
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        _fail(op, f"`{name}` must be an int, received {axis!r}.", TypeError)
    if not -rank <= axis < rank:
        _fail(op, f"`{name}`={axis} is out of range for a tensor of rank {rank}.")
    return int(axis) % rank


def _slice(x, axis, start, stop):
    """``x[..., start:stop, ...]`` along ``axis``."""
    return ops.getitem(x, (slice(None),) * axis + (slice(start, stop),))


def _take_static(x, indices, axis):
    """``take`` with a host-side index list (int32)."""
    return ops.take(x, ops.convert_to_tensor(np.asarray(indices, np.int32)), axis=axis)


def _tensor(x):
    """``x`` (Variable, scalar, array, tensor) as a tensor of the current backend."""
    return ops.convert_to_tensor(unwrap(x))


def _to_float(x):
    """``x`` as a tensor, cast to floatx unless it already is floating point."""
    x = _tensor(x)
    return x if _is_float(x) else ops.cast(x, config.floatx())

