"""MLX backend: random numbers from ``mx.random``, keyed by the seed-generator state."""

from __future__ import annotations

import itertools

import mlx.core as mx
import numpy as np

from mini_keras.backends.mlx.core import _float_or, _unwrap, convert_to_tensor, mx_dtype

_unseeded = itertools.count()


def _key(seed):
    """An MLX key (uint32 pair) from ``seed`` = (seed, counter), or a fresh one from a module
    counter. Built with array ops, so a seed-generator state traced by ``mx.compile`` works."""
    if seed is None:
        return mx.random.key(next(_unseeded))
    seed = _unwrap(seed)
    if not isinstance(seed, mx.array):
        words = np.asarray(seed, dtype=np.int64).reshape(-1)
        words = np.concatenate([words, np.zeros(2, np.int64)])[:max(len(words), 2)]
        seed = mx.array(words % 2 ** 32, dtype=mx.uint32)
    return seed.reshape(-1)[:2].astype(mx.uint32)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``."""
    dtype = _float_or(dtype)
    return mx.random.uniform(minval, maxval, tuple(shape), dtype=dtype, key=_key(seed))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples with the given ``mean`` and ``stddev``."""
    dtype = _float_or(dtype)
    sample = mx.random.normal(tuple(shape), dtype=mx.float32, key=_key(seed))
    return (sample * stddev + mean).astype(dtype)


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``mx.random.truncated_normal`` on ``[-2, 2]``, scaled and shifted."""
    dtype = _float_or(dtype)
    sample = mx.random.truncated_normal(-2.0, 2.0, tuple(shape), dtype=mx.float32,
                                        key=_key(seed))
    return (sample * stddev + mean).astype(dtype)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``mx.random.categorical`` drawing ``num_samples`` per row."""
    logits = convert_to_tensor(logits)
    out = mx.random.categorical(logits, axis=-1, num_samples=int(num_samples), key=_key(seed))
    return out.astype(mx_dtype(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """``mx.random.randint`` in ``[minval, maxval)``."""
    return mx.random.randint(minval, maxval, tuple(shape), dtype=mx_dtype(dtype),
                             key=_key(seed))


def random_shuffle(x, axis=0, seed=None):
    """Permute the slices along ``axis`` (argsort of uniform keys)."""
    x = convert_to_tensor(x)
    order = mx.argsort(mx.random.uniform(shape=(x.shape[axis],), key=_key(seed)))
    return mx.take(x, order, axis=axis)
