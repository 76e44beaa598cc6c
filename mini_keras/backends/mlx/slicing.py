"""mlx backend, dynamic slicing: slice, slice_update."""

from __future__ import annotations

import builtins

import mlx.core as mx

from mini_keras.backends.mlx.core import convert_to_numpy, convert_to_tensor


def _starts(start_indices):
    if isinstance(start_indices, list | tuple):
        return [int(convert_to_tensor(s).item()) if not isinstance(s, int) else s
                for s in start_indices]
    return [int(s) for s in convert_to_numpy(start_indices).reshape(-1)]


def _clamped(starts, shape, sizes):
    """Start indices clamped so the slice fits, as XLA's dynamic slices do."""
    return [min(max(s, 0), d - n) for s, d, n in zip(starts, shape, sizes)]


def slice(inputs, start_indices, shape):
    """``inputs[start : start + shape]`` per axis (starts clamped to fit)."""
    inputs = convert_to_tensor(inputs)
    starts = _clamped(_starts(start_indices), inputs.shape, shape)
    return inputs[tuple(builtins.slice(s, s + n) for s, n in zip(starts, shape))]


def slice_update(inputs, start_indices, updates):
    """``inputs`` with ``updates`` written at ``start_indices`` (starts clamped to fit)."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates).astype(inputs.dtype)
    starts = _clamped(_starts(start_indices), inputs.shape, updates.shape)
    return mx.slice_update(inputs, updates, mx.array(starts, dtype=mx.int32),
                           list(range(inputs.ndim)))
