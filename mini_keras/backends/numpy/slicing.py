"""numpy backend, dynamic slicing: slice, slice_update."""

from __future__ import annotations

import builtins

import numpy as np

from mini_keras.backends.numpy.autodiff import data as _arr
from mini_keras.backends.numpy.autodiff import record
from mini_keras.backends.numpy.core import as_input


def _block(start_indices, sizes):
    starts = np.asarray(_arr(as_input(start_indices))).reshape(-1)
    return tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(starts, sizes))


def slice(inputs, start_indices, shape):
    """``inputs[start : start + shape]`` on every axis."""
    x = as_input(inputs)
    a = _arr(x)
    key = _block(start_indices, shape)
    out = a[key].copy()

    def backward(g):
        full = np.zeros(a.shape, dtype=g.dtype)
        full[key] = g
        return (full,)
    return record(out, (x,), backward)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    x, u = as_input(inputs), as_input(updates)
    a = _arr(x)
    key = _block(start_indices, _arr(u).shape)
    out = a.copy()
    out[key] = _arr(u)

    def backward(g):
        g_inputs = g.copy()
        g_inputs[key] = 0
        return g_inputs, g[key]
    return record(out, (x, u), backward)
