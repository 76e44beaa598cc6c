"""Steps of one epoch over an adapter, with Keras 3's rules for ``steps_per_epoch``.

- Without ``steps``, an epoch is one pass over the source (an unknown-length source runs until
  it is exhausted, and its length is known from then on).
- With ``steps``, an epoch is ``steps`` batches and the pass *continues* into the next epoch;
  when the source runs out, Keras' warning is shown and the pass restarts at the next epoch; a
  source with nothing left at all (a spent generator) ends training.
- ``class_weight`` becomes each batch's ``sample_weight``.
"""

from __future__ import annotations

import contextlib
import warnings

from mini_keras import config_flags
from mini_keras.trainers.data_adapters.base import apply_class_weight, class_weight_table

RAN_OUT = ("Your input ran out of data; interrupting training. Make sure that your dataset or "
           "generator can generate at least `steps_per_epoch * epochs` batches. You may need to "
           "use the `.repeat()` function when building your dataset.")


class EpochIterator:
    """Iterate ``(step, batch)`` for one epoch at a time.

    Args:
        adapter: the DataAdapter.
        steps: ``steps_per_epoch`` / ``steps`` (None: one pass).
        class_weight: dict or list of per-class weights (None: none).
        where: the calling method, for messages.
    """

    def __init__(self, adapter, steps=None, class_weight=None, where: str = "fit"):
        if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int)
                                  or steps <= 0):
            raise ValueError(f"{where}: steps must be a positive int or None, received "
                             f"{steps!r}")
        cap = config_flags.max_steps_per_epoch()  # keras.config.set_max_steps_per_epoch
        if cap and (not steps or cap < steps):
            warnings.warn(f"Limiting steps_per_epoch to {cap}", stacklevel=3)
            steps = cap
        self.adapter, self.steps, self.where = adapter, steps, where
        self._class_weights = class_weight_table(class_weight)
        self._num_batches = adapter.num_batches
        self._current = None
        self._seen = 0
        self._step = None
        self.exhausted = False

    @property
    def num_batches(self) -> int | None:
        """Steps per epoch: ``steps``, else the source's length (None while unknown)."""
        return self.steps or self._num_batches

    def first_batch(self):
        """The batch that builds the model (with class weights applied)."""
        return self._weighted(self.adapter.first_batch())

    def _weighted(self, data):
        if self._class_weights is None:
            return data
        return apply_class_weight(data, self._class_weights, f"{self.where}(class_weight)")

    def __iter__(self):
        self.adapter.on_epoch_begin()
        count = self.steps or self._num_batches
        if count is None:
            yield from self._until_exhausted()
        else:
            if self._current is None or self.steps is None:
                self._current, self._seen = self.adapter.get_iterator(), 0
            for step in range(count):
                if self._num_batches and self._seen >= self._num_batches:
                    if self.steps:
                        self._ran_out(step)
                    break
                self._step = step
                try:
                    data = next(self._current)
                except StopIteration:
                    if self._num_batches is None:
                        self._num_batches = self._seen
                    self._current = None
                    self._ran_out(step)
                    break
                self._seen += 1
                yield step, self._weighted(data)
            if self._num_batches and self._seen >= self._num_batches:
                self._current = None
        self.adapter.on_epoch_end()

    def _until_exhausted(self):
        iterator, step = self.adapter.get_iterator(), 0
        while True:
            self._step = step
            try:
                data = next(iterator)
            except StopIteration:
                break
            yield step, self._weighted(data)
            step += 1
        step -= 1
        if step < 0:
            self._ran_out(0)
        else:
            self._num_batches = step + 1

    def _ran_out(self, step: int) -> None:
        """Warn as Keras does; a source with nothing left at all (step 0) ends training."""
        if self.steps is not None or step == 0:
            warnings.warn(f"{self.where}: {self.adapter.kind} gave no batch for step {step}. "
                          + RAN_OUT, stacklevel=4)
        self.exhausted = step == 0

    @contextlib.contextmanager
    def annotate_errors(self, epoch: int = 0):
        """Add the source, epoch and step to any error raised while iterating (a note on the
        exception: its type and message stay the user's)."""
        self._step = None
        try:
            yield
        except Exception as e:
            if self._step is not None and hasattr(e, "add_note"):
                e.add_note(f"[mini_keras] raised by {self.where} at step {self._step} of epoch "
                           f"{epoch + 1}, reading {self.adapter.kind}.")
            raise

    def close(self) -> None:
        """Release the adapter's threads and workers."""
        self.adapter.close()
