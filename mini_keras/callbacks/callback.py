"""Callback base class, the list that dispatches to callbacks, History and ProgbarLogger."""

from __future__ import annotations

from mini_keras import config_flags
from mini_keras.utils.progbar import Progbar


class Callback:
    """Base class: override any ``on_*`` hook. ``self.model`` and ``self.params`` are set by fit."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model) -> None:
        """Attach the model being trained."""
        self.model = model

    def set_params(self, params: dict) -> None:
        """Receive fit's parameters (epochs, steps, verbose)."""
        self.params = params

    def on_train_begin(self, logs=None): """Called at the start of fit."""
    def on_train_end(self, logs=None): """Called at the end of fit."""
    def on_epoch_begin(self, epoch, logs=None): """Called at the start of an epoch."""
    def on_epoch_end(self, epoch, logs=None): """Called at the end of an epoch with its logs."""
    def on_train_batch_begin(self, batch, logs=None): """Called before a training batch."""
    def on_train_batch_end(self, batch, logs=None): """Called after a training batch."""
    def on_test_begin(self, logs=None): """Called at the start of evaluate."""
    def on_test_end(self, logs=None): """Called at the end of evaluate."""
    def on_test_batch_begin(self, batch, logs=None): """Called before an evaluation batch."""
    def on_test_batch_end(self, batch, logs=None): """Called after an evaluation batch."""
    def on_predict_begin(self, logs=None): """Called at the start of predict."""
    def on_predict_end(self, logs=None): """Called at the end of predict."""
    def on_predict_batch_begin(self, batch, logs=None): """Called before a predict batch."""
    def on_predict_batch_end(self, batch, logs=None): """Called after a predict batch."""


class CallbackList:
    """Dispatch every hook to a list of callbacks.

    Args:
        callbacks: user callbacks.
        model: the model.
        params: dict with ``epochs``, ``steps``, ``verbose``.
        add_history: append a History (fit).
        add_progbar: append a ProgbarLogger (verbose != 0).
    """

    def __init__(self, callbacks=None, model=None, params=None, add_history=False,
                 add_progbar=False):
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks: expected Callback instances, received {cb!r}")
        if add_progbar:
            self.callbacks.append(ProgbarLogger())
        self.history = None
        if add_history:
            self.history = History()
            self.callbacks.append(self.history)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params or {})
        self.needs_batch_logs = any(
            type(cb).on_train_batch_end is not Callback.on_train_batch_end
            or type(cb).on_test_batch_end is not Callback.on_test_batch_end
            or "on_train_batch_end" in vars(cb) or "on_test_batch_end" in vars(cb)
            for cb in self.callbacks)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def dispatch(*args, **kwargs):
            for cb in self.callbacks:
                getattr(cb, hook)(*args, **kwargs)
        return dispatch


class History(Callback):
    """Record each epoch's logs: ``history.history["loss"]`` is the list of epoch losses."""

    def __init__(self):
        super().__init__()
        self.epoch: list[int] = []
        self.history: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Print progress: a live bar per epoch (verbose=1) or one line per epoch (verbose=2)."""

    def __init__(self):
        super().__init__()
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        verbose = self.params.get("verbose", 1)
        if verbose:
            config_flags.print_msg(f"Epoch {epoch + 1}/{self.params.get('epochs', '?')}")
            self._bar = Progbar(self.params.get("steps"), verbose=verbose)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(batch + 1, logs, finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.update(self.params.get("steps") or 0, logs, finalize=True)
            self._bar = None
