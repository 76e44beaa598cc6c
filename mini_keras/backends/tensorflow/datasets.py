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


def dataset_rows(dataset):
    """The samples of a ``tf.data.Dataset`` as numpy nests, and its batch size (None when it
    is not batched)."""
    batch_size = getattr(dataset, "_batch_size", None)
    if batch_size is not None:
        dataset = dataset.unbatch()
        batch_size = int(batch_size)
    return list(dataset.as_numpy_iterator()), batch_size


def _paths_and_labels(paths, labels, shuffle_buffer, seed):
    dataset = tf.data.Dataset.from_tensor_slices(list(paths))
    if labels is not None:
        dataset = tf.data.Dataset.zip((dataset, tf.data.Dataset.from_tensor_slices(labels)))
    if shuffle_buffer:
        dataset = dataset.shuffle(buffer_size=shuffle_buffer, seed=seed)
    return dataset


def _map_paths(dataset, read, labelled: bool):
    if labelled:
        return dataset.map(lambda path, label: (read(path), label),
                           num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.map(read, num_parallel_calls=tf.data.AUTOTUNE)


def _crop_to_aspect_ratio(image, size):
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    crop_height = tf.cast(tf.cast(width * size[0], "float32") / size[1], "int32")
    crop_height = tf.maximum(tf.minimum(height, crop_height), 1)
    crop_width = tf.cast(tf.cast(height * size[1], "float32") / size[0], "int32")
    crop_width = tf.maximum(tf.minimum(width, crop_width), 1)
    top = tf.cast(tf.cast(height - crop_height, "float32") / 2, "int32")
    left = tf.cast(tf.cast(width - crop_width, "float32") / 2, "int32")
    return image[top:top + crop_height, left:left + crop_width, :]


def images(paths, labels, image_size, num_channels, interpolation, data_format,
           crop_to_aspect_ratio, pad_to_aspect_ratio, batch_size, shuffle_buffer, seed):
    """Images decoded with ``tf.image.decode_image`` and resized with ``tf.image.resize``
    (float32), zipped with ``labels`` (already encoded; None: images only)."""

    def read(path):
        image = tf.image.decode_image(tf.io.read_file(path), channels=num_channels,
                                      expand_animations=False)
        if crop_to_aspect_ratio:
            image = tf.image.resize(_crop_to_aspect_ratio(image, image_size), image_size,
                                    method=interpolation)
        elif pad_to_aspect_ratio:
            image = tf.image.resize_with_pad(image, image_size[0], image_size[1],
                                             method=interpolation)
        else:
            image = tf.image.resize(image, image_size, method=interpolation)
        if data_format == "channels_first":
            image = tf.transpose(image, (2, 0, 1))
            image.set_shape((num_channels, image_size[0], image_size[1]))
        else:
            image.set_shape((image_size[0], image_size[1], num_channels))
        return image

    dataset = _map_paths(_paths_and_labels(paths, labels, shuffle_buffer, seed), read,
                         labels is not None)
    return _finish(dataset, batch_size)


def texts(paths, labels, max_length, batch_size, shuffle_buffer, seed):
    """File contents as ``tf.string`` (the first ``max_length`` bytes when given)."""

    def read(path):
        text = tf.io.read_file(path)
        return text if max_length is None else tf.strings.substr(text, 0, max_length)

    dataset = _map_paths(_paths_and_labels(paths, labels, shuffle_buffer, seed), read,
                         labels is not None)
    return _finish(dataset, batch_size)


def audios(paths, labels, output_sequence_length, ragged, batch_size, shuffle_buffer, seed):
    """WAV files decoded with ``tf.audio.decode_wav`` (float32 ``(samples, channels)``), cut
    or zero-padded to ``output_sequence_length``; batches are padded to their longest clip
    when the length is free and not ``ragged``."""
    desired = -1 if output_sequence_length is None else output_sequence_length

    def read(path):
        audio, _ = tf.audio.decode_wav(tf.io.read_file(path), desired_samples=desired)
        return tf.RaggedTensor.from_tensor(audio) if ragged else audio

    dataset = _map_paths(_paths_and_labels(paths, labels, shuffle_buffer, seed), read,
                         labels is not None).prefetch(tf.data.AUTOTUNE)
    if batch_size is not None:
        if output_sequence_length is None and not ragged:
            return dataset.padded_batch(batch_size)
        return dataset.batch(batch_size)
    return dataset
