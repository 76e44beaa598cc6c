"""TensorFlow backend: shapes, indexing, sorting, scatter, matmul and einsum (numpy semantics)."""

from __future__ import annotations

import builtins
import itertools

import numpy as np
import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor, promote
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""
    newshape = [newshape] if isinstance(newshape, (int, np.integer)) else newshape
    return tf.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""
    return tf.transpose(convert_to_tensor(x), perm=None if axes is None else list(axes))


def expand_dims(x, axis):
    """Insert size-1 dimensions at ``axis`` (an int or a tuple, as numpy)."""
    x = convert_to_tensor(x)
    if isinstance(axis, (tuple, list)):
        out_rank = x.shape.rank + len(axis)
        for a in sorted(a % out_rank for a in axis):
            x = tf.expand_dims(x, a)
        return x
    return tf.expand_dims(x, axis)


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""
    axis = [axis] if isinstance(axis, (int, np.integer)) else axis
    return tf.squeeze(convert_to_tensor(x), axis=axis)


def concatenate(xs, axis=0):
    """Join tensors along an existing axis (dtypes promoted)."""
    return tf.concat(promote(*xs), axis=axis)


def stack(x, axis=0):
    """Join tensors along a new axis (dtypes promoted)."""
    return tf.stack(promote(*x), axis=axis)


def _along(axis, rank, index):
    """Key that applies ``index`` (a slice) to dimension ``axis``."""
    return (slice(None),) * (axis % rank) + (index,)


def split(x, indices_or_sections, axis=0):
    """Split into equal sections, or at the given indices (numpy semantics)."""
    x = convert_to_tensor(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        size = x.shape[axis]
        if size is not None and size % indices_or_sections:
            raise ValueError(f"split: axis {axis} of size {size} does not divide into "
                             f"{indices_or_sections} equal sections.")
        return tf.split(x, int(indices_or_sections), axis=axis)
    bounds = [None] + [int(i) for i in indices_or_sections] + [None]
    rank = x.shape.rank
    return [x[_along(axis, rank, slice(a, b))] for a, b in itertools.pairwise(bounds)]


def broadcast_to(x, shape):
    """Broadcast to ``shape``."""
    return tf.broadcast_to(convert_to_tensor(x), shape)


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis (numpy's rank rules)."""
    x = convert_to_tensor(x)
    repeats = [repeats] if isinstance(repeats, (int, np.integer)) else list(repeats)
    while x.shape.rank < len(repeats):
        x = tf.expand_dims(x, 0)
    repeats = [1] * (x.shape.rank - len(repeats)) + repeats
    return tf.tile(x, repeats)


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    return tf.repeat(convert_to_tensor(x), repeats, axis=axis)


def flip(x, axis=None):
    """Reverse elements along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        axis = range(x.shape.rank)
    axis = [axis] if isinstance(axis, (int, np.integer)) else list(axis)
    return tf.reverse(x, axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` per axis; modes "constant", "reflect", "symmetric"."""
    x = convert_to_tensor(x)
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'symmetric', received "
                         f"{mode!r}.")
    paddings = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.shape.rank, 2))
    if mode != "constant":
        if constant_values is not None:
            raise ValueError(f"pad: constant_values is only valid with mode='constant', "
                             f"received mode={mode!r}.")
        limit = 0 if mode == "reflect" else 1  # TF reflects once: pads must fit in the axis
        for size, (before, after) in zip(x.shape, paddings):
            if size is not None and builtins.max(before, after) > size - 1 + limit:
                raise ValueError(f"pad (tensorflow): mode={mode!r} pads of at most "
                                 f"{size - 1 + limit} on an axis of size {size}, received "
                                 f"{(int(before), int(after))}.")
        return tf.pad(x, paddings, mode=mode.upper())
    value = 0 if constant_values is None else constant_values
    return tf.pad(x, paddings, constant_values=tf.cast(value, x.dtype))


# ---------------------------------------------------------------------------- indexing

def _int_indices(indices, size):
    """Int32 index tensor with negative entries wrapped (numpy allows them)."""
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        indices = tf.cast(indices, tf.int32)
    return tf.where(indices < 0, indices + tf.cast(size, indices.dtype), indices)


def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    axis = axis % x.shape.rank
    return tf.gather(x, _int_indices(indices, tf.shape(x)[axis]), axis=axis)


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x`` (broadcasting other axes)."""
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices)
    if axis is None:
        x, indices, axis = tf.reshape(x, [-1]), tf.reshape(indices, [-1]), 0
    rank = x.shape.rank
    if indices.shape.rank != rank:
        raise ValueError(f"take_along_axis: indices must have the rank of x ({rank}), "
                         f"received shape {tuple(indices.shape)}.")
    axis = axis % rank
    perm = [d for d in range(rank) if d != axis] + [axis]
    x, indices = tf.transpose(x, perm), tf.transpose(indices, perm)
    batch = tf.broadcast_dynamic_shape(tf.shape(x)[:-1], tf.shape(indices)[:-1])
    x = tf.broadcast_to(x, tf.concat([batch, tf.shape(x)[-1:]], 0))
    indices = tf.broadcast_to(indices, tf.concat([batch, tf.shape(indices)[-1:]], 0))
    out = tf.gather(x, _int_indices(indices, tf.shape(x)[-1]), batch_dims=rank - 1)
    return tf.transpose(out, np.argsort(perm))


def _is_advanced(k) -> bool:
    if isinstance(k, (list, np.ndarray)):
        return True
    return isinstance(k, (tf.Tensor, tf.Variable)) and k.shape.rank != 0


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and one integer/bool index array."""
    x = convert_to_tensor(x)
    key = key if isinstance(key, tuple) else (key,)
    advanced = [i for i, k in enumerate(key) if _is_advanced(k)]
    if not advanced:
        return x[key]
    if len(advanced) > 1:
        raise NotImplementedError(
            "getitem (tensorflow): only one integer/bool index array per key is supported, "
            f"received {len(advanced)}.")
    position = advanced[0]
    index = convert_to_tensor(key[position])
    span = index.shape.rank if index.dtype == tf.bool else 1
    basic = key[:position] + (slice(None),) * span + key[position + 1:]
    out = x[basic]
    # Dimension of `out` that the index array addresses: one per slice/None before it, and
    # whatever an Ellipsis before it expands to.
    consumed = sum(1 for k in basic if k is not None and k is not Ellipsis)
    axis = 0
    for k in key[:position]:
        if k is Ellipsis:
            axis += x.shape.rank - consumed
        elif not isinstance(k, (int, np.integer)) and not tf.is_tensor(k):
            axis += 1
    if index.dtype == tf.bool:
        out = tf.boolean_mask(out, index, axis=axis)
        new_dims = 1
    else:
        out = tf.gather(out, _int_indices(index, tf.shape(out)[axis]), axis=axis)
        new_dims = index.shape.rank
    # numpy moves the advanced dims first when ints (also advanced) are not adjacent to the array.
    ints = [i for i, k in enumerate(key)
            if isinstance(k, (int, np.integer)) or (tf.is_tensor(k) and k.shape.rank == 0)]
    spots = sorted(ints + [position])
    if axis and spots[-1] - spots[0] != len(spots) - 1:
        rank = out.shape.rank
        moved = list(range(axis, axis + new_dims))
        out = tf.transpose(out, moved + [d for d in range(rank) if d not in moved])
    return out


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` (floatx by default)."""
    x = tf.cast(convert_to_tensor(x), tf.int32)
    return tf.one_hot(x, num_classes, axis=axis, dtype=dtype or config.floatx())


def sort(x, axis=-1):
    """Sort ascending along ``axis``."""
    return tf.sort(convert_to_tensor(x), axis=axis)


def argsort(x, axis=-1):
    """Indices that stably sort ``x`` along ``axis`` (int32)."""
    return tf.argsort(convert_to_tensor(x), axis=axis, stable=True)


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at coordinates ``indices`` (shape (N, k))."""
    x = convert_to_tensor(x)
    indices = tf.cast(convert_to_tensor(indices), tf.int32)
    updates = tf.cast(convert_to_tensor(updates), x.dtype)
    return tf.tensor_scatter_nd_add(x, indices, updates)


# ---------------------------------------------------------------------------- linear algebra

def matmul(x1, x2):
    """Matrix product with numpy's rules (1-D operands, broadcast batch dims)."""
    x1, x2 = promote(x1, x2)
    if x1.shape.rank == 1 and x2.shape.rank == 1:
        return tf.reduce_sum(x1 * x2)
    if x1.shape.rank == 1:
        return tf.squeeze(tf.linalg.matmul(x1[None, :], x2), -2)
    if x2.shape.rank == 1:
        return tf.squeeze(tf.linalg.matmul(x1, x2[:, None]), -1)
    return tf.linalg.matmul(x1, x2)


def einsum(subscripts, *operands):
    """Einstein summation (operand dtypes promoted)."""
    return tf.einsum(subscripts, *promote(*operands))
