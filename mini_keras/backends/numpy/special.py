"""numpy backend, special reductions and functions: top_k, segment_sum, segment_max, erfinv."""

from __future__ import annotations

import math

import numpy as np

from mini_keras.backends.numpy.autodiff import data as _arr
from mini_keras.backends.numpy.autodiff import record
from mini_keras.backends.numpy.core import as_input
from mini_keras.backends.numpy.nn import _as_float, _erf


def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis: ``(values, int32 indices)``."""
    x = as_input(x)
    a = _arr(x)
    idx = np.argsort(-a, axis=-1, kind="stable")[..., :k].astype(np.int32)
    values = np.take_along_axis(a, idx, axis=-1)

    def backward(g):
        full = np.zeros(a.shape, dtype=g.dtype)
        np.put_along_axis(full, idx, g, axis=-1)  # the k indices of a row are distinct
        return (full,)
    return record(values, (x,), backward), idx


def _segments(data, segment_ids, num_segments):
    ids = np.asarray(_arr(as_input(segment_ids))).astype(np.int64)
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    return ids, (n,) + data.shape[1:]


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum rows of ``data`` per segment id (empty segments are 0)."""
    x = as_input(data)
    a = _arr(x)
    ids, out_shape = _segments(a, segment_ids, num_segments)
    out = np.zeros(out_shape, dtype=a.dtype)
    np.add.at(out, ids, a)

    def backward(g):
        return (g[ids],)
    return record(out, (x,), backward)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of rows of ``data`` per segment id (empty: -inf, or the int minimum)."""
    x = as_input(data)
    a = _arr(x)
    ids, out_shape = _segments(a, segment_ids, num_segments)
    lowest = -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min
    out = np.full(out_shape, lowest, dtype=a.dtype)
    np.maximum.at(out, ids, a)

    def backward(g):
        winners = (a == out[ids]).astype(g.dtype)
        counts = np.zeros(out_shape, dtype=g.dtype)
        np.add.at(counts, ids, winners)
        return (winners * (g / np.maximum(counts, 1))[ids],)
    return record(out, (x,), backward)


def _erfinv(y: np.ndarray) -> np.ndarray:
    """Giles' single-precision approximation refined by two Newton steps on ``erf``."""
    y64 = y.astype(np.float64)
    w = -np.log(np.maximum((1.0 - y64) * (1.0 + y64), 1e-300))
    central = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * central
    tail = np.sqrt(w) - 3.0
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        q = c + q * tail
    x = np.where(w < 5.0, p, q) * y64
    for _ in range(2):
        x = x - (_erf(x) - y64) / (2 / math.sqrt(math.pi) * np.exp(-x * x))
    x = np.where(np.abs(y64) >= 1, np.sign(y64) * np.inf, x)
    return np.where(np.isnan(y64) | (np.abs(y64) > 1), np.nan, x).astype(y.dtype)


def erfinv(x):
    """Inverse error function; gradient ``sqrt(pi) / 2 * exp(erfinv(x) ** 2)``."""
    a = _as_float(x)
    with np.errstate(all="ignore"):
        out = _erfinv(a)

    def backward(g):
        return (g * (math.sqrt(math.pi) / 2) * np.exp(out * out),)
    return record(out, (x,), backward)
