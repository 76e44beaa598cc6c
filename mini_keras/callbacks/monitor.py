"""Shared logic of the callbacks that watch a metric: which direction is an improvement."""

from __future__ import annotations

import warnings

_MAX_HINTS = ("acc", "auc", "precision", "recall", "f1", "fmeasure", "true_positives",
              "true_negatives", "iou", "r2")


def improvement_sign(monitor: str, mode: str, owner: str) -> int:
    """+1 when larger values of ``monitor`` are better, -1 when smaller ones are.

    Args:
        monitor: the logged quantity, e.g. ``"val_loss"``.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (losses and errors: min; accuracy-like: max).
        owner: the callback's name, for error messages.
    """
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{owner}: mode must be 'auto', 'min' or 'max', received {mode!r}")
    if mode == "min":
        return -1
    if mode == "max":
        return 1
    name = monitor.removeprefix("val_")
    if name.endswith("loss") or "error" in name or name in ("mse", "mae", "mape", "msle"):
        return -1
    if any(hint in name for hint in _MAX_HINTS):
        return 1
    warnings.warn(f"{owner}: cannot infer whether '{monitor}' should go up or down; assuming "
                  "lower is better. Pass mode='min' or mode='max'.", stacklevel=3)
    return -1


def monitor_value(logs, monitor: str, owner: str):
    """``logs[monitor]`` as a float, or None with a warning naming the available keys."""
    logs = logs or {}
    if monitor not in logs:
        warnings.warn(f"{owner}: conditioned on metric '{monitor}' which is not available. "
                      f"Available metrics are: {', '.join(logs)}", stacklevel=3)
        return None
    return float(logs[monitor])


def current_learning_rate(model) -> float:
    """The optimizer's learning rate as a Python float."""
    import numpy as np
    return float(np.asarray(model.optimizer.learning_rate))
