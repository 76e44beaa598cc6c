"""The adapter of ``keras.utils.PyDataset``: batches by index, read by parallel workers.

With ``workers > 1`` (or ``use_multiprocessing=True``) the adapter keeps up to
``max_queue_size`` ``__getitem__`` calls in flight on a thread pool (or a process pool) and hands
the results over in index order, so slow loading (disk, network, decoding) overlaps with the
step. With ``workers=1`` and no multiprocessing, items are read on the caller's thread, as in
Keras. Processes are started with "spawn" (forking a process that runs TensorFlow or JAX threads
can deadlock); a dead worker process raises ``BrokenProcessPool`` instead of hanging ``fit``.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
from concurrent import futures

from mini_keras.trainers.data_adapters.base import batch_to_numpy
from mini_keras.trainers.data_adapters.iterable_adapters import IterableAdapter
from mini_keras.utils.py_dataset import PyDataset
from mini_keras.utils.rng import host_rng

_worker_dataset: list = []


def _init_worker(dataset) -> None:
    _worker_dataset[:] = [dataset]


def _worker_getitem(index):
    return _worker_dataset[0][index]


class PyDatasetAdapter(IterableAdapter):
    """Read a :class:`PyDataset` in index order (shuffled per epoch with ``shuffle``)."""

    def __init__(self, source: PyDataset, where: str = "fit(x)", shuffle: bool = False):
        super().__init__(source, where, prefetch=False)
        self.kind = f"the PyDataset {type(source).__name__}"
        try:
            self.num_batches = source.num_batches
        except NotImplementedError as e:
            raise ValueError(f"{where}: {e}") from None
        for name in ("workers", "max_queue_size"):
            value = getattr(source, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{where}: {self.kind}.{name} must be an int >= 1, received "
                                 f"{value!r}")
        self.shuffle = shuffle and self.num_batches is not None
        self._executor = None

    def on_epoch_begin(self) -> None:
        """Forward to the dataset."""
        self.source.on_epoch_begin()

    def on_epoch_end(self) -> None:
        """Forward to the dataset."""
        self.source.on_epoch_end()

    def _indices(self):
        if self.num_batches is None:
            return itertools.count()
        if self.shuffle:  # seeded by keras.utils.set_random_seed, like array shuffling
            return host_rng().permutation(self.num_batches).tolist()
        return range(self.num_batches)

    def _pool(self):
        if self._executor is None:
            ds = self.source
            if ds.use_multiprocessing:
                self._executor = futures.ProcessPoolExecutor(
                    ds.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker, initargs=(ds,))
            else:
                self._executor = futures.ThreadPoolExecutor(ds.workers,
                                                            thread_name_prefix="PyDataset")
        return self._executor

    def _raw_pass(self):
        ds = self.source
        if ds.workers == 1 and not ds.use_multiprocessing:
            for index in self._indices():
                yield self._read(lambda i=index: ds[i], index)
            return
        pool = self._pool()
        call = _worker_getitem if ds.use_multiprocessing else ds.__getitem__
        pending: collections.deque = collections.deque()
        indices = iter(self._indices())
        for index in itertools.islice(indices, ds.max_queue_size):
            pending.append((index, pool.submit(call, index)))
        while pending:
            index, future = pending.popleft()
            for nxt in itertools.islice(indices, 1):
                pending.append((nxt, pool.submit(call, nxt)))
            yield self._read(future.result, index)

    def _read(self, read, index):
        try:
            return read()
        except Exception as e:
            raise RuntimeError(f"{self.where}: {self.kind}.__getitem__({index}) raised "
                               f"{type(e).__name__}: {e}") from e

    def _checked(self, raw):
        for index, item in enumerate(raw):
            where = f"{self.where} ({self.kind}), step {index}"
            data = batch_to_numpy(item, where)
            self._check_signature(data, where)
            yield data

    def close(self) -> None:
        """Shut the worker pool down (queued reads are cancelled)."""
        super().close()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

