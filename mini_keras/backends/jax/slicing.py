"""jax backend, dynamic slicing: slice, slice_update."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mini_keras.backends.jax.core import convert_to_tensor


def _starts(start_indices):
    if isinstance(start_indices, (list, tuple)):
        return [jnp.asarray(s, "int32") for s in start_indices]
    starts = convert_to_tensor(start_indices)
    return [starts[i] for i in range(starts.shape[0])]


def slice(inputs, start_indices, shape):
    """``lax.dynamic_slice``."""
    return jax.lax.dynamic_slice(convert_to_tensor(inputs), _starts(start_indices), tuple(shape))


def slice_update(inputs, start_indices, updates):
    """``lax.dynamic_update_slice``."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates).astype(inputs.dtype)
    return jax.lax.dynamic_update_slice(inputs, updates, _starts(start_indices))
