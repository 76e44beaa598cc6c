"""tensorflow backend, the extra samplers: random_truncated_normal, random_categorical,
random_randint, random_shuffle."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import _shape_arg, _stateless_seed, convert_to_tensor
from mini_keras.common import settings as config


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``tf.random.stateless_truncated_normal`` (stateful without a seed)."""
    dtype, shape = dtype or config.floatx(), _shape_arg(shape)
    if seed is None:
        return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype)
    return tf.random.stateless_truncated_normal(shape, _stateless_seed(seed), mean, stddev,
                                                dtype=dtype)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``tf.random.stateless_categorical``."""
    logits = convert_to_tensor(logits)
    if seed is None:
        return tf.random.categorical(logits, num_samples, dtype=dtype)
    return tf.random.stateless_categorical(logits, num_samples, _stateless_seed(seed),
                                           dtype=dtype)


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integer ``stateless_uniform`` in ``[minval, maxval)``."""
    shape = _shape_arg(shape)
    if seed is None:
        return tf.random.uniform(shape, minval, maxval, dtype=dtype)
    out = tf.random.stateless_uniform(shape, _stateless_seed(seed), minval, maxval, dtype="int64")
    return tf.cast(out, dtype)


def random_shuffle(x, axis=0, seed=None):
    """Gather along ``axis`` in the order of ``argsort`` of uniform noise."""
    x = convert_to_tensor(x)
    n = tf.shape(x)[axis]
    noise = (tf.random.uniform([n]) if seed is None
             else tf.random.stateless_uniform([n], _stateless_seed(seed)))
    return tf.gather(x, tf.argsort(noise), axis=axis)
