"""Small callbacks: CSVLogger, TerminateOnNaN, LambdaCallback."""

from __future__ import annotations

import csv
import math
import os

from mini_keras.callbacks.callback import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as one CSV row: ``epoch`` then the log keys, sorted.

    Args:
        filename: CSV path.
        separator: field separator.
        append: append to an existing file (no second header) instead of overwriting it.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys, self._file, self._writer = None, None, None

    def on_train_begin(self, logs=None):
        has_header = (self.append and os.path.exists(self.filename)
                      and os.path.getsize(self.filename) > 0)
        # Kept open for the whole fit and closed in on_train_end.
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self.keys, self._writer = None, None
        self._append_header = not has_header

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch"] + self.keys,
                                          delimiter=self.sep)
            if self._append_header:
                self._writer.writeheader()
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file, self._writer = None, None


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch's loss is NaN or infinite.

    Args:
        raise_error: False (default): stop gracefully (``model.stop_training = True``, so
            ``on_train_end`` of every callback runs). True: raise RuntimeError at once, so no
            cleanup runs (e.g. ``BackupAndRestore`` keeps its backup), as Keras 3.
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{float(loss)}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback built from plain functions, e.g. ``LambdaCallback(on_epoch_end=fn)``.

    Args:
        on_epoch_begin, on_epoch_end: ``fn(epoch, logs)``.
        on_train_begin, on_train_end: ``fn(logs)``.
        on_train_batch_begin, on_train_batch_end: ``fn(batch, logs)``.
        **kwargs: any other ``on_*`` hook.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, fn in hooks.items():
            if not name.startswith("on_") or not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback: unknown hook {name!r}")
            if fn is not None:  # an instance attribute shadows the no-op method
                setattr(self, name, _with_logs(fn))


def _with_logs(fn):
    """Always call ``fn`` with the logs last, as Keras does, even if the caller passed none."""
    def hook(*args, logs=None):
        return fn(*args[:1], logs if len(args) < 2 else args[1])
    return hook
