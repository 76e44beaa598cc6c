"""``keras.utils.split_dataset``: split a dataset (or arrays) into a left and a right part."""

from __future__ import annotations

import importlib.util
import random

import numpy as np

from mini_keras import config
from mini_keras.utils.dataset_format import tf_datasets, torch_datasets
from mini_keras.utils.numpy_dataset import NumpyDataset, stack_samples

_WHERE = "split_dataset"
BACKENDS = ("tensorflow", "torch", "jax", "mlx", "numpy")


def _mro_has(value, name: str, module_prefix: str) -> bool:
    return any(c.__name__ == name and c.__module__.startswith(module_prefix)
               for c in type(value).__mro__)


def _is_tf_dataset(value) -> bool:
    return _mro_has(value, "DatasetV2", "tensorflow.")


def _is_torch_dataset(value) -> bool:
    return _mro_has(value, "Dataset", "torch.utils.data")


def _check_size(name: str, size, total: int) -> None:
    if size is None:
        return
    if type(size) not in (int, float):
        raise TypeError(f"{_WHERE}: `{name}` must be an int, a float or None, received "
                        f"type({name})={type(size)}")
    if (type(size) is int and not 0 < size < total) or (type(size) is float
                                                        and not 0 < size < 1):
        raise ValueError(f"{_WHERE}: `{name}` must be a positive int smaller than {total} or "
                         f"a float in (0, 1), received {name}={size}")


def split_sizes(left_size, right_size, total: int) -> tuple[int, int]:
    """``(left, right)`` sample counts as Keras 3 computes them (floats are fractions of
    ``total``, rounded; a missing side is the complement).

    Raises:
        TypeError, ValueError: as Keras 3 (bad types, out of range, an empty side).
    """
    if left_size is None and right_size is None:
        raise ValueError(f"{_WHERE}: at least one of `left_size` or `right_size` must be "
                         "given, received left_size=None and right_size=None")
    if left_size == 0 and right_size == 0:
        raise ValueError(f"{_WHERE}: both `left_size` and `right_size` are zero")
    _check_size("left_size", left_size, total)
    _check_size("right_size", right_size, total)
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError(f"{_WHERE}: left_size + right_size is greater than 1 "
                         f"({left_size} + {right_size})")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError(f"{_WHERE}: left_size + right_size = {left + right} is more than the "
                         f"{total} samples of the dataset")
    for count, side in ((left, "left"), (right, "right")):
        if count == 0:
            raise ValueError(f"{_WHERE}: with a dataset of {total} samples, left_size="
                             f"{left_size} and right_size={right_size} leave the {side} "
                             "split empty")
    return int(left), int(right)


def _arrays_of(dataset):
    """(nest of arrays over the samples, batch size or None, number of samples)."""
    if isinstance(dataset, np.ndarray):
        return dataset, None, len(dataset)
    if isinstance(dataset, (list, tuple)):
        kind = type(dataset).__name__
        if not dataset:
            raise ValueError(f"{_WHERE}: received an empty {kind}; expected a non-empty {kind} "
                             "of numpy arrays of the same length")
        for i, element in enumerate(dataset):
            if not isinstance(element, np.ndarray):
                raise ValueError(  # noqa: TRY004 (Keras 3 raises ValueError here)
                    f"{_WHERE}: expected a {kind} of numpy.ndarray, received "
                    f"{type(element).__name__} at index {i}")
            if len(element) != len(dataset[0]):
                raise ValueError(f"{_WHERE}: the arrays of the {kind} have different lengths: "
                                 f"{len(dataset[0])} at index 0, {len(element)} at index {i}")
        return tuple(dataset), None, len(dataset[0])
    if isinstance(dataset, NumpyDataset):
        samples = list(dataset.unbatch() if dataset.batch_size else dataset)
        return stack_samples(samples), dataset.batch_size, len(samples)
    if _is_tf_dataset(dataset):
        samples, batch_size = tf_datasets().dataset_rows(dataset)
        if not samples:
            raise ValueError(f"{_WHERE}: the tf.data.Dataset is empty")
        return stack_samples(samples), batch_size, len(samples)
    raise TypeError(f"{_WHERE}: `dataset` must be a tf.data.Dataset, a torch Dataset, a "
                    "mini_keras NumpyDataset, a numpy array or a list/tuple of arrays of the "
                    f"same length; received {type(dataset).__module__}."
                    f"{type(dataset).__qualname__}")


def _take(structure, indices):
    if isinstance(structure, dict):
        return {k: _take(v, indices) for k, v in structure.items()}
    if isinstance(structure, tuple):
        return tuple(_take(v, indices) for v in structure)
    return structure[indices]


def _preferred(dataset, preferred_backend) -> str:
    if preferred_backend is not None:
        if preferred_backend not in BACKENDS:
            raise ValueError(f"{_WHERE}: `preferred_backend` must be None or one of "
                             f"{BACKENDS}, received {preferred_backend!r}")
        return preferred_backend
    if _is_torch_dataset(dataset):
        return "torch"
    if _is_tf_dataset(dataset):
        return "tensorflow"
    if isinstance(dataset, NumpyDataset):
        return "numpy"
    # Arrays: the current backend's kind, as Keras 3 (every backend but torch gives tf.data;
    # the framework-free kind only when asked for by name).
    return "torch" if config.backend() == "torch" else "tensorflow"


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Split ``dataset`` into a left and a right dataset (Keras 3's function).

    The left split is the first ``left_size`` samples and the right split the last
    ``right_size`` (after shuffling with ``random.Random(seed)`` when ``shuffle``, the same
    order as Keras 3). A batched dataset is split by samples and both splits are batched
    alike.

    Args:
        dataset: a ``tf.data.Dataset``, a ``torch.utils.data.Dataset``, a
            :class:`NumpyDataset`, a numpy array or a list/tuple of equal-length arrays.
        left_size: int (samples) or float in (0, 1) (fraction); None: the complement of
            ``right_size``.
        right_size: as ``left_size``, for the right split.
        shuffle: shuffle the samples before splitting.
        seed: shuffling seed.
        preferred_backend: the kind of the two datasets returned: "torch" gives
            ``torch.utils.data`` datasets, "numpy" framework-free :class:`NumpyDataset`s, any
            other backend name ``tf.data.Dataset``s (a NumpyDataset when TensorFlow is not
            installed). None: the input's own kind (a torch, tf.data or NumpyDataset) or, for
            arrays, the current backend's, as Keras 3 (torch datasets on torch, else tf.data).

    Returns:
        ``(left, right)`` datasets.
    """
    kind = _preferred(dataset, preferred_backend)
    if kind == "torch" and (_is_torch_dataset(dataset)
                            or isinstance(dataset, (np.ndarray, list, tuple))):
        total = len(dataset) if _is_torch_dataset(dataset) else _arrays_of(dataset)[2]
        left, right = split_sizes(left_size, right_size, total)
        return torch_datasets().split(dataset, left, right, shuffle, seed)
    if _is_torch_dataset(dataset):
        dataset = [np.stack([np.asarray(part) for part in column])
                   for column in zip(*[s if isinstance(s, (list, tuple)) else (s,)
                                       for s in dataset])]
        dataset = dataset[0] if len(dataset) == 1 else tuple(dataset)
    arrays, batch_size, total = _arrays_of(dataset)
    left, right = split_sizes(left_size, right_size, total)
    order = list(range(total))
    if shuffle:
        random.Random(random.randint(0, int(1e6)) if seed is None else seed).shuffle(order)
    order = np.asarray(order)
    halves = (_take(arrays, order[:left]), _take(arrays, order[total - right:]))
    if kind == "numpy" or importlib.util.find_spec("tensorflow") is None:
        return tuple(NumpyDataset(half, batch_size) for half in halves)
    return tuple(tf_datasets().from_arrays(half, batch_size) for half in halves)
