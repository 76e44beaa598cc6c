"""``keras.utils.text_dataset_from_directory``: a labelled text dataset from class folders."""

from __future__ import annotations

import functools

import numpy as np

from mini_keras.utils import directory_index
from mini_keras.utils.dataset_format import resolve_format, tf_datasets

_WHERE = "text_dataset_from_directory"
FORMATS = (".txt",)


def read_text(path, max_length=None) -> bytes:
    """A file's bytes (its first ``max_length`` bytes when given), as ``tf.io.read_file`` and
    ``tf.strings.substr`` give them."""
    with open(path, "rb") as f:
        data = f.read()
    return data if max_length is None else data[:max_length]


def _load_texts(max_length, paths):
    texts = np.empty(len(paths), dtype=object)
    texts[:] = [read_text(path, max_length) for path in paths]
    return texts


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None,
                                shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A dataset of texts (and labels) from the ``.txt`` files of ``directory`` (Keras 3's
    function and order).

    Texts are the files' raw bytes, as ``tf.string`` (``format="tf"``) or as numpy object
    arrays of ``bytes`` (``format="numpy"``: the same values ``as_numpy_iterator()`` gives for
    tf, which ``TextVectorization`` reads on every backend).

    Args:
        directory: the folder; with ``labels="inferred"`` each sub-folder is a class.
        labels: "inferred", None (texts only) or a list/tuple of int labels, one per file in
            alphanumeric path order.
        label_mode: "int" (int32), "categorical" (float32 one-hot), "binary" (float32
            ``(n, 1)``; 2 classes) or None.
        class_names: the classes (sub-folder names) to use, in label order.
        batch_size: texts per batch; None yields single texts.
        max_length: keep the first ``max_length`` bytes of each file.
        shuffle, seed: shuffle the files (``numpy.random.RandomState(seed)``; for
            ``format="tf"`` also a ``tf.data`` shuffle buffer of 8 batches, as Keras).
        validation_split, subset: "training", "validation" (the last ``validation_split``
            fraction of the files) or "both" (a list of the two datasets).
        follow_links: walk sub-folders that are symbolic links.
        format: "tf" (a ``tf.data.Dataset``) or "numpy" (a framework-free
            :class:`NumpyDataset`); see ``mini_keras.utils.dataset_format``.
        verbose: print how many files and classes were found.

    Returns:
        A dataset of ``texts`` or ``(texts, labels)`` batches with ``.class_names`` (a list of
        two for ``subset="both"``).
    """
    fmt = resolve_format(format, _WHERE)
    labels, label_mode = directory_index.check_arguments(
        _WHERE, "text", labels, label_mode, class_names, validation_split, subset, shuffle,
        seed)
    if max_length is not None and (not isinstance(max_length, (int, np.integer))
                                   or max_length < 0):
        raise ValueError(f"{_WHERE}: `max_length` must be None or an int >= 0, received "
                         f"max_length={max_length!r}")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = directory_index.index_directory(
        _WHERE, directory, labels, FORMATS, class_names, shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{_WHERE}: label_mode='binary' needs exactly 2 classes, received "
                         f"class_names={class_names}")
    parts = directory_index.subsets(_WHERE, "text", directory, paths, labels,
                                    validation_split, subset, shuffle, FORMATS)

    def tf_build(part_paths, encoded, size, buffer, part_seed):
        return tf_datasets().texts(part_paths, encoded, max_length, size, buffer, part_seed)

    datasets = directory_index.build(parts, label_mode, class_names, batch_size, seed, fmt,
                                     tf_build, functools.partial(_load_texts, max_length),
                                     file_paths=False)
    return datasets if subset == "both" else datasets[0]
