"""torch backend, special reductions and functions: top_k, segment_sum, segment_max, erfinv."""

from __future__ import annotations

import torch

from mini_keras.backends.torch.core import (
    _float_dtype,
    convert_to_tensor,
)


def top_k(x, k, sorted=True):
    """``torch.topk`` along the last axis (stable order on ties); int32 indices."""
    x = convert_to_tensor(x)
    order = torch.sort(x, dim=-1, descending=True, stable=True).indices[..., :k]
    return torch.gather(x, -1, order), order.to(torch.int32)


def _segments(data, segment_ids, num_segments):
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids).long()
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    index = ids.reshape((-1,) + (1,) * (data.dim() - 1)).expand_as(data)
    return data, index, (n,) + tuple(data.shape[1:])


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """``scatter_add`` of the rows into ``num_segments`` slots."""
    data, index, shape = _segments(data, segment_ids, num_segments)
    return torch.zeros(shape, dtype=data.dtype, device=data.device).scatter_add(0, index, data)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """``scatter_reduce(amax)`` into slots that start at the dtype's lowest value."""
    data, index, shape = _segments(data, segment_ids, num_segments)
    lowest = -torch.inf if data.is_floating_point() else torch.iinfo(data.dtype).min
    out = torch.full(shape, lowest, dtype=data.dtype, device=data.device)
    return out.scatter_reduce(0, index, data, reduce="amax", include_self=True)


def erfinv(x):
    """``torch.erfinv`` (ints become floatx)."""
    x = convert_to_tensor(x)
    return torch.erfinv(x if x.is_floating_point() else x.to(_float_dtype(None)))
