"""The framework-free dataset the ``keras.utils`` dataset functions return with
``format="numpy"`` (or with ``format="tf"`` when TensorFlow is not installed).

It is a :class:`PyDataset` (so ``fit``/``evaluate``/``predict`` take it on every backend, with
its workers and read-ahead) whose samples are read lazily by index, plus the few ``tf.data``
methods code written for Keras calls on these datasets (``map``, ``prefetch``, ``batch``,
``unbatch``, ``take``, ``skip``, ``cardinality``, ``as_numpy_iterator``).
"""

from __future__ import annotations

import functools

import numpy as np

from mini_keras.utils.py_dataset import PyDataset


def _map_structure(fn, structure):
    if isinstance(structure, dict):
        return {k: _map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return tuple(_map_structure(fn, v) for v in structure)
    return fn(structure)


def _leaves(structure) -> list:
    if isinstance(structure, dict):
        return [leaf for v in structure.values() for leaf in _leaves(v)]
    if isinstance(structure, (list, tuple)):
        return [leaf for v in structure for leaf in _leaves(v)]
    return [structure]


def _rows(data, indices):
    return _map_structure(lambda a: a[indices], data)


def _shifted(load, offset, indices):
    return load(np.asarray(indices) + offset)


def _call(fn, element):
    return fn(*element) if isinstance(element, tuple) else fn(element)


def _map_batches(load, fn, indices):
    return _map_structure(np.asarray, _call(fn, load(indices)))


def _map_samples(load, fn, indices):
    batch = load(indices)
    samples = [_call(fn, _map_structure(lambda a, i=i: a[i], batch)) for i in range(len(indices))]
    return stack_samples(samples)


def stack_samples(samples: list):
    """Samples (arrays or tuple/dict nests of them) -> one nest of stacked arrays."""
    first = samples[0]
    if isinstance(first, dict):
        return {k: stack_samples([s[k] for s in samples]) for k in first}
    if isinstance(first, (list, tuple)):
        return tuple(stack_samples([s[i] for s in samples]) for i in range(len(first)))
    return np.stack([np.asarray(s) for s in samples])


class NumpyDataset(PyDataset):
    """A dataset of numpy samples, read lazily and batched on the host (no framework needed).

    Iterating gives batches (or single samples when ``batch_size`` is None), each a numpy
    array or a tuple/dict of them, as a ``tf.data.Dataset`` of the same data would give.

    Args:
        data: a numpy array, or a tuple/list/dict of arrays of the same length (its rows are
            the samples).
        batch_size: samples per batch; None: the dataset yields single samples.
        drop_remainder: drop a last, smaller batch.
        workers, use_multiprocessing, max_queue_size: as :class:`PyDataset`.

    Attributes:
        class_names, file_paths: set by the ``*_dataset_from_directory`` functions.

    The datasets the ``keras.utils`` functions return pickle (their loaders are module-level
    functions), so ``ds.workers = 4; ds.use_multiprocessing = True`` reads in processes.

    Example:
        >>> ds = NumpyDataset((x, y), batch_size=32)
        >>> model.fit(ds, epochs=2)
    """

    def __init__(self, data, batch_size: int | None = None, drop_remainder: bool = False,
                 workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10):
        super().__init__(workers, use_multiprocessing, max_queue_size)
        data = _map_structure(np.asarray, data)
        lengths = {len(leaf) for leaf in _leaves(data)}
        if len(lengths) != 1:
            raise ValueError(f"NumpyDataset: every array must have the same number of rows, "
                             f"received lengths {sorted(lengths)}")
        self._setup(functools.partial(_rows, data), lengths.pop(),
                    batch_size, drop_remainder)

    @classmethod
    def from_loader(cls, load, length: int, batch_size: int | None = None,
                    drop_remainder: bool = False) -> NumpyDataset:
        """A dataset whose samples ``range(length)`` are read by ``load(indices)``.

        Args:
            load: ``load(indices)`` -> the samples at the int array ``indices``, stacked (a
                numpy array or tuple/dict of them, leading axis ``len(indices)``).
        """
        dataset = cls.__new__(cls)
        PyDataset.__init__(dataset)
        dataset._setup(load, int(length), batch_size, drop_remainder)
        return dataset

    def _setup(self, load, length, batch_size, drop_remainder) -> None:
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                       or isinstance(batch_size, bool) or batch_size < 1):
            raise ValueError(f"NumpyDataset: batch_size must be a positive int or None, "
                             f"received {batch_size!r}")
        self._load, self._length = load, length
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_remainder = bool(drop_remainder)
        self.class_names = None
        self.file_paths = None

    def _derived(self, load, length, batch_size, drop_remainder) -> NumpyDataset:
        new = NumpyDataset.from_loader(load, length, batch_size, drop_remainder)
        new.class_names, new.file_paths = self.class_names, self.file_paths
        new.workers, new.use_multiprocessing = self.workers, self.use_multiprocessing
        new.max_queue_size = self.max_queue_size
        return new

    @property
    def num_samples(self) -> int:
        """Number of samples (rows) across all batches."""
        return self._length

    def __len__(self) -> int:
        if self.batch_size is None:
            return self._length
        full, rest = divmod(self._length, self.batch_size)
        return full + (1 if rest and not self.drop_remainder else 0)

    def __getitem__(self, index):
        """Batch ``index`` (sample ``index`` when unbatched)."""
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"NumpyDataset: index must be an int, received {type(index)}")
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(f"NumpyDataset: index {index} out of range for {count} "
                             f"{'samples' if self.batch_size is None else 'batches'}")
        if self.batch_size is None:
            return _map_structure(lambda a: a[0], self._load(np.array([index])))
        start = index * self.batch_size
        stop = min(start + self.batch_size, self._length)
        return self._load(np.arange(start, stop))

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def batch(self, batch_size: int, drop_remainder: bool = False) -> NumpyDataset:
        """Group the samples into batches of ``batch_size`` (the dataset must be unbatched)."""
        if self.batch_size is not None:
            raise ValueError("NumpyDataset.batch: the dataset is already batched (batch_size="
                             f"{self.batch_size}); call .unbatch() first.")
        return self._derived(self._load, self._length, batch_size, drop_remainder)

    def unbatch(self) -> NumpyDataset:
        """The same samples, one at a time (a dropped remainder stays dropped)."""
        length = len(self) * self.batch_size if self.batch_size else self._length
        length = min(length, self._length)
        return self._derived(self._load, length, None, False)

    def take(self, count: int) -> NumpyDataset:
        """The first ``count`` elements (batches, or samples when unbatched); -1: all."""
        return self._slice(0, count)

    def skip(self, count: int) -> NumpyDataset:
        """All but the first ``count`` elements."""
        return self._slice(count, -1)

    def _slice(self, first: int, count: int) -> NumpyDataset:
        size = self.batch_size or 1
        elements = len(self)
        first = min(max(int(first), 0), elements)
        stop = elements if count is None or count < 0 else min(first + int(count), elements)
        start_row, stop_row = first * size, min(stop * size, self._length)
        load = self._load
        return self._derived(functools.partial(_shifted, load, start_row),
                             max(stop_row - start_row, 0), self.batch_size, self.drop_remainder)

    def map(self, map_func) -> NumpyDataset:
        """Apply ``map_func`` to every element, as ``tf.data.Dataset.map``: a tuple element is
        passed as positional arguments; the function computes on numpy arrays (batches when
        the dataset is batched, single samples otherwise) and returns arrays or a tuple/dict
        of them."""
        if not callable(map_func):
            raise TypeError(f"NumpyDataset.map: map_func must be callable, received "
                            f"{type(map_func).__name__}")
        mapper = _map_batches if self.batch_size is not None else _map_samples
        return self._derived(functools.partial(mapper, self._load, map_func), self._length,
                             self.batch_size, self.drop_remainder)

    def prefetch(self, buffer_size) -> NumpyDataset:
        """Read up to ``buffer_size`` elements ahead on background threads while the step runs
        (``fit``/``evaluate``/``predict`` read with ``workers >= 2`` threads); ``buffer_size``
        -1 (``tf.data.AUTOTUNE``) or None keeps ``max_queue_size``."""
        if buffer_size is not None and buffer_size != -1 and (
                not isinstance(buffer_size, (int, np.integer)) or buffer_size < 1):
            raise ValueError(f"NumpyDataset.prefetch: buffer_size must be a positive int, -1 "
                             f"(AUTOTUNE) or None, received {buffer_size!r}")
        new = self._derived(self._load, self._length, self.batch_size, self.drop_remainder)
        new.workers = max(self.workers, 2)
        if buffer_size not in (None, -1):
            new.max_queue_size = int(buffer_size)
        return new

    def cardinality(self) -> int:
        """Number of elements, as ``tf.data.Dataset.cardinality()`` (here always known)."""
        return len(self)

    def as_numpy_iterator(self):
        """Iterate the elements (they already are numpy), as ``tf.data``'s method."""
        return iter(self)

    def __repr__(self) -> str:
        return (f"<NumpyDataset: {len(self)} "
                f"{'samples' if self.batch_size is None else f'batches of {self.batch_size}'}>")
