"""Tensors of the core family: conversion, cast, shape/dtype, slicing and scatter.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import (
    _fail,
    _rank_axis,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _slice_check(op, inputs, start_indices, sizes, what):
    shape = tuple(ops.shape(inputs))
    starts = unwrap(start_indices)
    count = len(starts) if isinstance(starts, (list, tuple)) else (ops.shape(starts) or (1,))[0]
    if count != len(shape) or len(sizes) != len(shape):
        _fail(op, f"`start_indices` and `{what}` need one entry per axis of `inputs` "
                  f"(rank {len(shape)}), received {count} and {len(sizes)}.")
    if isinstance(starts, (list, tuple)) and all(isinstance(s, numbers.Integral) for s in starts):
        for d, (s, n, full) in enumerate(zip(starts, sizes, shape)):
            if not 0 <= s <= full - n:
                _fail(op, f"block of size {tuple(sizes)} at {tuple(starts)} does not fit in "
                          f"`inputs` of shape {shape} (axis {d}).")
    return starts


def _scatter_check(op, indices, updates, shape):
    ishape, ushape = tuple(ops.shape(indices)), tuple(ops.shape(updates))
    if len(ishape) != 2 or ishape[1] > len(shape):
        _fail(op, f"`indices` must have shape (N, k) with k <= {len(shape)}, received {ishape}.")
    if ushape != ishape[:1] + tuple(shape[ishape[1]:]):
        _fail(op, f"`updates` must have shape {ishape[:1] + tuple(shape[ishape[1]:])}, "
                  f"received {ushape}.")


def _range_of(name):
    if name == "bool":
        return 0, 1
    if name == "bfloat16":
        return -3.3895313892515355e38, 3.3895313892515355e38
    info = np.iinfo(name) if "int" in name else np.finfo(name)
    return info.min, info.max


@primitive
def cast(x, dtype):
    ...


@primitive
def convert_to_numpy(x):
    ...


@primitive
def convert_to_tensor(x, dtype=None):
    ...


def _static_dtype(x):
    return x.dtype  # a KerasTensor's dtype is static: no graph node, as in Keras


def _not_a_tensor(x):
    return False  # a KerasTensor is no backend tensor, as Keras answers


def _static_shape(x):
    return x.shape  # the static shape, ``None`` for unknown dims, as in Keras


@primitive(symbolic=_static_dtype)
def dtype(x):
    ...


@primitive(symbolic=_not_a_tensor)
def is_tensor(x):
    ...


@primitive(symbolic=_static_shape)
def shape(x):
    ...


@primitive
def stop_gradient(x):
    ...


@primitive
def getitem(x, key):
    ...


@primitive
def scatter_add(x, indices, updates):
    ...


@composite
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates sum).

    Args:
        indices: int tensor ``(N, k)`` of coordinates into the first ``k`` axes.
        values: tensor ``(N,) + shape[k:]``.
        shape: the output shape.
    """
    indices, values = ops.convert_to_tensor(unwrap(indices)), ops.convert_to_tensor(unwrap(values))
    shape = tuple(int(d) for d in shape)
    _scatter_check("scatter", indices, values, shape)
    return ops.scatter_add(ops.zeros(shape, ops.dtype(values)), indices, values)


@composite
def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with the entries at ``indices`` replaced by (or combined with) ``updates``.

    Args:
        inputs: tensor.
        indices: int tensor ``(N, k)``; duplicate indices sum their updates.
        updates: tensor ``(N,) + inputs.shape[k:]``.
        reduction: None (replace) or "add".
    """
    if reduction not in (None, "add"):
        _fail("scatter_update", f"`reduction` must be None or 'add', received {reduction!r}.")
    inputs, indices, updates = (ops.convert_to_tensor(unwrap(t)) for t in (inputs, indices, updates))
    shape = tuple(ops.shape(inputs))
    _scatter_check("scatter_update", indices, updates, shape)
    updates = ops.cast(updates, ops.dtype(inputs))
    if reduction == "add":
        return ops.scatter_add(inputs, indices, updates)
    zeros = ops.zeros(shape, ops.dtype(inputs))
    hit = ops.scatter_add(ops.zeros(shape, "float32"), indices,
                        ops.ones(tuple(ops.shape(updates)), "float32"))
    return ops.where(ops.greater(hit, 0.0), ops.scatter_add(zeros, indices, updates), inputs)


@primitive
def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` at ``start_indices`` (may be traced).

    Args:
        inputs: tensor.
        start_indices: one start per axis (ints or an int tensor).
        shape: the block's size per axis.
    """
    inputs = ops.convert_to_tensor(unwrap(inputs))
    shape = tuple(int(d) for d in shape)
    starts = _slice_check("slice", inputs, start_indices, shape, "shape")
    return {'start_indices': starts}


@primitive
def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``.

    Args:
        inputs: tensor.
        start_indices: one start per axis (ints or an int tensor).
        updates: tensor of the same rank that fits inside ``inputs`` there.
    """
    inputs, updates = ops.convert_to_tensor(unwrap(inputs)), ops.convert_to_tensor(unwrap(updates))
    starts = _slice_check("slice_update", inputs, start_indices, tuple(ops.shape(updates)),
                          "updates")
    return {'start_indices': starts, 'updates': ops.cast(updates, ops.dtype(inputs))}


@composite
def saturate_cast(x, dtype):
    """Cast to ``dtype`` after clipping ``x`` to the range that ``dtype`` can represent.

    Args:
        x: tensor.
        dtype: target dtype name.
    """
    x = ops.convert_to_tensor(unwrap(x))
    source, target = ops.dtype(x), str(dtype)
    in_lo, in_hi = _range_of(source)
    out_lo, out_hi = _range_of(target)
    lo, hi = builtins.max(in_lo, out_lo), builtins.min(in_hi, out_hi)
    if "float" in source and "int" in target:  # the bound must be exactly representable
        np_source = np.float32 if source == "bfloat16" else np.dtype(source).type
        while float(np_source(hi)) > hi:
            hi = float(np.nextafter(np_source(hi), np_source(0)))
        while float(np_source(lo)) < lo:
            lo = float(np.nextafter(np_source(lo), np_source(0)))
    if (lo, hi) != (in_lo, in_hi):
        cast_bound = float if "float" in source else int
        x = ops.clip(x, cast_bound(lo), cast_bound(hi))
    return ops.cast(x, target)


@composite
def unstack(x, num=None, axis=0):
    """Split ``x`` along ``axis`` into a list of tensors with that axis removed.

    Args:
        x: tensor.
        num: expected count (``x.shape[axis]``), optional.
        axis: the axis to unstack.
    """
    x = ops.convert_to_tensor(unwrap(x))
    shape = ops.shape(x)
    axis = _rank_axis("unstack", axis, len(shape))
    if num is not None and num != shape[axis]:
        _fail("unstack", f"`num`={num} does not match x.shape[{axis}]={shape[axis]}.")
    return [ops.squeeze(part, axis=axis) for part in ops.split(x, shape[axis], axis=axis)]


__all__ = [name for name in exported(__name__)]
