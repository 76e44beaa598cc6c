"""PyTorch backend: shapes, indexing, sorting, scatter and linear algebra (numpy semantics)."""

from __future__ import annotations

import builtins

import numpy as np
import torch

from mini_keras.backends.torch.core import DEVICE, convert_to_tensor, to_torch_dtype
from mini_keras.backends.torch.math import normalize_axes
from mini_keras.common import settings as config


def _ints(values) -> tuple:
    """A shape-like argument (int, sequence, array or tensor) as a tuple of Python ints."""
    if isinstance(values, (torch.Tensor, np.ndarray)):
        values = values.tolist()
    if isinstance(values, (int, np.integer)):
        return (int(values),)
    return tuple(int(v) for v in values)


def _index_tensor(indices) -> torch.Tensor:
    """Integer indices as an int64 tensor on the device (torch indexes with int64)."""
    return convert_to_tensor(indices).to(torch.long)


def _promote(*tensors):
    """Cast tensors to their common dtype (torch matmul/einsum/conv need equal dtypes)."""
    common = tensors[0].dtype
    if all(t.dtype == common for t in tensors[1:]):
        return tensors
    for t in tensors[1:]:
        common = torch.promote_types(common, t.dtype)
    return [t.to(common) for t in tensors]


# ---------------------------------------------------------------------------- shapes

def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""
    return torch.reshape(convert_to_tensor(x), _ints(newshape))


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""
    x = convert_to_tensor(x)
    axes = tuple(reversed(range(x.dim()))) if axes is None else _ints(axes)
    return x.permute(axes)


def expand_dims(x, axis):
    """Insert size-1 dimensions at ``axis`` (an int or a tuple)."""
    x = convert_to_tensor(x)
    axes = normalize_axes(axis, x.dim() + len(_ints(axis)))
    for a in axes:
        x = x.unsqueeze(a)
    return x


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""
    x = convert_to_tensor(x)
    if axis is None:
        return x.squeeze()
    axes = normalize_axes(axis, x.dim())
    wrong = [a for a in axes if x.shape[a] != 1]
    if wrong:
        raise ValueError(
            f"squeeze: axis {wrong[0]} has size {x.shape[wrong[0]]}, expected 1 "
            f"(input shape {tuple(x.shape)}).")
    return x.squeeze(axes) if axes else x


def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis."""
    return torch.cat([convert_to_tensor(x) for x in xs], dim=axis)


def stack(x, axis=0):
    """Join a sequence of tensors along a new axis."""
    return torch.stack([convert_to_tensor(t) for t in x], dim=axis)


def split(x, indices_or_sections, axis=0):
    """Split into a list: ``sections`` equal parts, or at the given ``indices`` (numpy)."""
    x = convert_to_tensor(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        size = x.shape[axis]
        if size % int(indices_or_sections):
            raise ValueError(
                f"split: axis {axis} of size {size} does not divide into "
                f"{indices_or_sections} equal sections.")
        return list(torch.tensor_split(x, int(indices_or_sections), dim=axis))
    return list(torch.tensor_split(x, list(_ints(indices_or_sections)), dim=axis))


def broadcast_to(x, shape):
    """Broadcast to ``shape``."""
    return torch.broadcast_to(convert_to_tensor(x), _ints(shape))


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""
    return torch.tile(convert_to_tensor(x), _ints(repeats))


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if not isinstance(repeats, (int, np.integer)):
        repeats = _index_tensor(repeats)
        repeats = repeats.reshape(()) if repeats.numel() == 1 else repeats
    else:
        repeats = int(repeats)
    return torch.repeat_interleave(x, repeats, dim=axis)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    return torch.flip(x, normalize_axes(axis, x.dim()))


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` = ((before, after), ...); modes constant, reflect, symmetric."""
    x = convert_to_tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.dim(), 2))
    if mode == "constant":
        flat = [int(w) for pair in reversed(widths.tolist()) for w in pair]
        return torch.nn.functional.pad(x, flat, value=constant_values or 0)
    if mode not in ("reflect", "symmetric"):
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect' or 'symmetric', received {mode!r}.")
    # numpy's own index padding gives the exact source index of every output entry.
    for axis, (before, after) in enumerate(widths.tolist()):
        if before or after:
            source = np.pad(np.arange(x.shape[axis]), (before, after), mode=mode)
            x = torch.index_select(x, axis, torch.as_tensor(source, device=DEVICE))
    return x


# ---------------------------------------------------------------------------- indexing

def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = int(axis) % x.dim()
    indices = _index_tensor(indices)
    size = x.shape[axis]
    flat = torch.where(indices < 0, indices + size, indices).reshape(-1)
    out = torch.index_select(x, axis, flat)
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    indices = _index_tensor(indices)
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    return torch.take_along_dim(x, indices, dim=axis)


def _index_item(item):
    """One element of an index key, in a form torch accepts."""
    if item is None or item is Ellipsis or isinstance(item, (int, slice, np.integer)):
        return int(item) if isinstance(item, np.integer) else item
    tensor = convert_to_tensor(item)
    return tensor if tensor.dtype == torch.bool else tensor.to(torch.long)


def _input_dims(item) -> int:
    """How many input dimensions one key element consumes."""
    if item is None:
        return 0
    if isinstance(item, torch.Tensor) and item.dtype == torch.bool:
        return builtins.max(item.dim(), 1)
    return 1


def _mirror_negative_steps(x, key):
    """Turn negative-step slices into positive ones on a flipped axis (torch needs step > 0)."""
    ellipsis_dims = x.dim() - builtins.sum(_input_dims(k) for k in key if k is not Ellipsis)
    dim, new_key = 0, []
    for item in key:
        if item is Ellipsis:
            dim += ellipsis_dims
        elif isinstance(item, slice) and item.step is not None and item.step < 0:
            size = x.shape[dim]
            picked = range(*item.indices(size))
            x = torch.flip(x, (dim,))
            if len(picked):
                item = slice(size - 1 - picked[0], size - picked[-1], -item.step)
            else:
                item = slice(0, 0)
        new_key.append(item)
        dim += 0 if item is Ellipsis else _input_dims(item)
    return x, tuple(new_key)


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and integer/bool index arrays."""
    x = convert_to_tensor(x)
    key = key if isinstance(key, tuple) else (key,)
    key = tuple(_index_item(k) for k in key)
    x, key = _mirror_negative_steps(x, key)
    return x[key]


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` along a new ``axis`` (out-of-range values give zeros)."""
    x = convert_to_tensor(x).to(torch.long)
    classes = torch.arange(int(num_classes), device=x.device)
    encoded = (x.unsqueeze(-1) == classes).to(to_torch_dtype(dtype or config.floatx()))
    return torch.movedim(encoded, -1, axis)


def sort(x, axis=-1):
    """Sort ascending along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.sort(x, dim=axis, stable=True).values


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32, stable)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.argsort(x, dim=axis, stable=True).to(torch.int32)


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at integer coordinates ``indices`` (shape (N, k))."""
    x = convert_to_tensor(x)
    indices = _index_tensor(indices)
    updates = convert_to_tensor(updates).to(x.dtype)
    coordinates = tuple(indices[:, j] for j in range(indices.shape[1]))
    return x.index_put(coordinates, updates, accumulate=True)


# ---------------------------------------------------------------------------- linear algebra

def matmul(x1, x2):
    """Matrix product with numpy's batching/broadcasting rules."""
    return torch.matmul(*_promote(convert_to_tensor(x1), convert_to_tensor(x2)))


def einsum(subscripts, *operands):
    """Einstein summation."""
    return torch.einsum(subscripts, *_promote(*[convert_to_tensor(o) for o in operands]))
