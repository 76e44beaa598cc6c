"""Keras-style progress bar: live on a terminal, one line per update otherwise."""

from __future__ import annotations

import sys
import time

import numpy as np

from mini_keras import config_flags


class Progbar:
    """Display progress of ``target`` steps with metric values and an ETA.

    Args:
        target: total number of steps (None if unknown).
        width: bar width in characters.
        verbose: 1 = live bar (falls back to a final line when not a TTY), 2 = one line at the end.
        interval: minimum seconds between redraws.
        stateful_metrics: names shown as given; the other values passed as ``(name, value)``
            pairs are averaged over the steps (Keras 3's rule).
        stateless_metrics: instead, the names to average (the others are shown as given).
        unit_name: what a step is called in the timing ("step", "sample"...).
        stream: where to draw (default stdout).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step", stream=None):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Progbar: only one of `stateful_metrics` or `stateless_metrics` "
                             "can be provided.")
        self.target, self.width, self.verbose, self.interval = target, width, verbose, interval
        self.unit_name = unit_name
        self._stateful = None if stateful_metrics is None else set(stateful_metrics)
        self._stateless = None if stateless_metrics is None else set(stateless_metrics)
        self._sums: dict[str, list] = {}
        self._seen_so_far = 0
        # keras.config.disable_interactive_logging(): final lines go to the logger, no live bar
        self._to_log = stream is None and not config_flags.is_interactive_logging_enabled()
        self.stream = stream or sys.stdout
        self.live = (self.verbose == 1 and not self._to_log
                     and getattr(self.stream, "isatty", lambda: False)())
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._values: dict[str, float] = {}

    def update(self, current: int, values=None, finalize=None) -> None:
        """Record progress ``current`` and metric ``values``; draw if due.

        ``values``: Keras' list of ``(name, value_for_last_step)`` pairs (averaged over the
        steps unless stateful), or a dict of values shown as given (the trainer's logs).
        """
        finalize = finalize if finalize is not None else (self.target is not None
                                                          and current >= self.target)
        if isinstance(values, dict):
            self._values.update(values)
        else:
            self._accumulate(current, values or [], finalize)
        self._seen_so_far = current
        now = time.perf_counter()
        if not finalize and (not self.live or now - self._last_draw < self.interval):
            return
        self._last_draw = now
        line = self._format(current, now - self._start, finalize)
        if self._to_log:
            config_flags.print_msg(line)
            return
        if self.live:
            self.stream.write("\r" + line + ("\n" if finalize else ""))
        elif finalize:
            self.stream.write(line + "\n")
        self.stream.flush()

    def add(self, n: int, values=None) -> None:
        """Advance by ``n`` steps (Keras' ``Progbar.add``)."""
        self.update(self._seen_so_far + n, values)

    def _accumulate(self, current, pairs, finalize) -> None:
        for name, value in pairs:
            if self._stateless is not None:
                averaged = name in self._stateless
            else:
                averaged = name not in (self._stateful or ())
            if not averaged or finalize:  # Keras shows the last value on the final update
                self._sums[name] = [value, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                total, count = self._sums.get(name, [0.0, 0])
                self._sums[name] = [total + value * steps, count + steps]
            total, count = self._sums[name]
            self._values[name] = total / max(count, 1)

    def _format(self, current, elapsed, finalize) -> str:
        metrics = format_logs(self._values)
        if self.verbose == 2 or not self.target:
            head = f"{current}/{self.target or '?'}"
        else:
            filled = int(self.width * current / self.target)
            bar = "━" * filled + "─" * (self.width - filled)
            head = f"{current}/{self.target} {bar}"
        if finalize:
            per_step = elapsed / max(current, 1)
            timing = f"{elapsed:.0f}s {per_step * 1e3:.0f}ms/{self.unit_name}"
        else:
            eta = elapsed / max(current, 1) * ((self.target or current) - current)
            timing = f"ETA: {eta:.0f}s"
        return f"{head} {timing}" + (f" - {metrics}" if metrics else "")


def format_logs(logs: dict) -> str:
    """``"loss: 0.1234 - accuracy: 0.9500"``; array-valued metrics print as short arrays."""
    def fmt(v):
        array = np.asarray(v)
        if array.size == 1:
            return f"{float(array):.4f}"
        return np.array2string(array, precision=4, separator=", ")
    return " - ".join(f"{k}: {fmt(v)}" for k, v in logs.items())
