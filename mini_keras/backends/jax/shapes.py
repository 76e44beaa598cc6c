"""JAX backend: shapes, indexing, sorting, scatter, matmul and einsum (numpy semantics)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mini_keras.backends.jax.core import _float_or, convert_to_tensor

# ---------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""
    return jnp.reshape(convert_to_tensor(x), newshape)


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""
    return jnp.transpose(convert_to_tensor(x), axes)


def expand_dims(x, axis):
    """Insert a size-1 dimension at ``axis``."""
    return jnp.expand_dims(convert_to_tensor(x), tuple(axis) if isinstance(axis, list) else axis)


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""
    return jnp.squeeze(convert_to_tensor(x), tuple(axis) if isinstance(axis, list) else axis)


def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis."""
    return jnp.concatenate([convert_to_tensor(x) for x in xs], axis=axis)


def stack(x, axis=0):
    """Join a sequence of tensors along a new axis."""
    return jnp.stack([convert_to_tensor(t) for t in x], axis=axis)


def split(x, indices_or_sections, axis=0):
    """Split into a list of tensors (equal sections, or at the given indices)."""
    return list(jnp.split(convert_to_tensor(x), indices_or_sections, axis=axis))


def broadcast_to(x, shape):
    """Broadcast to ``shape``."""
    return jnp.broadcast_to(convert_to_tensor(x), tuple(shape))


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""
    return jnp.tile(convert_to_tensor(x), repeats)


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    return jnp.repeat(convert_to_tensor(x), repeats, axis=axis)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    return jnp.flip(convert_to_tensor(x), tuple(axis) if isinstance(axis, list) else axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` = ((before, after), ...) per axis; modes constant/reflect/symmetric."""
    x = convert_to_tensor(x)
    if mode == "constant":
        return jnp.pad(x, pad_width, mode="constant",
                       constant_values=0 if constant_values is None else constant_values)
    if mode not in ("reflect", "symmetric"):
        raise ValueError(
            f"pad: mode must be 'constant', 'reflect' or 'symmetric', received {mode!r}.")
    if constant_values is not None:
        raise ValueError(f"pad: constant_values is only allowed with mode='constant', "
                         f"received mode={mode!r}.")
    return jnp.pad(x, pad_width, mode=mode)


# ---------------------------------------------------------------------------- indexing


def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""
    return jnp.take(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x``."""
    return jnp.take_along_axis(convert_to_tensor(x), convert_to_tensor(indices), axis=axis)


def _is_concrete_bool_mask(part) -> bool:
    if isinstance(part, np.ndarray):
        return part.dtype == bool and part.ndim > 0
    return (isinstance(part, jax.Array) and not isinstance(part, jax.core.Tracer)
            and part.dtype == bool and part.ndim > 0)


def _index_key(key) -> tuple:
    """Normalize a numpy-style key; concrete bool masks become integer indices (``nonzero``)."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    for part in parts:
        if isinstance(part, list):
            part = np.asarray(part)
        if _is_concrete_bool_mask(part):
            out.extend(np.nonzero(np.asarray(part)))
        else:
            out.append(part)
    return tuple(out)


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and integer/bool index arrays."""
    return convert_to_tensor(x)[_index_key(key)]


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` (floatx by default); out-of-range classes give all zeros."""
    return jax.nn.one_hot(convert_to_tensor(x), num_classes, dtype=_float_or(dtype),
                          axis=axis)


def sort(x, axis=-1):
    """Sort ascending along ``axis``."""
    return jnp.sort(convert_to_tensor(x), axis=axis)


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32; stable, so first on ties)."""
    return jnp.argsort(convert_to_tensor(x), axis=axis, stable=True).astype("int32")


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at integer coordinates ``indices`` (shape (N, k))."""
    x = convert_to_tensor(x)
    indices = convert_to_tensor(indices)
    coords = tuple(indices[:, i] for i in range(indices.shape[-1]))
    return x.at[coords].add(convert_to_tensor(updates).astype(x.dtype))


# ---------------------------------------------------------------------------- linear algebra


def matmul(x1, x2):
    """Matrix product with numpy's batching/broadcasting rules."""
    return jnp.matmul(convert_to_tensor(x1), convert_to_tensor(x2))


def einsum(subscripts, *operands):
    """Einstein summation."""
    return jnp.einsum(subscripts, *(convert_to_tensor(t) for t in operands))
