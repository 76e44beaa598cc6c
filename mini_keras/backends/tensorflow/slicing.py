"""tensorflow backend, dynamic slicing: slice, slice_update."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor


def _starts(start_indices):
    return tf.cast(tf.reshape(convert_to_tensor(start_indices), [-1]), tf.int32)


def slice(inputs, start_indices, shape):
    """``tf.slice``."""
    return tf.slice(convert_to_tensor(inputs), _starts(start_indices), list(shape))


def slice_update(inputs, start_indices, updates):
    """Pad ``updates`` into place and select it with a padded mask (dynamic starts work)."""
    inputs = convert_to_tensor(inputs)
    updates = tf.cast(convert_to_tensor(updates), inputs.dtype)
    starts = _starts(start_indices)
    ends = tf.shape(inputs) - starts - tf.shape(updates)
    paddings = tf.stack([starts, ends], axis=1)
    placed = tf.pad(updates, paddings)
    mask = tf.pad(tf.ones_like(updates, tf.bool), paddings)
    return tf.where(mask, placed, inputs)
