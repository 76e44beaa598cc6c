"""torch backend, dynamic slicing: slice, slice_update."""

from __future__ import annotations

import builtins

import torch

from mini_keras.backends.torch.core import (
    convert_to_tensor,
)


def _block(start_indices, sizes):
    starts = start_indices.tolist() if torch.is_tensor(start_indices) else start_indices
    return tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(starts, sizes))


def slice(inputs, start_indices, shape):
    """``inputs[start : start + shape]`` on every axis."""
    return convert_to_tensor(inputs)[_block(start_indices, shape)]


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block replaced (differentiable through ``clone``)."""
    inputs, updates = convert_to_tensor(inputs), convert_to_tensor(updates)
    out = inputs.clone()
    out[_block(start_indices, updates.shape)] = updates.to(out.dtype)
    return out
