"""Sources that hand out ready batches: Python generators/iterators, tf.data, torch DataLoader.

Each pass runs on a prefetch thread: the next batch is read and converted to numpy while the
step runs. The first batch (needed to build the model) is read from the first pass and still
yielded by it, so a one-shot generator loses nothing. Every batch must keep the structure, ranks
and dtype kinds of the first one; an error names the source, the batch and what was expected.
"""

from __future__ import annotations

from mini_keras.trainers.data_adapters.base import (
    DataAdapter,
    batch_to_numpy,
    describe_signature,
    signature,
)
from mini_keras.trainers.data_adapters.prefetch import Prefetcher

EXPECTED = "expected batches `x`, `(x, y)` or `(x, y, sample_weight)` of arrays"


class IterableAdapter(DataAdapter):
    """Base for sources read with ``iter()``; subclasses give ``kind`` and ``_raw_pass()``.

    Args:
        source: the user's object.
        where: the calling argument, for messages ("fit(x)").
        prefetch: read ahead on a thread (False reads on the caller's thread).
    """

    def __init__(self, source, where: str = "fit(x)", prefetch: bool = True):
        self.source, self.where, self.prefetch = source, where, prefetch
        self._signature = None
        self._pending = None  # (first batch, rest of its pass) after first_batch()
        self._passes: list = []

    def _raw_pass(self):
        """A fresh iterator over the source's raw batches."""
        raise NotImplementedError

    def _checked(self, raw):
        index = 0
        while True:
            try:
                item = next(raw)
            except StopIteration:
                return
            except Exception as e:
                raise RuntimeError(f"{self.where}: {self.kind} raised {type(e).__name__} while "
                                   f"producing step {index}: {e}") from e
            where = f"{self.where} ({self.kind}), step {index}"
            data = batch_to_numpy(item, where)
            self._check_signature(data, where)
            yield data
            index += 1

    def _check_signature(self, data, where: str) -> None:
        received = signature(data)
        if self._signature is None:
            self._signature = received
        elif received != self._signature:
            raise ValueError(f"{where}: the batch changed structure; expected "
                             f"{describe_signature(self._signature)} like the first batch, "
                             f"received {describe_signature(received)}.")

    def _new_pass(self):
        checked = self._checked(iter(self._raw_pass()))
        if not self.prefetch:
            return checked
        prefetcher = Prefetcher(checked)
        self._passes = [p for p in self._passes if not p.finished] + [prefetcher]
        return prefetcher

    def first_batch(self):
        """Read the first batch (kept: the next pass starts with it)."""
        if self._pending is None:
            rest = self._new_pass()
            try:
                first = next(rest)
            except StopIteration:
                raise ValueError(f"{self.where}: {self.kind} yielded no batch; "
                                 f"{EXPECTED}.") from None
            self._pending = (first, rest)
        return self._pending[0]

    def get_iterator(self):
        """Yield one pass of batches."""
        if self._pending is not None:
            first, rest = self._pending
            self._pending = None
            yield first
            yield from rest
            return
        yield from self._new_pass()

    def close(self) -> None:
        """Stop every prefetch thread."""
        for prefetcher in self._passes:
            prefetcher.close()
        self._passes = []


class GeneratorAdapter(IterableAdapter):
    """A Python generator or iterator: one pass, of unknown length (``steps_per_epoch`` bounds
    an epoch; without it, the first epoch runs until the generator is exhausted)."""

    def __init__(self, source, where: str = "fit(x)", prefetch: bool = True):
        super().__init__(source, where, prefetch)
        self.kind = ("a Python generator" if type(source).__name__ == "generator"
                     else f"the iterator {type(source).__name__}")
        self._iterator = iter(source)

    def _raw_pass(self):
        return self._iterator


class TFDatasetAdapter(IterableAdapter):
    """A ``tf.data.Dataset`` (read with its own ``as_numpy_iterator``; TensorFlow is not
    imported here). Its length comes from ``cardinality()`` (None when infinite/unknown)."""

    kind = "a tf.data.Dataset"

    def __init__(self, source, where: str = "fit(x)", prefetch: bool = True):
        super().__init__(source, where, prefetch)
        cardinality = int(source.cardinality())
        self.num_batches = cardinality if cardinality >= 0 else None

    def _raw_pass(self):
        return self.source.as_numpy_iterator()


class TorchDataLoaderAdapter(IterableAdapter):
    """A ``torch.utils.data.DataLoader``: every ``iter()`` is a new epoch of the loader (its own
    shuffling and workers); its tensors are converted with ``.numpy()``."""

    kind = "a torch DataLoader"

    def __init__(self, source, where: str = "fit(x)", prefetch: bool = True):
        super().__init__(source, where, prefetch)
        try:
            self.num_batches = len(source)
        except TypeError:  # an IterableDataset without __len__
            self.num_batches = None
        self.batch_size = getattr(source, "batch_size", None)

    def _raw_pass(self):
        return self.source
