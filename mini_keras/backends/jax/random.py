"""jax backend, the extra samplers: random_truncated_normal, random_categorical, random_randint,
random_shuffle."""

from __future__ import annotations

import jax

from mini_keras.backends.jax.core import _canonical, _float_or, _key, convert_to_tensor


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``jax.random.truncated_normal`` on ``[-2, 2]``, scaled and shifted."""
    dtype = _float_or(dtype)
    sample = jax.random.truncated_normal(_key(seed), -2.0, 2.0, tuple(shape), dtype=dtype)
    return (sample * stddev + mean).astype(dtype)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``jax.random.categorical`` drawing ``num_samples`` per row."""
    logits = convert_to_tensor(logits)
    out = jax.random.categorical(_key(seed), logits[:, None, :],
                                 shape=(logits.shape[0], int(num_samples)))
    return out.astype(_canonical(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """``jax.random.randint`` in ``[minval, maxval)``."""
    return jax.random.randint(_key(seed), tuple(shape), minval, maxval, dtype=_canonical(dtype))


def random_shuffle(x, axis=0, seed=None):
    """``jax.random.permutation`` of the slices along ``axis``."""
    return jax.random.permutation(_key(seed), convert_to_tensor(x), axis=axis, independent=False)
