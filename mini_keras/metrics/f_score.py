"""F-beta and F1 scores (Keras 3 rules), per class or averaged."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.metrics.metric import Metric

EPSILON = 1e-7


class FBetaScore(Metric):
    """``(1 + beta^2) * precision * recall / (beta^2 * precision + recall)`` per class.

    Args:
        average: None (one score per class), "micro" (pool all classes), "macro" (mean of the
            class scores) or "weighted" (mean weighted by each class's label count).
        beta: weight of recall relative to precision.
        threshold: predictions above it are positive; None marks the row's maximum positive.
        name: metric name.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"{type(self).__name__}: average must be None, 'micro', 'macro' or "
                             f"'weighted', received {average!r}")
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"{type(self).__name__}: beta must be a float > 0, received {beta!r}")
        if threshold is not None and (not isinstance(threshold, float)
                                      or not 0.0 < threshold <= 1.0):
            raise ValueError(f"{type(self).__name__}: threshold must be a float in (0, 1], "
                             f"received {threshold!r}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def build_from_shapes(self, y_true_shape, y_pred_shape):
        if self._built:
            return
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"{type(self).__name__} expects 2-D inputs (batch_size, output_dim); "
                             f"received y_true {tuple(y_true_shape)}, y_pred "
                             f"{tuple(y_pred_shape)}")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape=shape, dtype=self.dtype, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, dtype=self.dtype, name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, dtype=self.dtype, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, dtype=self.dtype, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        self.build_from_shapes(ops.shape(y_true), ops.shape(y_pred))
        if self.threshold is None:
            row_max = ops.max(y_pred, axis=-1, keepdims=True)
            y_pred = ops.logical_and(ops.greater_equal(y_pred, row_max),
                                     ops.greater(ops.abs(y_pred), 1e-9))
        else:
            y_pred = ops.greater(y_pred, self.threshold)
        y_pred = ops.cast(y_pred, self.dtype)
        sw = None if sample_weight is None else ops.expand_dims(
            ops.cast(ops.convert_to_tensor(sample_weight), self.dtype), 1)

        def weighted_sum(values):
            return ops.sum(values if sw is None else ops.multiply(values, sw), axis=self.axis)

        for var, values in ((self.true_positives, ops.multiply(y_pred, y_true)),
                            (self.false_positives, ops.multiply(y_pred, ops.subtract(1.0, y_true))),
                            (self.false_negatives, ops.multiply(ops.subtract(1.0, y_pred), y_true)),
                            (self.intermediate_weights, y_true)):
            var.assign(ops.add(var.value, weighted_sum(values)))

    def result(self):
        tp = self.true_positives.value
        precision = ops.divide(tp, ops.add(ops.add(tp, self.false_positives.value), EPSILON))
        recall = ops.divide(tp, ops.add(ops.add(tp, self.false_negatives.value), EPSILON))
        beta2 = self.beta ** 2
        denominator = ops.add(ops.add(ops.multiply(beta2, precision), recall), EPSILON)
        score = ops.multiply(ops.divide(ops.multiply(precision, recall), denominator), 1.0 + beta2)
        if self.average == "weighted":
            w = self.intermediate_weights.value
            return ops.sum(ops.multiply(score, ops.divide(w, ops.add(ops.sum(w), EPSILON))))
        if self.average is not None:
            return ops.mean(score)
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """The F-beta score with ``beta = 1``: harmonic mean of precision and recall.

    Args:
        average: None, "micro", "macro" or "weighted" (see :class:`FBetaScore`).
        threshold: predictions above it are positive; None marks the row's maximum positive.
        name: metric name.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
