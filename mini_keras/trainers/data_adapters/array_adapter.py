"""Arrays in memory: numpy, Python lists, pandas and any framework's tensors (the fast path).

Everything is converted to numpy once, up front; a batch is then a slice of the host arrays (a
view when not shuffled), converted to the model's backend right before the step.
"""

from __future__ import annotations

import math

import numpy as np

from mini_keras.trainers import data as data_mod
from mini_keras.trainers.data_adapters.base import (
    DataAdapter,
    check_batch_size,
    structure_to_numpy,
)
from mini_keras.utils.packing import pack_x_y_sample_weight


class ArrayAdapter(DataAdapter):
    """``x``, ``y``, ``sample_weight`` held in memory, cut into batches.

    Args:
        x, y, sample_weight: nests of array-likes of equal length (converted to numpy).
        batch_size: samples per batch; default 32, or ``ceil(n / steps)`` when only ``steps``
            is given (as Keras).
        steps: the caller's ``steps_per_epoch``/``steps`` (only used to pick a batch size).
        shuffle: True (a new permutation every pass), "batch" (shuffle inside each batch) or
            False.
        rng: numpy Generator for the permutations.
        where: the calling argument, for messages ("fit(x)").
        convert: False when ``x``/``y``/``sample_weight`` are numpy arrays already checked.
    """

    kind = "arrays"

    def __init__(self, x, y=None, sample_weight=None, batch_size=None, steps=None,
                 shuffle=False, rng=None, where="fit", convert=True):
        if convert:
            x = structure_to_numpy(x, f"{where}(x)")
            y = structure_to_numpy(y, f"{where}(y)")
            sample_weight = structure_to_numpy(sample_weight, f"{where}(sample_weight)")
        self.x, self.y, self.sample_weight = x, y, sample_weight
        self.num_samples = data_mod.num_samples(x, y, sample_weight)
        check_batch_size(batch_size, where)
        if batch_size is None:
            batch_size = math.ceil(self.num_samples / steps) if steps else 32
        self.batch_size = batch_size
        if shuffle not in (True, False, "batch"):
            raise ValueError(f"{where}(shuffle=...): expected True, False or 'batch', received "
                             f"{shuffle!r}")
        self.shuffle = shuffle
        self.rng = rng if rng is not None or not shuffle else np.random.default_rng()
        self.num_batches = math.ceil(self.num_samples / batch_size)

    @property
    def n(self) -> int:
        """Number of samples (the distribution check reads it)."""
        return self.num_samples

    def first_batch(self):
        """The first rows (two at most): enough to build the model."""
        rows = slice(0, 2)
        return pack_x_y_sample_weight(data_mod.take(self.x, rows), data_mod.take(self.y, rows),
                                      data_mod.take(self.sample_weight, rows))

    def get_iterator(self):
        """Yield one pass of batches."""
        x, y, sw, n, size = self.x, self.y, self.sample_weight, self.num_samples, self.batch_size
        if self.num_batches == 1 and not self.shuffle:  # everything in one batch: no slicing
            yield pack_x_y_sample_weight(x, y, sw)
            return
        order = self.rng.permutation(n) if self.shuffle is True else None
        for step in range(self.num_batches):
            lo, hi = step * size, min((step + 1) * size, n)
            if order is not None:  # sorted inside the batch: reads memory in order
                index = np.sort(order[lo:hi])
            elif self.shuffle == "batch":
                index = self.rng.permutation(hi - lo) + lo
            else:
                index = slice(lo, hi)
            yield pack_x_y_sample_weight(data_mod.take(x, index), data_mod.take(y, index),
                                         data_mod.take(sw, index))
