"""``mini_keras.random``: seeded random tensors on the current backend."""

from __future__ import annotations

import numpy as np

from mini_keras import backends
from mini_keras.core.seed_generator import SeedGenerator

__all__ = ["SeedGenerator", "uniform", "normal", "dropout"]


def _seed(seed):
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return None
    return np.array([int(seed) % 2**31, 0], dtype="int32")


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``; ``seed`` is an int, a SeedGenerator or None."""
    return backends.current().random_uniform(tuple(shape), minval, maxval, dtype, _seed(seed))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples; ``seed`` is an int, a SeedGenerator or None."""
    return backends.current().random_normal(tuple(shape), mean, stddev, dtype, _seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability ``rate``; scale the kept ones by ``1 / (1 - rate)``."""
    b = backends.current()
    shape = tuple(noise_shape) if noise_shape is not None else tuple(b.shape(inputs))
    shape = tuple(s if s is not None else d for s, d in zip(shape, b.shape(inputs)))
    keep = b.greater_equal(b.random_uniform(shape, 0.0, 1.0, b.dtype(inputs), _seed(seed)), rate)
    return b.where(keep, b.divide(inputs, 1.0 - rate), b.zeros((), dtype=b.dtype(inputs)))
