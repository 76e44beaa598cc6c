"""MLX backend: shapes, indexing, sorting, scatter, matmul and einsum (numpy semantics)."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from mini_keras.backends.mlx.core import _float_or, convert_to_numpy, convert_to_tensor

# ---------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""
    return mx.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""
    return mx.transpose(convert_to_tensor(x), axes)


def expand_dims(x, axis):
    """Insert a size-1 dimension at ``axis``."""
    return mx.expand_dims(convert_to_tensor(x), tuple(axis) if isinstance(axis, list) else axis)


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""
    return mx.squeeze(convert_to_tensor(x), tuple(axis) if isinstance(axis, list) else axis)


def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis."""
    return mx.concatenate([convert_to_tensor(x) for x in xs], axis=axis)


def stack(x, axis=0):
    """Join a sequence of tensors along a new axis."""
    return mx.stack([convert_to_tensor(t) for t in x], axis=axis)


def split(x, indices_or_sections, axis=0):
    """Split into a list of tensors (equal sections, or at the given indices)."""
    return list(mx.split(convert_to_tensor(x), indices_or_sections, axis=axis))


def broadcast_to(x, shape):
    """Broadcast to ``shape``."""
    return mx.broadcast_to(convert_to_tensor(x), tuple(shape))


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""
    return mx.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if isinstance(repeats, int):
        return mx.repeat(x, repeats, axis=axis)
    counts = np.asarray(repeats.tolist() if hasattr(repeats, "tolist") else repeats)
    index = np.repeat(np.arange(x.shape[axis]), np.broadcast_to(counts, (x.shape[axis],)))
    return mx.take(x, mx.array(index.astype(np.int32)), axis=axis)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    return mx.flip(convert_to_tensor(x), tuple(axis) if isinstance(axis, list) else axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` = ((before, after), ...) per axis; modes constant/reflect/symmetric."""
    x = convert_to_tensor(x)
    if mode == "constant":
        return mx.pad(x, pad_width, mode="constant",
                       constant_values=0 if constant_values is None else constant_values)
    if mode not in ("reflect", "symmetric"):
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect' or 'symmetric', received {mode!r}.")
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only allowed with mode='constant', "
                         f"received mode={mode!r}.")
    # MLX pads with "constant"/"edge" only: reflect/symmetric gather mirrored indices.
    for ax, (before, after) in enumerate(pad_width):
        n = x.shape[ax]
        idx = np.arange(-before, n + after)
        if mode == "reflect":
            period = max(2 * n - 2, 1)
            idx = np.abs(idx) % period
            idx = np.where(idx >= n, period - idx, idx)
        else:
            period = 2 * n
            idx = idx % period
            idx = np.where(idx >= n, period - 1 - idx, idx)
        x = mx.take(x, mx.array(idx.astype(np.int32)), axis=ax)
    return x


# ---------------------------------------------------------------------------- indexing


def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""
    x, indices = convert_to_tensor(x), convert_to_tensor(indices)
    if axis is None:
        x, axis = x.reshape(-1), 0
    size = x.shape[axis]
    indices = mx.where(indices < 0, indices + size, indices)
    # integer indices computed from traced values (argmax...) have no VJP: stop it
    return mx.take(x, mx.stop_gradient(indices), axis=axis)


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x``."""
    x, indices = convert_to_tensor(x), convert_to_tensor(indices)
    if axis is None:
        x, indices, axis = x.reshape(-1), indices.reshape(-1), 0
    indices = mx.where(indices < 0, indices + x.shape[axis], indices)
    return mx.take_along_axis(x, mx.stop_gradient(indices), axis=axis)  # (as in take)


def _is_concrete_bool_mask(part) -> bool:
    if isinstance(part, np.ndarray):
        return part.dtype == bool and part.ndim > 0
    return isinstance(part, mx.array) and part.dtype == mx.bool_ and part.ndim > 0


def _index_key(key) -> tuple:
    """Normalize a numpy-style key; concrete bool masks become integer indices (``nonzero``)."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    for part in parts:
        if isinstance(part, list):
            part = np.asarray(part)
        if _is_concrete_bool_mask(part):
            out.extend(mx.array(i.astype(np.int32)) for i in np.nonzero(np.asarray(part)))
        elif isinstance(part, np.ndarray):
            out.append(mx.array(part))
        elif isinstance(part, mx.array) and part.ndim == 0 and part.dtype != mx.bool_:
            out.append(int(part.item()))
        else:
            out.append(part)
    return tuple(out)


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and integer/bool index arrays."""
    return convert_to_tensor(x)[_index_key(key)]


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` (floatx by default); out-of-range classes give all zeros."""
    x = convert_to_tensor(x)
    hot = mx.expand_dims(x, -1) == mx.arange(num_classes, dtype=x.dtype)
    hot = mx.stop_gradient(hot.astype(_float_or(dtype)))
    return hot if axis == -1 else mx.moveaxis(hot, -1, axis)


def sort(x, axis=-1):
    """Sort ascending along ``axis``."""
    return mx.sort(convert_to_tensor(x), axis=axis)


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32; stable, so first on ties)."""
    # MLX's argsort does not promise stability: sort on the host (indices carry no gradient).
    order = np.argsort(convert_to_numpy(x), axis=axis, kind="stable")
    return mx.array(order.astype(np.int32))


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at integer coordinates ``indices`` (shape (N, k))."""
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices)
    coords = tuple(indices[:, i] for i in range(indices.shape[-1]))
    return x.at[coords].add(convert_to_tensor(updates).astype(x.dtype))


# ---------------------------------------------------------------------------- linear algebra


def matmul(x1, x2):
    """Matrix product with numpy's batching/broadcasting rules."""
    x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
    if not (mx.issubdtype(x1.dtype, mx.inexact) or mx.issubdtype(x2.dtype, mx.inexact)):
        # MLX multiplies floating-point matrices only; integer products are exact on the host.
        return mx.array(np.matmul(convert_to_numpy(x1), convert_to_numpy(x2)))
    return mx.matmul(x1, x2)


def einsum(subscripts, *operands):
    """Einstein summation."""
    return mx.einsum(subscripts, *(convert_to_tensor(t) for t in operands))
