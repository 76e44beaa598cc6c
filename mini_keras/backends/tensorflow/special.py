"""tensorflow backend, special reductions and functions: top_k, segment_sum, segment_max, erfinv."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor
from mini_keras.common import settings as config


def top_k(x, k, sorted=True):
    """``tf.math.top_k`` (always sorted, stable on ties); int32 indices."""
    values, indices = tf.math.top_k(convert_to_tensor(x), k, sorted=True)
    return values, tf.cast(indices, tf.int32)


def _segments(data, segment_ids, num_segments):
    ids = tf.cast(convert_to_tensor(segment_ids), tf.int32)
    n = tf.reduce_max(ids) + 1 if num_segments is None else num_segments
    return convert_to_tensor(data), ids, n


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """``tf.math.unsorted_segment_sum``."""
    return tf.math.unsorted_segment_sum(*_segments(data, segment_ids, num_segments))


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """``tf.math.unsorted_segment_max`` (empty segments: the dtype's lowest value)."""
    data, ids, n = _segments(data, segment_ids, num_segments)
    out = tf.math.unsorted_segment_max(data, ids, n)
    if data.dtype.is_floating:  # tf fills empty segments with the finite minimum, not -inf
        empty = tf.math.unsorted_segment_sum(tf.ones_like(ids), ids, n) == 0
        empty = tf.reshape(empty, [-1] + [1] * (len(data.shape) - 1))
        out = tf.where(empty, tf.constant(-float("inf"), data.dtype), out)
    return out


def erfinv(x):
    """``tf.math.erfinv`` (ints become floatx)."""
    x = convert_to_tensor(x)
    return tf.math.erfinv(x if x.dtype.is_floating else tf.cast(x, config.floatx()))
