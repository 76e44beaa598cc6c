"""Shape manipulation: reshape, transpose, join and split, pad, roll, indexing by take.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import itertools

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import (
    _axis,
    _int,
    _slice,
    _take_static,
    _tensor,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _split_along(op, axis, x, indices_or_sections):
    x = _tensor(x)
    if len(ops.shape(x)) <= axis:
        raise ValueError(f"ops.{op}: `x` must have rank > {axis}, received shape {ops.shape(x)}.")
    return ops.split(x, indices_or_sections, axis=axis)


def _at_least(x, rank):
    x = _tensor(x)
    shape = ops.shape(x)
    if len(shape) >= rank:
        return x
    if rank == 2:
        return ops.reshape(x, (1, -1))
    return ops.reshape(x, (1, -1, 1) if len(shape) <= 1 else shape + (1,))


@primitive
def reshape(x, newshape):
    ...


@primitive
def transpose(x, axes=None):
    ...


@primitive
def expand_dims(x, axis):
    ...


@primitive
def squeeze(x, axis=None):
    ...


@primitive
def concatenate(xs, axis=0):
    ...


@primitive
def stack(x, axis=0):
    ...


@primitive
def split(x, indices_or_sections, axis=0):
    ...


@primitive
def broadcast_to(x, shape):
    ...


@primitive
def tile(x, repeats):
    ...


@primitive
def repeat(x, repeats, axis=None):
    ...


@primitive
def flip(x, axis=None):
    ...


@primitive
def pad(x, pad_width, mode='constant', constant_values=None):
    ...


@primitive
def take(x, indices, axis=None):
    ...


@primitive
def take_along_axis(x, indices, axis=None):
    ...


@composite
def append(x1, x2, axis=None):
    """Concatenate ``x2`` after ``x1`` along ``axis`` (both flattened when None).

    Args:
        x1, x2: tensors. axis: int or None.
    """
    x1, x2 = _tensor(x1), _tensor(x2)
    if axis is None:
        return ops.concatenate([ops.ravel(x1), ops.ravel(x2)], axis=0)
    return ops.concatenate([x1, x2], axis=axis)


@composite
def dsplit(x, indices_or_sections):
    """Split along axis 2.

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    return _split_along("dsplit", 2, x, indices_or_sections)


@composite
def dstack(xs):
    """Stack along axis 2 (inputs are made at least 3-D first).

    Args:
        xs: sequence of tensors.
    """
    return ops.concatenate([_at_least(x, 3) for x in xs], axis=2)


@composite
def fliplr(x):
    """Reverse axis 1.

    Args:
        x: tensor of rank >= 2.
    """
    return ops.flip(_tensor(x), 1)


@composite
def flipud(x):
    """Reverse axis 0.

    Args:
        x: tensor of rank >= 1.
    """
    return ops.flip(_tensor(x), 0)


@composite
def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D inputs).

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    axis = 0 if ops.ndim(x) == 1 else 1
    return _split_along("hsplit", axis, x, indices_or_sections)


@composite
def hstack(xs):
    """Stack along axis 1 (along axis 0 for 1-D inputs).

    Args:
        xs: sequence of tensors.
    """
    xs = [_tensor(x) for x in xs]
    return ops.concatenate(xs, axis=0 if len(ops.shape(xs[0])) == 1 else 1)


@composite
def moveaxis(x, source, destination):
    """Move axes ``source`` to positions ``destination`` (ints or equal-length sequences).

    Args:
        x: input. source, destination: axis or axes.

    Raises:
        ValueError: an axis out of range, or ``source``/``destination`` of different lengths.
    """
    x = _tensor(x)
    rank = len(ops.shape(x))
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
    return ops.transpose(x, order)


@composite
def ravel(x):
    """Flatten to 1-D.

    Args:
        x: input tensor.
    """
    return ops.reshape(_tensor(x), (-1,))


@composite
def roll(x, shift, axis=None):
    """Shift elements circularly by ``shift`` along ``axis`` (the flattened tensor when None).

    Args:
        x: input. shift: int or tuple of ints. axis: int, tuple or None.
    """
    x = _tensor(x)
    if axis is None:
        return ops.reshape(ops.roll(ops.reshape(x, (-1,)), shift, 0), ops.shape(x))
    shape = ops.shape(x)
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


@composite
def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (from the first axis toward the
    second).

    Args:
        array: tensor of rank >= 2. k: number of quarter turns. axes: the plane.
    """
    x = _tensor(array)
    rank = len(ops.shape(x))
    a0, a1 = (_axis("rot90", "axes", a, rank) for a in axes)
    if a0 == a1:
        raise ValueError(f"ops.rot90: `axes` must be two different axes, received {axes}.")
    k = _int("rot90", "k", k) % 4
    if k == 0:
        return x
    if k == 2:
        return ops.flip(ops.flip(x, a0), a1)
    if k == 1:
        return ops.swapaxes(ops.flip(x, a1), a0, a1)
    return ops.flip(ops.swapaxes(x, a0, a1), a1)


@composite
def swapaxes(x, axis1, axis2):
    """Exchange two axes.

    Args:
        x: input. axis1, axis2: the axes.
    """
    x = _tensor(x)
    rank = len(ops.shape(x))
    a1, a2 = _axis("swapaxes", "axis1", axis1, rank), _axis("swapaxes", "axis2", axis2, rank)
    order = list(range(rank))
    order[a1], order[a2] = order[a2], order[a1]
    return ops.transpose(x, order)


@composite
def vsplit(x, indices_or_sections):
    """Split along axis 0.

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    return _split_along("vsplit", 0, x, indices_or_sections)


@composite
def vstack(xs):
    """Stack along axis 0 (1-D inputs become rows).

    Args:
        xs: sequence of tensors.
    """
    return ops.concatenate([_at_least(x, 2) for x in xs], axis=0)


@composite
def copy(x):
    """A copy of ``x`` (tensors are immutable here, so a conversion to a tensor).

    Args:
        x: input tensor.
    """
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.ones((), ops.dtype(x)))  # a new buffer (torch tensors mutate)


@composite
def array_split(x, indices_or_sections, axis=0):
    """Split ``x`` into ``indices_or_sections`` nearly equal parts along ``axis`` (the first
    ``size % sections`` parts are one longer).

    Args:
        x: input. indices_or_sections: number of parts (int). axis: the axis.

    Raises:
        TypeError: ``indices_or_sections`` is not an int.
    """
    sections = _int("array_split", "indices_or_sections", indices_or_sections)
    if sections < 1:
        raise ValueError(f"ops.array_split: `indices_or_sections` must be >= 1, received "
                         f"{sections}.")
    x = _tensor(x)
    axis = _axis("array_split", "axis", axis, len(ops.shape(x)))
    total = ops.shape(x)[axis]
    small, extra = divmod(total, sections)
    sizes = [small + 1] * extra + [small] * (sections - extra)
    starts = np.cumsum([0] + sizes)
    return [_slice(x, axis, int(a), int(b)) for a, b in itertools.pairwise(starts)]


@composite(keras_class="GetItem")
def get_item(x, key):
    """``x[key]``: numpy indexing with ints, slices, ``None``, ``Ellipsis`` (a list key is
    read as a tuple, as Keras 3 does).

    Args:
        x: input tensor. key: the index.
    """
    return ops.getitem(x, tuple(key) if isinstance(key, list) else key)


@composite
def unravel_index(indices, shape):
    """The coordinates in an array of ``shape`` of flat (C-order) ``indices``.

    Args:
        indices: int tensor (or Python int) of flat indices; negative ones count from the end.
        shape: the array shape (a tuple of known ints).

    Returns:
        A tuple with one tensor per dimension of ``shape``, each of ``indices``' shape and dtype.

    Raises:
        ValueError: ``shape`` holds ``None`` or a non-positive size.
    """
    sizes = tuple(shape)
    if not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in sizes):
        raise ValueError(f"ops.unravel_index: `shape` must hold positive ints, received "
                         f"shape={shape!r}.")
    rest = ops.convert_to_tensor(unwrap(indices))
    coords = []
    for size in reversed(sizes):
        coords.append(ops.mod(rest, size))
        rest = ops.floor_divide(rest, size)
    return tuple(reversed(coords))


__all__ = [name for name in exported(__name__)]
