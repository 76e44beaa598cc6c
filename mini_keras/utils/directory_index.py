"""What the ``*_dataset_from_directory`` functions share: checking the label arguments, listing
the files of a class-per-folder directory (in Keras 3's order, shuffled the same way), the
training/validation split and the label encodings."""

from __future__ import annotations

import functools
import os

import numpy as np

LABEL_MODES = ("int", "categorical", "binary", None)


def check_arguments(where: str, what: str, labels, label_mode, class_names, validation_split,
                    subset, shuffle, seed):
    """Validate the label/split arguments as Keras 3 does; returns ``(labels, label_mode)``
    (both None when either is None: a dataset without labels).

    Raises:
        ValueError: the message names the function, the argument and what is supported.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"{where}: `labels` must be 'inferred', None or a list/tuple of "
                             f"integer labels, one per {what} file in the directory (in "
                             f"alphanumeric order of the paths); received labels={labels!r}")
        if class_names:
            raise ValueError(f"{where}: `class_names` can only be given with "
                             f"labels='inferred'; received labels={labels!r} and "
                             f"class_names={class_names!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"{where}: `label_mode` must be one of {LABEL_MODES}, received "
                         f"label_mode={label_mode!r}")
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"{where}: `validation_split` must be between 0 and 1, received "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(f"{where}: `subset` and `validation_split` go together; received "
                         f"validation_split={validation_split!r}, subset={subset!r}")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f"{where}: `subset` must be 'training', 'validation' or 'both', "
                         f"received subset={subset!r}")
    if validation_split and shuffle and seed is None:
        raise ValueError(f"{where}: with `validation_split` and shuffle=True, pass a `seed` so "
                         "that the training and validation subsets do not overlap")
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def _valid_files(directory: str, follow_links: bool, formats: tuple) -> list[str]:
    walk = sorted(os.walk(directory, followlinks=follow_links), key=lambda entry: entry[0])
    return [os.path.join(root, name) for root, _, files in walk for name in sorted(files)
            if name.lower().endswith(formats)]


def index_directory(where: str, directory, labels, formats: tuple, class_names=None,
                    shuffle: bool = True, seed=None, follow_links: bool = False,
                    verbose: bool = True):
    """``(file_paths, labels, class_names)`` for the files of ``directory`` with an extension
    in ``formats``, in Keras 3's order: by class folder (``class_names`` order, else sorted),
    then by walked path; shuffled with ``numpy.random.RandomState(seed)`` when ``shuffle``.

    ``labels``: "inferred" (from the class folders), None, or one int per file.
    """
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"{where}: directory {directory!r} does not exist or is not a "
                         "directory")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(subdirs):
                raise ValueError(f"{where}: `class_names` must be sub-directories of "
                                 f"{directory!r}: expected names among {subdirs}, received "
                                 f"class_names={list(class_names)}")
            subdirs = list(class_names)
    else:
        subdirs = [""]
    paths, inferred = [], []
    for index, subdir in enumerate(subdirs):
        found = _valid_files(os.path.join(directory, subdir), follow_links, formats)
        paths += found
        inferred += [index] * len(found)
    if labels == "inferred":
        labels, class_names = np.asarray(inferred, dtype="int32"), subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(f"{where}: `labels` has {len(labels)} entries but {len(paths)} "
                             f"files were found in {directory!r}; give one label per file")
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        print(f"Found {len(paths)} files." if labels is None else
              f"Found {len(paths)} files belonging to {len(class_names)} classes.")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            labels = labels.copy() if isinstance(labels, np.ndarray) else list(labels)
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def split(paths: list, labels, validation_split, subset: str | None):
    """The ``subset`` ("training"/"validation") of ``paths``/``labels``: the last
    ``int(validation_split * n)`` files are the validation ones, as in Keras 3."""
    if not validation_split:
        return paths, labels
    count = int(validation_split * len(paths))
    if subset == "training":
        print(f"Using {len(paths) - count} files for training.")
        keep = slice(None, len(paths) - count)
    else:
        print(f"Using {count} files for validation.")
        keep = slice(len(paths) - count, None)
    return paths[keep], None if labels is None else labels[keep]


def subsets(where: str, what: str, directory, paths, labels, validation_split, subset,
            shuffle: bool, formats) -> list[tuple]:
    """``[(paths, labels, shuffle)]``: one entry, or two (training, validation) for
    ``subset="both"`` (whose validation part is not shuffled further, as in Keras 3).

    Raises:
        ValueError: a subset without files.
    """
    names = ("training", "validation") if subset == "both" else (subset,)
    parts = []
    for name in names:
        part_paths, part_labels = split(paths, labels, validation_split, name)
        if not len(part_paths):
            label = f"{name} " if subset == "both" else ""
            raise ValueError(f"{where}: no {label}{what} files found in directory "
                             f"{os.fspath(directory)!r}; allowed formats: {formats}")
        parts.append((part_paths, part_labels,
                      shuffle and not (subset == "both" and name == "validation")))
    return parts


def encode_labels(labels, label_mode: str, num_classes: int) -> np.ndarray:
    """Labels as the datasets yield them: int32 for "int", float32 ``(n, 1)`` for "binary",
    float32 one-hot ``(n, num_classes)`` for "categorical"."""
    values = np.asarray(labels).astype("int32")
    if label_mode == "binary":
        return values.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[values]
    return values


def shuffle_buffer(batch_size) -> int:
    """Keras 3's shuffle buffer size: 8 batches, or 1024 samples when unbatched."""
    return batch_size * 8 if batch_size is not None else 1024


def build(parts: list, label_mode, class_names, batch_size, seed, fmt: str, tf_build,
          load_batch, file_paths: bool = True):
    """One dataset per ``(paths, labels, shuffle)`` part (a list of two for "both").

    Args:
        tf_build: ``tf_build(paths, encoded_labels, batch_size, shuffle_buffer, seed)`` -> a
            ``tf.data.Dataset`` (``fmt="tf"``).
        load_batch: ``load_batch(paths)`` -> the stacked samples (``fmt="numpy"``); a
            module-level function or a ``functools.partial`` of one, so the dataset pickles.
        file_paths: set ``.file_paths`` on the datasets (Keras 3 does for images only; ours
            always has it on the framework-free datasets).
    """
    from mini_keras.utils.numpy_dataset import NumpyDataset

    num_classes = len(class_names) if class_names else 0
    datasets = []
    for paths, labels, shuffle in parts:
        encoded = None if label_mode is None else encode_labels(labels, label_mode, num_classes)
        if fmt == "tf":
            buffer = shuffle_buffer(batch_size) if shuffle else None
            dataset = tf_build(list(paths), encoded, batch_size, buffer, seed)
        else:
            dataset = NumpyDataset.from_loader(
                functools.partial(_load, list(paths), encoded, load_batch), len(paths),
                batch_size)
        dataset.class_names = class_names
        if file_paths or fmt != "tf":
            dataset.file_paths = list(paths)
        datasets.append(dataset)
    return datasets


def _load(paths, encoded, load_batch, indices):
    samples = load_batch([paths[i] for i in indices])
    return samples if encoded is None else (samples, encoded[indices])
