"""numpy backend of contract_nn_ext: top_k, segment reductions, erfinv, control flow (Python
loops), custom_gradient on the tape, dynamic slicing and the extra random samplers.

Each differentiable op records its backward right under its forward, as in ``nn.py``.
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from mini_keras.backends import eager_loops
from mini_keras.backends.numpy.autodiff import data as _arr
from mini_keras.backends.numpy.autodiff import record
from mini_keras.backends.numpy.core import _rng, _shape_tuple, as_input, floatx_dtype, np_dtype
from mini_keras.backends.numpy.nn import _as_float, _erf
from mini_keras.backends.numpy.shapes import stack

# ---------------------------------------------------------------------------- math


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


# ---------------------------------------------------------------------------- control flow


def cond(pred, true_fn, false_fn):
    """Python branch on the value of ``pred``."""
    return true_fn() if bool(np.asarray(_arr(as_input(pred)))) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    """Python loop ``val = body_fun(i, val)``."""
    val = init_val
    for i in range(int(_arr(lower)), int(_arr(upper))):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Python ``while`` loop (at most ``maximum_iterations`` steps)."""
    return eager_loops.while_loop(cond, body, loop_vars, maximum_iterations,
                                  truth=lambda c: bool(np.asarray(_arr(c))))


def vectorized_map(function, elements):
    """Apply ``function`` to each leading-axis slice and stack the results."""
    if isinstance(elements, (list, tuple)):
        elements = [as_input(e) for e in elements]
        n = _arr(elements[0]).shape[0]
        outs = [function(tuple(e[i] for e in elements)) for i in range(n)]
    else:
        elements = as_input(elements)
        outs = [function(elements[i]) for i in range(_arr(elements).shape[0])]
    if isinstance(outs[0], (list, tuple)):
        return type(outs[0])(stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return stack(outs)


def custom_gradient(f):
    """Run ``f`` on plain arrays and record its ``grad_fn`` as the op's backward."""

    def wrapped(*args):
        out, grad_fn = f(*[_arr(a) for a in args])

        def backward(g):
            grads = grad_fn(g)
            grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
            return tuple(None if d is None else np.asarray(_arr(d)) for d in grads)
        return record(np.asarray(_arr(out)), args, backward)
    return wrapped


# ---------------------------------------------------------------------------- dynamic slicing


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


# ---------------------------------------------------------------------------- random


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples within two standard deviations (rejection sampling)."""
    rng, shape = _rng(seed), _shape_tuple(shape)
    sample = rng.standard_normal(shape)
    bad = np.abs(sample) > 2
    while bad.any():
        sample[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(sample) > 2
    target = floatx_dtype() if dtype is None else np_dtype(dtype)
    return (float(_arr(mean)) + float(_arr(stddev)) * sample).astype(target)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn with probabilities ``softmax(logits)`` (Gumbel-max trick)."""
    a = np.asarray(_arr(as_input(logits)), dtype=np.float64)
    gumbel = -np.log(-np.log(_rng(seed).random((a.shape[0], int(num_samples), a.shape[1]))))
    return np.argmax(a[:, None, :] + gumbel, axis=-1).astype(np_dtype(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """Uniform integers in ``[minval, maxval)``."""
    out = _rng(seed).integers(int(_arr(minval)), int(_arr(maxval)), _shape_tuple(shape))
    return out.astype(np_dtype(dtype))


def random_shuffle(x, axis=0, seed=None):
    """Permute the slices of ``x`` along ``axis``."""
    from mini_keras.backends.numpy.shapes import take
    x = as_input(x)
    order = _rng(seed).permutation(_arr(x).shape[axis])
    return take(x, order, axis=axis)

