"""jax backend, special reductions and functions: top_k, segment_sum, segment_max, erfinv."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mini_keras.backends.jax.core import _float_or, convert_to_tensor


def top_k(x, k, sorted=True):
    """``lax.top_k`` along the last axis; int32 indices."""
    values, indices = jax.lax.top_k(convert_to_tensor(x), k)
    return values, indices.astype("int32")


def _num_segments(segment_ids, num_segments):
    return int(np.max(np.asarray(segment_ids))) + 1 if num_segments is None else num_segments


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """``jax.ops.segment_sum``."""
    ids = convert_to_tensor(segment_ids)
    return jax.ops.segment_sum(convert_to_tensor(data), ids, _num_segments(ids, num_segments),
                               indices_are_sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """``jax.ops.segment_max`` (empty segments: the dtype's lowest value)."""
    ids = convert_to_tensor(segment_ids)
    return jax.ops.segment_max(convert_to_tensor(data), ids, _num_segments(ids, num_segments),
                               indices_are_sorted=sorted)


def erfinv(x):
    """``jax.scipy.special.erfinv`` (ints become floatx)."""
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(_float_or(None))
    return jax.scipy.special.erfinv(x)
