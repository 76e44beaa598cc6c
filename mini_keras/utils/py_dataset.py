"""``keras.utils.PyDataset``: a dataset read batch by batch with ``__getitem__``.

``fit``/``evaluate``/``predict`` read it through
``mini_keras.trainers.data_adapters.py_dataset.PyDatasetAdapter`` (workers, queue, order).
"""

from __future__ import annotations

import itertools


class PyDataset:
    """Base class for a dataset read batch by batch with ``__getitem__`` (Keras 3's API).

    Subclasses implement ``__getitem__(index)`` returning ``x``, ``(x, y)`` or
    ``(x, y, sample_weight)``, and ``__len__`` (or the ``num_batches`` property; None means
    infinite). ``on_epoch_begin``/``on_epoch_end`` are called around every epoch.

    Args:
        workers: parallel ``__getitem__`` calls (threads, or processes with
            ``use_multiprocessing``).
        use_multiprocessing: read in worker processes (the dataset must be picklable).
        max_queue_size: batches read ahead at most.

    Example:
        class Squares(keras.utils.PyDataset):
            def __len__(self):
                return 10
            def __getitem__(self, i):
                x = np.full((4, 1), i, "float32")
                return x, x ** 2
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False,
                 max_queue_size: int = 10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    workers = property(lambda self: getattr(self, "_workers", 1),
                       lambda self, v: setattr(self, "_workers", v),
                       doc="Number of parallel readers.")
    use_multiprocessing = property(lambda self: getattr(self, "_use_multiprocessing", False),
                                   lambda self, v: setattr(self, "_use_multiprocessing", v),
                                   doc="Read in worker processes instead of threads.")
    max_queue_size = property(lambda self: getattr(self, "_max_queue_size", 10),
                              lambda self, v: setattr(self, "_max_queue_size", v),
                              doc="Batches read ahead at most.")

    def __getitem__(self, index):
        """Return batch ``index``."""
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index).")

    @property
    def num_batches(self) -> int | None:
        """Batches per epoch (``len(self)``), or None for an infinite dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(f"{type(self).__name__} must implement __len__ or the "
                                  "num_batches property (None for an infinite dataset).")

    def __iter__(self):
        indices = range(self.num_batches) if self.num_batches is not None else itertools.count()
        for index in indices:
            yield self[index]

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch."""
