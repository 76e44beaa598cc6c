"""Keras 3's ``CompileMetrics``: the metrics given to ``compile`` as one entry of ``Model.metrics``.

Keras 3 lists a compiled model's metrics as ``[loss_tracker, compile_metrics]``; a custom step
that loops over ``self.metrics`` calls ``update_state(y, y_pred)`` on the container, and its
``result()`` is a dict (``{"mae": ...}``) that the logs flatten.
"""

from __future__ import annotations

from mini_keras.core.keras_tensor import flatten
from mini_keras.metrics.metric import Metric


class CompileMetrics(Metric):
    """The compiled metrics, each applied to the output it was resolved for.

    Args:
        indexed_metrics: ``(output_index, metric)`` pairs (the trainer resolves them).
    """

    def __init__(self, indexed_metrics: list):
        super().__init__(name="compile_metrics")
        self._indexed = indexed_metrics

    @property
    def metrics(self) -> list:
        """The wrapped metrics, in compile order."""
        return [m for _, m in self._indexed]

    @property
    def variables(self) -> list:
        """Every wrapped metric's state variables."""
        return [v for m in self.metrics for v in m.variables]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Update each metric with its output's targets and predictions."""
        ys, preds = flatten(y_true), flatten(y_pred)
        for index, metric in self._indexed:
            metric.update_state(ys[index], preds[index], sample_weight)

    def result(self) -> dict:
        """``{metric name: result}`` (a metric returning a dict contributes its entries)."""
        return flatten_logs({m.name: m.result() for m in self.metrics})

    def reset_state(self) -> None:
        """Reset every wrapped metric."""
        for metric in self.metrics:
            metric.reset_state()


def flatten_logs(logs):
    """Merge nested result dicts into one level, as Keras 3's logs do (other values pass)."""
    if not isinstance(logs, dict):
        return logs
    out = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            out.update(flatten_logs(value))
        else:
            out[key] = value
    return out
