"""Creation and shape manipulation of the numpy-like public ops.

See :mod:`mini_keras.ops.numpy_ext` for the conventions."""

from __future__ import annotations

import builtins
import math

import numpy as np

from mini_keras import config
from mini_keras.backends import current
from mini_keras.ops._common import (
    _axis,
    _int,
    _slice,
    _take_static,
    _tensor,
    _to_float,
)
from mini_keras.ops.dispatch import unwrap

__all__ = ["append", "array", "diag", "diagonal", "dsplit", "dstack", "empty", "empty_like",
    "fliplr", "flipud", "full_like", "hsplit", "hstack", "identity", "linspace", "logspace",
    "meshgrid", "moveaxis", "ndim", "ones_like", "ravel", "roll", "rot90", "size", "swapaxes",
    "trace", "tri", "tril", "triu", "vsplit", "vstack", "zeros_like"]

# ============================================================================ creation

def size(x):
    """Number of elements of ``x`` (a Python int).

    Args:
        x: input tensor.
    """
    return math.prod(current().shape(_tensor(x)))


def ndim(x):
    """Number of dimensions of ``x`` (a Python int).

    Args:
        x: input tensor.
    """
    return len(current().shape(_tensor(x)))


def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, the dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    x = _tensor(x)
    return current().zeros(current().shape(x), dtype or current().dtype(x))


def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, the dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    x = _tensor(x)
    return current().ones(current().shape(x), dtype or current().dtype(x))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` everywhere, with the shape (and, by default, dtype) of ``x``.

    Args:
        x: template tensor. fill_value: the value. dtype: result dtype.
    """
    x = _tensor(x)
    return current().full(current().shape(x), fill_value, dtype or current().dtype(x))


def empty(shape, dtype=None):
    """A tensor of ``shape`` (zeros here: backends have no uninitialised memory).

    Args:
        shape: the shape. dtype: result dtype (floatx by default).
    """
    return current().zeros(shape, dtype)


def empty_like(x, dtype=None):
    """:func:`empty` with the shape (and, by default, dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    return zeros_like(x, dtype)


def array(x, dtype=None):
    """Create a tensor from ``x`` (same as :func:`convert_to_tensor`).

    Args:
        x: data. dtype: result dtype.
    """
    return current().convert_to_tensor(unwrap(x), dtype)


def identity(n, dtype=None):
    """The ``n x n`` identity matrix.

    Args:
        n: size. dtype: result dtype (floatx by default).
    """
    return current().eye(_int("identity", "n", n), dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal of an ``N x M`` matrix.

    Args:
        N: rows. M: columns (``N`` when None). k: diagonal offset. dtype: floatx by default.
    """
    N = _int("tri", "N", N)
    M = N if M is None else _int("tri", "M", M)
    mask = np.tri(N, M, _int("tri", "k", k))
    return current().convert_to_tensor(mask, dtype or config.floatx())


def _band(op, x, k, lower):
    b = current()
    x = _tensor(x)
    shape = b.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.{op}: `x` must have rank >= 2, received shape {shape}.")
    k = _int(op, "k", k)
    mask = np.tri(*shape[-2:], k, dtype=bool) if lower else ~np.tri(*shape[-2:], k - 1, dtype=bool)
    return b.where(b.convert_to_tensor(mask), x, b.zeros((), b.dtype(x)))


def tril(x, k=0):
    """Zero the entries above the ``k``-th diagonal of the last two axes.

    Args:
        x: tensor of rank >= 2. k: diagonal offset.
    """
    return _band("tril", x, k, lower=True)


def triu(x, k=0):
    """Zero the entries below the ``k``-th diagonal of the last two axes.

    Args:
        x: tensor of rank >= 2. k: diagonal offset.
    """
    return _band("triu", x, k, lower=False)


def _grid_values(op, start, stop, num, endpoint, dtype, axis):
    """``start + i * step`` for ``i < num`` (along a new ``axis``) and the step."""
    b = current()
    num = _int(op, "num", num)
    if num < 0:
        raise ValueError(f"ops.{op}: `num` must be non-negative, received {num}.")
    start, stop = _to_float(start), _to_float(stop)
    common = np.broadcast_shapes(b.shape(start), b.shape(stop))
    start, stop = b.broadcast_to(start, common), b.broadcast_to(stop, common)
    divisor = (num - 1 if endpoint else num) or 1
    step = b.divide(b.subtract(stop, start), float(divisor))
    ramp = b.convert_to_tensor(np.arange(num), b.dtype(start))
    extra = len(b.shape(start))
    ramp = b.reshape(ramp, [num] + [1] * extra)
    out = b.add(b.expand_dims(start, 0), b.multiply(ramp, b.expand_dims(step, 0)))
    if endpoint and num > 1:  # the last point is exactly ``stop``
        out = b.concatenate([_slice(out, 0, None, -1), b.expand_dims(stop, 0)], axis=0)
    out = b.transpose(out, _moved_axes(extra + 1, 0, _axis(op, "axis", axis, extra + 1)))
    return (out if dtype is None else b.cast(out, dtype)), step


def _moved_axes(ndim, source, destination):
    order = [i for i in range(ndim) if i != source]
    order.insert(destination, source)
    return order


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (tensors allowed: the values
    run along a new ``axis``).

    Args:
        start, stop: ends. num: count. endpoint: include ``stop``. retstep: also return the
            step. dtype: result dtype (floatx by default). axis: where the values run.
    """
    out, step = _grid_values("linspace", start, stop, num, endpoint, dtype, axis)
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``.

    Args:
        start, stop: exponents of the ends. num, endpoint, dtype, axis: as :func:`linspace`.
        base: the base.
    """
    b = current()
    exponents, _ = _grid_values("logspace", start, stop, num, endpoint, None, axis)
    out = b.exp(b.multiply(exponents, math.log(base)))
    return out if dtype is None else b.cast(out, dtype)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors.

    Args:
        *x: 1-D tensors. indexing: "xy" (Cartesian, first two axes swapped) or "ij" (matrix).

    Raises:
        ValueError: unknown ``indexing``.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"ops.meshgrid: `indexing` must be 'xy' or 'ij', received {indexing!r}.")
    b = current()
    vectors = [b.reshape(_tensor(v), [-1]) for v in x]
    sizes = [b.shape(v)[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        where = (1 - i if i < 2 else i) if indexing == "xy" and len(vectors) > 1 else i
        shape = [1] * len(vectors)
        shape[where] = -1
        grids.append(b.broadcast_to(b.reshape(v, shape), sizes))
    return grids


# ============================================================================ shapes

def ravel(x):
    """Flatten to 1-D.

    Args:
        x: input tensor.
    """
    return current().reshape(_tensor(x), (-1,))


def moveaxis(x, source, destination):
    """Move axes ``source`` to positions ``destination`` (ints or equal-length sequences).

    Args:
        x: input. source, destination: axis or axes.

    Raises:
        ValueError: an axis out of range, or ``source``/``destination`` of different lengths.
    """
    b = current()
    x = _tensor(x)
    rank = len(b.shape(x))
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"ops.moveaxis: `source` {source} and `destination` {destination} "
                         "must have the same number of axes.")
    src = [_axis("moveaxis", "source", s, rank) for s in src]
    dst = [_axis("moveaxis", "destination", d, rank) for d in dst]
    order = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return b.transpose(x, order)


def swapaxes(x, axis1, axis2):
    """Exchange two axes.

    Args:
        x: input. axis1, axis2: the axes.
    """
    b = current()
    x = _tensor(x)
    rank = len(b.shape(x))
    a1, a2 = _axis("swapaxes", "axis1", axis1, rank), _axis("swapaxes", "axis2", axis2, rank)
    order = list(range(rank))
    order[a1], order[a2] = order[a2], order[a1]
    return b.transpose(x, order)


def roll(x, shift, axis=None):
    """Shift elements circularly by ``shift`` along ``axis`` (the flattened tensor when None).

    Args:
        x: input. shift: int or tuple of ints. axis: int, tuple or None.
    """
    b = current()
    x = _tensor(x)
    if axis is None:
        return b.reshape(roll(b.reshape(x, (-1,)), shift, 0), b.shape(x))
    shape = b.shape(x)
    axes = [axis] if isinstance(axis, int) else list(axis)
    shifts = [shift] * len(axes) if isinstance(shift, int) else list(shift)
    if len(shifts) != len(axes):
        raise ValueError(f"ops.roll: `shift` {shift} and `axis` {axis} differ in length.")
    for s, a in zip(shifts, axes):
        a = _axis("roll", "axis", a, len(shape))
        n = shape[a]
        if n:
            x = _take_static(x, (np.arange(n) - int(s)) % n, a)
    return x


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (from the first axis toward the
    second).

    Args:
        array: tensor of rank >= 2. k: number of quarter turns. axes: the plane.
    """
    b = current()
    x = _tensor(array)
    rank = len(b.shape(x))
    a0, a1 = (_axis("rot90", "axes", a, rank) for a in axes)
    if a0 == a1:
        raise ValueError(f"ops.rot90: `axes` must be two different axes, received {axes}.")
    k = _int("rot90", "k", k) % 4
    if k == 0:
        return x
    if k == 2:
        return b.flip(b.flip(x, a0), a1)
    if k == 1:
        return swapaxes(b.flip(x, a1), a0, a1)
    return b.flip(swapaxes(x, a0, a1), a1)


def fliplr(x):
    """Reverse axis 1.

    Args:
        x: tensor of rank >= 2.
    """
    return current().flip(_tensor(x), 1)


def flipud(x):
    """Reverse axis 0.

    Args:
        x: tensor of rank >= 1.
    """
    return current().flip(_tensor(x), 0)


def _at_least(x, rank):
    b = current()
    x = _tensor(x)
    shape = b.shape(x)
    if len(shape) >= rank:
        return x
    if rank == 2:
        return b.reshape(x, (1, -1))
    return b.reshape(x, (1, -1, 1) if len(shape) <= 1 else shape + (1,))


def vstack(xs):
    """Stack along axis 0 (1-D inputs become rows).

    Args:
        xs: sequence of tensors.
    """
    return current().concatenate([_at_least(x, 2) for x in xs], axis=0)


def hstack(xs):
    """Stack along axis 1 (along axis 0 for 1-D inputs).

    Args:
        xs: sequence of tensors.
    """
    xs = [_tensor(x) for x in xs]
    return current().concatenate(xs, axis=0 if len(current().shape(xs[0])) == 1 else 1)


def dstack(xs):
    """Stack along axis 2 (inputs are made at least 3-D first).

    Args:
        xs: sequence of tensors.
    """
    return current().concatenate([_at_least(x, 3) for x in xs], axis=2)


def _split_along(op, axis, x, indices_or_sections):
    b = current()
    x = _tensor(x)
    if len(b.shape(x)) <= axis:
        raise ValueError(f"ops.{op}: `x` must have rank > {axis}, received shape {b.shape(x)}.")
    return b.split(x, indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D inputs).

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    axis = 0 if ndim(x) == 1 else 1
    return _split_along("hsplit", axis, x, indices_or_sections)


def vsplit(x, indices_or_sections):
    """Split along axis 0.

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    return _split_along("vsplit", 0, x, indices_or_sections)


def dsplit(x, indices_or_sections):
    """Split along axis 2.

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    return _split_along("dsplit", 2, x, indices_or_sections)


def append(x1, x2, axis=None):
    """Concatenate ``x2`` after ``x1`` along ``axis`` (both flattened when None).

    Args:
        x1, x2: tensors. axis: int or None.
    """
    b = current()
    x1, x2 = _tensor(x1), _tensor(x2)
    if axis is None:
        return b.concatenate([ravel(x1), ravel(x2)], axis=0)
    return b.concatenate([x1, x2], axis=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset``-th diagonal of the 2-D slices in ``(axis1, axis2)``, as the last axis.

    Args:
        x: tensor of rank >= 2. offset: diagonal offset. axis1, axis2: the plane.

    Raises:
        ValueError: rank < 2 or ``axis1 == axis2``.
    """
    b = current()
    x = _tensor(x)
    shape = b.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.diagonal: `x` must have rank >= 2, received shape {shape}.")
    a1, a2 = _axis("diagonal", "axis1", axis1, len(shape)), _axis("diagonal", "axis2", axis2,
                                                                  len(shape))
    if a1 == a2:
        raise ValueError(f"ops.diagonal: `axis1` and `axis2` must differ, received {axis1} "
                         f"and {axis2}.")
    rest = [i for i in range(len(shape)) if i not in (a1, a2)]
    m, n = shape[a1], shape[a2]
    flat = b.reshape(b.transpose(x, rest + [a1, a2]), [shape[i] for i in rest] + [m * n])
    offset = _int("diagonal", "offset", offset)
    rows = np.arange(builtins.max(0, -offset), builtins.min(m, n - offset))
    return _take_static(flat, rows * n + rows + offset, -1)


def diag(x, k=0):
    """Diagonal of a matrix (1-D input: the square matrix with ``x`` on diagonal ``k``).

    Args:
        x: 1-D or 2-D tensor. k: diagonal offset.

    Raises:
        ValueError: ``x`` is neither 1-D nor 2-D.
    """
    b = current()
    x = _tensor(x)
    rank, k = len(b.shape(x)), _int("diag", "k", k)
    if rank == 2:
        return diagonal(x, k)
    if rank != 1:
        raise ValueError(f"ops.diag: `x` must be 1-D or 2-D, received shape {b.shape(x)}.")
    n = b.shape(x)[0]
    square = b.multiply(b.expand_dims(x, 1), b.eye(n, dtype=b.dtype(x)))
    pad = ((0, k), (k, 0)) if k >= 0 else ((-k, 0), (0, -k))
    return b.pad(square, pad)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the ``offset``-th diagonal (small ints and bool sum as int32).

    Args:
        x: tensor of rank >= 2. offset: diagonal offset. axis1, axis2: the plane.
    """
    b = current()
    x = _tensor(x)
    if b.dtype(x) in ("bool", "int8", "int16", "uint8"):
        x = b.cast(x, "int32")
    return b.sum(diagonal(x, offset, axis1, axis2), axis=-1)
