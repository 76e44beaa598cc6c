"""Every data source ``fit``/``evaluate``/``predict`` take, behind one interface.

``get_data_adapter`` picks the adapter for a source; the trainer iterates an ``EpochIterator``
over it and never knows what the source was. Framework objects (tf.data, DataLoader, tensors)
are recognized by the module name of their type, so TensorFlow or torch is never imported for
a user who does not hand one in.
"""

from __future__ import annotations

import types

import numpy as np

from mini_keras.trainers.data_adapters.array_adapter import ArrayAdapter
from mini_keras.trainers.data_adapters.base import DataAdapter, check_batch_size, framework_of
from mini_keras.trainers.data_adapters.epoch_iterator import EpochIterator
from mini_keras.trainers.data_adapters.iterable_adapters import (
    GeneratorAdapter,
    TFDatasetAdapter,
    TorchDataLoaderAdapter,
)
from mini_keras.trainers.data_adapters.py_dataset import PyDataset, PyDatasetAdapter

SUPPORTED = ("numpy arrays, Python lists of numbers, pandas DataFrames/Series, tensors of "
             "torch/TensorFlow/JAX (or dicts/lists of these, one per input), a Python generator "
             "or iterator, a keras.utils.PyDataset, a tf.data.Dataset, a torch DataLoader")


def _mro_match(value, name: str, module_prefix: str) -> bool:
    return any(cls.__name__ == name and cls.__module__.startswith(module_prefix)
               for cls in type(value).__mro__)


def is_tf_dataset(value) -> bool:
    """A ``tf.data.Dataset`` (checked by class name; TensorFlow is not imported)."""
    return _mro_match(value, "DatasetV2", "tensorflow.")


def is_torch_dataloader(value) -> bool:
    """A ``torch.utils.data.DataLoader`` (checked by class name; torch is not imported)."""
    return _mro_match(value, "DataLoader", "torch.utils.data")


def is_py_dataset(value) -> bool:
    """Our PyDataset, or Keras' own (same interface)."""
    return isinstance(value, PyDataset) or _mro_match(value, "PyDataset", "keras.")


def _is_array_like(leaf) -> bool:
    if leaf is None or isinstance(leaf, (np.ndarray, list, tuple, np.number)):
        return True  # tensors of every framework have __array__; datasets and loaders do not
    return framework_of(leaf) == "pandas" or hasattr(leaf, "__array__")


def _leaves(structure):
    if isinstance(structure, dict):
        for v in structure.values():
            yield from _leaves(v)
    elif isinstance(structure, (list, tuple)) and structure and not isinstance(
            structure[0], (int, float, bool, np.number)):
        for v in structure:
            yield from _leaves(v)
    else:
        yield structure


def is_array_source(*structures) -> bool:
    """True when every leaf of the nests is array-like (the ArrayAdapter's kind)."""
    return all(_is_array_like(leaf) for s in structures for leaf in _leaves(s))


def _refuse(where: str, argument: str, kind: str, value) -> None:
    if value is not None:
        raise ValueError(f"{where}(): when x is {kind}, `{argument}` must not be passed "
                         f"(received {argument}={_short(value)}); the {kind} provides it"
                         + (" (it yields whole batches)." if argument.endswith("batch_size")
                            else " as part of each batch."))


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else f"<{type(value).__name__}>"


def get_data_adapter(x, y=None, sample_weight=None, batch_size=None, steps=None,
                     shuffle=False, rng=None, where: str = "fit",
                     batch_size_name: str = "batch_size") -> DataAdapter:
    """Return the adapter for ``x`` (and ``y``/``sample_weight`` when x is arrays).

    Args:
        x, y, sample_weight: the user's data.
        batch_size: samples per batch for arrays (None: 32); must be None for other sources.
        steps: ``steps_per_epoch``/``steps`` (sets the array batch size when batch_size is None).
        shuffle: arrays only (True, False or "batch"); other sources are read in their own
            order, as in Keras (shuffle them yourself: ``Dataset.shuffle``,
            ``DataLoader(shuffle=True)``).
        rng: numpy Generator for array shuffling.
        where: "fit", "evaluate" or "predict", for messages.

    Raises:
        ValueError: ``batch_size``/``y``/``sample_weight`` with a source that makes batches, or
            a bad ``batch_size``.
        TypeError: an unsupported object (the message lists the supported kinds).
    """
    check_batch_size(batch_size, where, batch_size_name)
    if isinstance(x, DataAdapter):
        return x
    if x is None:
        raise ValueError(f"{where}(): x is None; expected {SUPPORTED}.")
    if is_py_dataset(x):
        kind, make = "a PyDataset", lambda: PyDatasetAdapter(x, f"{where}(x)", shuffle=shuffle)
    elif is_tf_dataset(x):
        kind, make = "a tf.data.Dataset", lambda: TFDatasetAdapter(x, f"{where}(x)")
    elif is_torch_dataloader(x):
        kind, make = "a torch DataLoader", lambda: TorchDataLoaderAdapter(x, f"{where}(x)")
    elif isinstance(x, types.GeneratorType) or (hasattr(x, "__next__")
                                                 and hasattr(x, "__iter__")):
        kind, make = "a generator", lambda: GeneratorAdapter(x, f"{where}(x)")
    elif is_array_source(x, y, sample_weight):
        return ArrayAdapter(x, y, sample_weight, batch_size, steps, shuffle, rng, where)
    else:
        bad = next(leaf for s in (x, y, sample_weight) for leaf in _leaves(s)
                   if not _is_array_like(leaf))
        raise TypeError(f"{where}(x): unsupported data of type {type(bad).__module__}."
                        f"{type(bad).__qualname__}; expected {SUPPORTED}.")
    _refuse(where, "y", kind, y)
    _refuse(where, "sample_weight", kind, sample_weight)
    _refuse(where, batch_size_name, kind, batch_size)
    return make()


__all__ = [
    "SUPPORTED",
    "ArrayAdapter",
    "DataAdapter",
    "EpochIterator",
    "GeneratorAdapter",
    "PyDataset",
    "PyDatasetAdapter",
    "TFDatasetAdapter",
    "TorchDataLoaderAdapter",
    "check_batch_size",
    "get_data_adapter",
    "is_array_source",
    "is_py_dataset",
    "is_tf_dataset",
    "is_torch_dataloader",
]
