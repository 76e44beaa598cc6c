"""``tf.data`` builders for ``keras.utils``' dataset functions (``format="tf"``).

``mini_keras.utils`` decides *what* the dataset holds (which samples, in which order, with
which labels) in numpy; the functions here only speak ``tf.data``. Samples are read lazily (a
``map`` over indices), as Keras' own datasets are.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def _finish(dataset, batch_size, shuffle_buffer=None, seed=None):
    if shuffle_buffer:
        dataset = dataset.shuffle(buffer_size=shuffle_buffer, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _as_tuple(structure):
    """tf.data reads a list as one tensor; Keras' structures are tuples."""
    if isinstance(structure, list):
        return tuple(_as_tuple(v) for v in structure)
    if isinstance(structure, tuple):
        return tuple(_as_tuple(v) for v in structure)
    if isinstance(structure, dict):
        return {k: _as_tuple(v) for k, v in structure.items()}
    return structure


def from_arrays(structure, batch_size=None):
    """A dataset of the rows of ``structure`` (a nest of equal-length arrays), batched when
    ``batch_size`` is given."""
    return _finish(tf.data.Dataset.from_tensor_slices(_as_tuple(structure)), batch_size)


def timeseries(data, targets, positions, sequence_length, sampling_rate, batch_size,
               shuffle_buffer, seed):
    """Windows ``data[p : p + sequence_length * sampling_rate : sampling_rate]`` for each start
    ``p`` of ``positions`` (in that order), zipped with ``targets[p]`` when given.

    Args:
        data, targets: numpy arrays already cut to ``[start_index:end_index]``.
        positions: int array of window starts.
        shuffle_buffer, seed: element shuffle before batching (0/None: none).
    """
    data = tf.constant(data)
    offsets = tf.range(sequence_length, dtype=tf.int64) * sampling_rate
    starts = tf.data.Dataset.from_tensor_slices(np.asarray(positions, "int64"))
    if targets is None:
        dataset = starts.map(lambda p: tf.gather(data, p + offsets))
    else:
        targets = tf.constant(targets)
        dataset = starts.map(lambda p: (tf.gather(data, p + offsets), tf.gather(targets, p)))
    return _finish(dataset, batch_size, shuffle_buffer, seed)


def from_loader(length, load, specs, batch_size=None, shuffle_buffer=None, seed=None):
    """A dataset of ``load(i)`` for ``i`` in ``range(length)``, read lazily.

    Args:
        load: ``load(i) -> tuple of numpy arrays`` (one sample).
        specs: ``[(shape, dtype), ...]`` of the tuple's entries.
    """
    dtypes = [tf.as_dtype(dtype) for _, dtype in specs]

    def read(i):
        values = tf.numpy_function(lambda j: tuple(load(int(j))), [i], dtypes)
        values = [tf.ensure_shape(v, shape) for v, (shape, _) in zip(values, specs)]
        return tuple(values) if len(values) > 1 else values[0]

    dataset = tf.data.Dataset.range(length).map(read)
    return _finish(dataset, batch_size, shuffle_buffer, seed)


def dataset_rows(dataset):
    """The samples of a ``tf.data.Dataset`` as numpy nests, and its batch size (None when it
    is not batched)."""
    batch_size = getattr(dataset, "_batch_size", None)
    if batch_size is not None:
        dataset = dataset.unbatch()
        batch_size = int(batch_size)
    return list(dataset.as_numpy_iterator()), batch_size
