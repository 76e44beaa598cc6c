"""Tensor creation (zeros, linspace, tri...), size queries and diagonals.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from mini_keras import config, ops
from mini_keras.ops.checks import (
    _axis,
    _int,
    _slice,
    _take_static,
    _tensor,
    _to_float,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _moved_axes(ndim, source, destination):
    order = [i for i in range(ndim) if i != source]
    order.insert(destination, source)
    return order


def _grid_values(op, start, stop, num, endpoint, dtype, axis):
    """``start + i * step`` for ``i < num`` (along a new ``axis``) and the step."""
    num = _int(op, "num", num)
    if num < 0:
        raise ValueError(f"ops.{op}: `num` must be non-negative, received {num}.")
    start, stop = _to_float(start), _to_float(stop)
    common = np.broadcast_shapes(ops.shape(start), ops.shape(stop))
    start, stop = ops.broadcast_to(start, common), ops.broadcast_to(stop, common)
    divisor = (num - 1 if endpoint else num) or 1
    step = ops.divide(ops.subtract(stop, start), float(divisor))
    ramp = ops.convert_to_tensor(np.arange(num), ops.dtype(start))
    extra = len(ops.shape(start))
    ramp = ops.reshape(ramp, [num] + [1] * extra)
    out = ops.add(ops.expand_dims(start, 0), ops.multiply(ramp, ops.expand_dims(step, 0)))
    if endpoint and num > 1:  # the last point is exactly ``stop``
        out = ops.concatenate([_slice(out, 0, None, -1), ops.expand_dims(stop, 0)], axis=0)
    out = ops.transpose(out, _moved_axes(extra + 1, 0, _axis(op, "axis", axis, extra + 1)))
    return (out if dtype is None else ops.cast(out, dtype)), step


def _band(op, x, k, lower):
    x = _tensor(x)
    shape = ops.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.{op}: `x` must have rank >= 2, received shape {shape}.")
    k = _int(op, "k", k)
    mask = np.tri(*shape[-2:], k, dtype=bool) if lower else ~np.tri(*shape[-2:], k - 1, dtype=bool)
    return ops.where(ops.convert_to_tensor(mask), x, ops.zeros((), ops.dtype(x)))


@primitive
def zeros(shape, dtype=None):
    ...


@primitive
def ones(shape, dtype=None):
    ...


@primitive
def full(shape, fill_value, dtype=None):
    ...


@primitive
def arange(start, stop=None, step=1, dtype=None):
    ...


@primitive
def eye(N, M=None, k=0, dtype=None):
    ...


@composite
def array(x, dtype=None):
    """Create a tensor from ``x`` (same as :func:`convert_to_tensor`).

    Args:
        x: data. dtype: result dtype.
    """
    return ops.convert_to_tensor(unwrap(x), dtype)


@composite
def empty(shape, dtype=None):
    """A tensor of ``shape`` (zeros here: backends have no uninitialised memory).

    Args:
        shape: the shape. dtype: result dtype (floatx by default).
    """
    return ops.zeros(shape, dtype)


@composite
def empty_like(x, dtype=None):
    """:func:`empty` with the shape (and, by default, dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    return ops.zeros_like(x, dtype)


@composite
def full_like(x, fill_value, dtype=None):
    """``fill_value`` everywhere, with the shape (and, by default, dtype) of ``x``.

    Args:
        x: template tensor. fill_value: the value. dtype: result dtype.
    """
    x = _tensor(x)
    return ops.full(ops.shape(x), fill_value, dtype or ops.dtype(x))


@composite
def identity(n, dtype=None):
    """The ``n x n`` identity matrix.

    Args:
        n: size. dtype: result dtype (floatx by default).
    """
    return ops.eye(_int("identity", "n", n), dtype=dtype)


@composite
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (tensors allowed: the values
    run along a new ``axis``).

    Args:
        start, stop: ends. num: count. endpoint: include ``stop``. retstep: also return the
            step. dtype: result dtype (floatx by default). axis: where the values run.
    """
    out, step = _grid_values("linspace", start, stop, num, endpoint, dtype, axis)
    return (out, step) if retstep else out


@composite
def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``.

    Args:
        start, stop: exponents of the ends. num, endpoint, dtype, axis: as :func:`linspace`.
        base: the base.
    """
    exponents, _ = _grid_values("logspace", start, stop, num, endpoint, None, axis)
    out = ops.exp(ops.multiply(exponents, math.log(base)))
    return out if dtype is None else ops.cast(out, dtype)


@composite
def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors.

    Args:
        *x: 1-D tensors. indexing: "xy" (Cartesian, first two axes swapped) or "ij" (matrix).

    Raises:
        ValueError: unknown ``indexing``.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"ops.meshgrid: `indexing` must be 'xy' or 'ij', received {indexing!r}.")
    vectors = [ops.reshape(_tensor(v), [-1]) for v in x]
    sizes = [ops.shape(v)[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        where = (1 - i if i < 2 else i) if indexing == "xy" and len(vectors) > 1 else i
        shape = [1] * len(vectors)
        shape[where] = -1
        grids.append(ops.broadcast_to(ops.reshape(v, shape), sizes))
    return grids


@composite(symbolic=lambda x: x.ndim)
def ndim(x):
    """Number of dimensions of ``x`` (a Python int).

    Args:
        x: input tensor.
    """
    return len(ops.shape(_tensor(x)))


@composite
def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, the dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    x = _tensor(x)
    return ops.ones(ops.shape(x), dtype or ops.dtype(x))


@composite
def size(x):
    """Number of elements of ``x`` (a Python int).

    Args:
        x: input tensor.
    """
    return math.prod(ops.shape(_tensor(x)))


@composite
def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal of an ``N x M`` matrix.

    Args:
        N: rows. M: columns (``N`` when None). k: diagonal offset. dtype: floatx by default.
    """
    N = _int("tri", "N", N)
    M = N if M is None else _int("tri", "M", M)
    mask = np.tri(N, M, _int("tri", "k", k))
    return ops.convert_to_tensor(mask, dtype or config.floatx())


@composite
def tril(x, k=0):
    """Zero the entries above the ``k``-th diagonal of the last two axes.

    Args:
        x: tensor of rank >= 2. k: diagonal offset.
    """
    return _band("tril", x, k, lower=True)


@composite
def triu(x, k=0):
    """Zero the entries below the ``k``-th diagonal of the last two axes.

    Args:
        x: tensor of rank >= 2. k: diagonal offset.
    """
    return _band("triu", x, k, lower=False)


@composite
def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, the dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    x = _tensor(x)
    return ops.zeros(ops.shape(x), dtype or ops.dtype(x))


@composite
def diag(x, k=0):
    """Diagonal of a matrix (1-D input: the square matrix with ``x`` on diagonal ``k``).

    Args:
        x: 1-D or 2-D tensor. k: diagonal offset.

    Raises:
        ValueError: ``x`` is neither 1-D nor 2-D.
    """
    x = _tensor(x)
    rank, k = len(ops.shape(x)), _int("diag", "k", k)
    if rank == 2:
        return ops.diagonal(x, k)
    if rank != 1:
        raise ValueError(f"ops.diag: `x` must be 1-D or 2-D, received shape {ops.shape(x)}.")
    n = ops.shape(x)[0]
    square = ops.multiply(ops.expand_dims(x, 1), ops.eye(n, dtype=ops.dtype(x)))
    pad = ((0, k), (k, 0)) if k >= 0 else ((-k, 0), (0, -k))
    return ops.pad(square, pad)


@composite
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset``-th diagonal of the 2-D slices in ``(axis1, axis2)``, as the last axis.

    Args:
        x: tensor of rank >= 2. offset: diagonal offset. axis1, axis2: the plane.

    Raises:
        ValueError: rank < 2 or ``axis1 == axis2``.
    """
    x = _tensor(x)
    shape = ops.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.diagonal: `x` must have rank >= 2, received shape {shape}.")
    a1, a2 = _axis("diagonal", "axis1", axis1, len(shape)), _axis("diagonal", "axis2", axis2,
                                                                  len(shape))
    if a1 == a2:
        raise ValueError(f"ops.diagonal: `axis1` and `axis2` must differ, received {axis1} "
                         f"and {axis2}.")
    rest = [i for i in range(len(shape)) if i not in (a1, a2)]
    m, n = shape[a1], shape[a2]
    flat = ops.reshape(ops.transpose(x, rest + [a1, a2]), [shape[i] for i in rest] + [m * n])
    offset = _int("diagonal", "offset", offset)
    rows = np.arange(builtins.max(0, -offset), builtins.min(m, n - offset))
    return _take_static(flat, rows * n + rows + offset, -1)


@composite
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the ``offset``-th diagonal (small ints and bool sum as int32).

    Args:
        x: tensor of rank >= 2. offset: diagonal offset. axis1, axis2: the plane.
    """
    x = _tensor(x)
    if ops.dtype(x) in ("bool", "int8", "int16", "uint8"):
        x = ops.cast(x, "int32")
    return ops.sum(ops.diagonal(x, offset, axis1, axis2), axis=-1)


@composite
def diagflat(x, k=0):
    """The square matrix with the flattened ``x`` on diagonal ``k``.

    Args:
        x: input (flattened). k: diagonal offset.
    """
    return ops.diag(ops.reshape(_tensor(x), (-1,)), k)


@composite
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` values spaced evenly on a log scale from ``start`` to ``stop`` (same sign).

    Args:
        start, stop: the ends (non-zero, of the same sign; tensors allowed).
        num, endpoint, dtype, axis: as :func:`linspace`.
    """
    start, stop = _to_float(start), _to_float(stop)
    sign = ops.sign(start)
    exponents, _ = _grid_values("geomspace", ops.log(ops.abs(start)), ops.log(ops.abs(stop)),
                                num, endpoint, None, axis)
    out = ops.multiply(ops.exp(exponents), sign)
    return out if dtype is None else ops.cast(out, dtype)


__all__ = [name for name in exported(__name__)]
