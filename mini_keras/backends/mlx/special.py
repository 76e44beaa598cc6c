"""mlx backend, special reductions and functions: top_k, segment_sum, segment_max, erfinv."""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from mini_keras.backends.mlx.core import _float_or, convert_to_numpy, convert_to_tensor


def top_k(x, k, sorted=True):
    """The ``k`` largest along the last axis (first index on ties); int32 indices."""
    x = convert_to_tensor(x)
    order = np.argsort(-convert_to_numpy(x).astype(np.float64), axis=-1, kind="stable")
    indices = mx.array(order[..., :k].astype(np.int32))
    return mx.take_along_axis(x, indices, axis=-1), indices


def _num_segments(segment_ids, num_segments):
    return int(np.max(convert_to_numpy(segment_ids))) + 1 if num_segments is None else num_segments


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum of ``data`` rows per segment id (scatter-add)."""
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    out = mx.zeros([_num_segments(ids, num_segments)] + list(data.shape[1:]), dtype=data.dtype)
    return out.at[ids].add(data)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Max of ``data`` rows per segment id (empty segments: the dtype's lowest value)."""
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids)
    if mx.issubdtype(data.dtype, mx.inexact):
        lowest = -np.inf
    else:
        lowest = int(np.iinfo(np.dtype(str(data.dtype).split(".")[-1])).min)
    out = mx.full([_num_segments(ids, num_segments)] + list(data.shape[1:]), lowest,
                  dtype=data.dtype)
    return out.at[ids].maximum(data)


def erfinv(x):
    """Inverse error function (ints become floatx)."""
    x = convert_to_tensor(x)
    if not mx.issubdtype(x.dtype, mx.inexact):
        x = x.astype(_float_or(None))
    return mx.erfinv(x)
