"""ModelCheckpoint: save the model (or its weights) every epoch or when it improves."""

from __future__ import annotations

import math
import os

from mini_keras.callbacks.callback import Callback
from mini_keras.callbacks.monitor import improvement_sign, monitor_value


class ModelCheckpoint(Callback):
    """Save after every epoch, optionally only when ``monitor`` improves.

    Args:
        filepath: ``.keras`` path (or ``.weights.h5`` with ``save_weights_only``); may contain
            ``{epoch:02d}`` (1-based) and any log key, e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.keras"``.
        monitor: quantity compared when ``save_best_only``.
        verbose: 1 prints a line per save.
        save_best_only: save only when ``monitor`` beats the best value seen.
        save_weights_only: call ``model.save_weights`` instead of ``model.save``.
        mode: ``"auto"``, ``"min"`` or ``"max"``.
        save_freq: only ``"epoch"`` is supported.
        initial_value_threshold: the first save must beat this value.

    Raises:
        ValueError: the extension does not match ``save_weights_only``.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        if save_freq != "epoch":
            raise ValueError(f"ModelCheckpoint: only save_freq='epoch' is supported, received "
                             f"{save_freq!r}")
        if save_weights_only and not self.filepath.endswith(".weights.h5"):
            raise ValueError("ModelCheckpoint: when save_weights_only=True, filepath must end in "
                             f"`.weights.h5`. Received: filepath={self.filepath!r}")
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError("ModelCheckpoint: filepath must end in `.keras` (or use "
                             "save_weights_only=True with `.weights.h5`). Received: "
                             f"filepath={self.filepath!r}")
        self.sign = improvement_sign(monitor, mode, "ModelCheckpoint")
        self.best = (initial_value_threshold if initial_value_threshold is not None
                     else -self.sign * math.inf)

    def _file_path(self, epoch, logs) -> str:
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as e:
            raise KeyError(f"ModelCheckpoint: filepath {self.filepath!r} uses key {e} which is "
                           f"not in the logs {sorted(logs or {})}.") from e

    def on_epoch_end(self, epoch, logs=None):
        path = self._file_path(epoch, logs)
        if self.save_best_only:
            current = monitor_value(logs, self.monitor, "ModelCheckpoint")
            if current is None or not self.sign * (current - self.best) > 0:
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)
