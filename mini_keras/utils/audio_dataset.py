"""``keras.utils.audio_dataset_from_directory``: a labelled ``.wav`` dataset from class folders.

Keras 3's function has no ``format`` argument: it returns a ``tf.data.Dataset`` when
TensorFlow is installed and, without TensorFlow, the framework-free :class:`NumpyDataset`
(WAV files read with the standard library's ``wave``).
"""

from __future__ import annotations

import functools
import wave

import numpy as np

from mini_keras.utils import directory_index
from mini_keras.utils.dataset_format import resolve_format, tf_datasets

_WHERE = "audio_dataset_from_directory"
ALLOWED_FORMATS = (".wav",)


def read_wav(path, output_sequence_length=None) -> np.ndarray:
    """A 16-bit PCM WAV file as float32 ``(samples, channels)`` in [-1, 1), as
    ``tf.audio.decode_wav``; cut or zero-padded to ``output_sequence_length`` when given.

    Raises:
        ValueError: not a 16-bit PCM WAV file.
    """
    try:
        with wave.open(str(path), "rb") as f:
            width, channels, frames = f.getsampwidth(), f.getnchannels(), f.getnframes()
            raw = f.readframes(frames)
    except (wave.Error, EOFError) as e:
        raise ValueError(f"{_WHERE}: cannot read {path!r} as a PCM WAV file: {e}") from e
    if width != 2:
        raise ValueError(f"{_WHERE}: {path!r} has {8 * width}-bit samples; only 16-bit PCM "
                         "WAV files are supported (as tf.audio.decode_wav)")
    audio = (np.frombuffer(raw, dtype="<i2").astype("float32") / 32768.0).reshape(-1, channels)
    if output_sequence_length is not None:
        audio = audio[:output_sequence_length]
        if len(audio) < output_sequence_length:
            pad = np.zeros((output_sequence_length - len(audio), channels), "float32")
            audio = np.concatenate([audio, pad])
    return audio


def _load_clips(output_sequence_length, paths):
    return _stack_padded([read_wav(path, output_sequence_length) for path in paths])


def _stack_padded(clips: list) -> np.ndarray:
    """Clips zero-padded to the longest (``tf.data``'s ``padded_batch``)."""
    longest = max(len(c) for c in clips)
    out = np.zeros((len(clips), longest, clips[0].shape[1]), "float32")
    for i, clip in enumerate(clips):
        out[i, :len(clip)] = clip
    return out


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, batch_size=32, sampling_rate=None,
                                 output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None,
                                 follow_links=False, verbose=True):
    """A dataset of audio clips (and labels) from the ``.wav`` files of ``directory`` (Keras
    3's function and order).

    Args:
        directory: the folder; with ``labels="inferred"`` each sub-folder is a class.
        labels: "inferred", None (clips only) or a list/tuple of int labels, one per file in
            alphanumeric path order.
        label_mode: "int" (int32), "categorical" (float32 one-hot), "binary" (float32
            ``(n, 1)``; 2 classes) or None.
        class_names: the classes (sub-folder names) to use, in label order.
        batch_size: clips per batch (padded with zeros to the longest clip of the batch when
            ``output_sequence_length`` is None); None yields single clips.
        sampling_rate: resampling rate; not supported (Keras 3 needs tensorflow-io for it):
            only None is accepted.
        output_sequence_length: cut or zero-pad every clip to this many samples.
        ragged: yield ``tf.RaggedTensor`` clips (TensorFlow only).
        shuffle, seed: shuffle the files (``numpy.random.RandomState(seed)``; with TensorFlow
            also a ``tf.data`` shuffle buffer of 8 batches, as Keras).
        validation_split, subset: "training", "validation" (the last ``validation_split``
            fraction of the files) or "both" (a tuple of the two datasets).
        follow_links: walk sub-folders that are symbolic links.
        verbose: print how many files and classes were found.

    Returns:
        A dataset of ``audio`` ``(batch, samples, channels)`` or ``(audio, labels)`` batches
        with ``.class_names`` (a tuple of two for ``subset="both"``).
    """
    return audio_datasets(directory, labels, label_mode, class_names, batch_size,
                          sampling_rate, output_sequence_length, ragged, shuffle, seed,
                          validation_split, subset, follow_links, verbose,
                          resolve_format("tf", _WHERE))


def audio_datasets(directory, labels, label_mode, class_names, batch_size, sampling_rate,
                   output_sequence_length, ragged, shuffle, seed, validation_split, subset,
                   follow_links, verbose, fmt: str):
    """:func:`audio_dataset_from_directory` building ``fmt`` ("tf" or "numpy") datasets."""
    labels, label_mode = directory_index.check_arguments(
        _WHERE, "audio", labels, label_mode, class_names, validation_split, subset, shuffle,
        seed)
    if ragged and output_sequence_length is not None:
        raise ValueError(f"{_WHERE}: `ragged` and `output_sequence_length` cannot both be set")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int) or sampling_rate <= 0:
            raise ValueError(f"{_WHERE}: `sampling_rate` must be a positive int, received "
                             f"sampling_rate={sampling_rate!r}")
        raise NotImplementedError(f"{_WHERE}: resampling (sampling_rate={sampling_rate}) is "
                                  "not supported; pass sampling_rate=None and resample the "
                                  "files beforehand")
    if ragged and fmt == "numpy":
        raise NotImplementedError(f"{_WHERE}: ragged=True needs TensorFlow (tf.RaggedTensor); "
                                  "without it, pass output_sequence_length or leave batches "
                                  "padded (ragged=False)")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = directory_index.index_directory(
        _WHERE, directory, labels, ALLOWED_FORMATS, class_names, shuffle, seed, follow_links,
        verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{_WHERE}: label_mode='binary' needs exactly 2 classes, received "
                         f"class_names={class_names}")
    parts = directory_index.subsets(_WHERE, "audio", directory, paths, labels,
                                    validation_split, subset, shuffle, ALLOWED_FORMATS)

    def tf_build(part_paths, encoded, size, buffer, part_seed):
        return tf_datasets().audios(part_paths, encoded, output_sequence_length, ragged, size,
                                    buffer, part_seed)

    datasets = directory_index.build(parts, label_mode, class_names, batch_size, seed, fmt,
                                     tf_build, functools.partial(_load_clips,
                                                                 output_sequence_length),
                                     file_paths=False)
    return tuple(datasets) if subset == "both" else datasets[0]
