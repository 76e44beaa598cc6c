"""Confusion-count metrics (Keras 3 rules): TruePositives & co., and the metrics that read one
rate at a constraint on another (PrecisionAtRecall, SensitivityAtSpecificity...)."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.metrics.confusion import _parse_thresholds, confusion_counts
from mini_keras.metrics.metric import Metric


class _ConditionCount(Metric):
    """A weighted count of one cell of the confusion matrix, per threshold."""

    _cell = ""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _parse_thresholds(thresholds, 0.5)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight)
        self.accumulator.assign(ops.add(self.accumulator.value,
                                        ops.cast(counts[self._cell], self.accumulator.dtype)))

    def result(self):
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """Weighted count of positives predicted positive (``y_pred > threshold``).

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5; a list gives one count
            per threshold).
    """

    _cell = "tp"


class FalsePositives(_ConditionCount):
    """Weighted count of negatives predicted positive (see :class:`TruePositives`)."""

    _cell = "fp"


class TrueNegatives(_ConditionCount):
    """Weighted count of negatives predicted negative (see :class:`TruePositives`)."""

    _cell = "tn"


class FalseNegatives(_ConditionCount):
    """Weighted count of positives predicted negative (see :class:`TruePositives`)."""

    _cell = "fn"


def _rates(tp, fp, tn, fn):
    return {"recall": ops.divide_no_nan(tp, ops.add(tp, fn)),
            "precision": ops.divide_no_nan(tp, ops.add(tp, fp)),
            "specificity": ops.divide_no_nan(tn, ops.add(tn, fp))}


class _RateAtConstraint(Metric):
    """The best ``_target`` rate over thresholds where the ``_constrained`` rate >= value.

    ``num_thresholds`` evenly spaced thresholds from 0 to 1 (0.5 alone when 1).
    """

    _constrained = ""   # the rate held at or above the value
    _target = ""        # the rate maximized under the constraint
    _value_name = ""    # the constructor argument holding the value

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if not 0 <= value <= 1:
            raise ValueError(f"{type(self).__name__}: `{self._value_name}` must be in [0, 1], "
                             f"received {self._value_name}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"{type(self).__name__}: `num_thresholds` must be an integer > 0, "
                             f"received num_thresholds={num_thresholds}")
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = [0.0] + [(i + 1) / (num_thresholds - 1)
                                       for i in range(num_thresholds - 2)] + [1.0]
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                  class_id=self.class_id)
        for key, var in (("tp", self.true_positives), ("fp", self.false_positives),
                         ("tn", self.true_negatives), ("fn", self.false_negatives)):
            var.assign(ops.add(var.value, counts[key]))

    def result(self):
        rates = _rates(self.true_positives.value, self.false_positives.value,
                       self.true_negatives.value, self.false_negatives.value)
        feasible = ops.greater_equal(rates[self._constrained], self.value)
        return ops.max(ops.where(feasible, rates[self._target], 0.0))  # 0 when none is

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._value_name: self.value}


class SensitivityAtSpecificity(_RateAtConstraint):
    """The best sensitivity (recall) at a specificity of at least ``specificity``.

    Args:
        specificity: the required specificity, in [0, 1].
        num_thresholds: how many thresholds to try.
        class_id: compute the metric for this class (column) only.
    """

    _constrained, _target, _value_name = "specificity", "recall", "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)
        self.specificity = specificity


class SpecificityAtSensitivity(_RateAtConstraint):
    """The best specificity at a sensitivity (recall) of at least ``sensitivity``.

    Args:
        sensitivity: the required sensitivity, in [0, 1].
        num_thresholds: how many thresholds to try.
        class_id: compute the metric for this class (column) only.
    """

    _constrained, _target, _value_name = "recall", "specificity", "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)
        self.sensitivity = sensitivity


class PrecisionAtRecall(_RateAtConstraint):
    """The best precision at a recall of at least ``recall``.

    Args:
        recall: the required recall, in [0, 1].
        num_thresholds: how many thresholds to try.
        class_id: compute the metric for this class (column) only.
    """

    _constrained, _target, _value_name = "recall", "precision", "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)
        self.recall = recall


class RecallAtPrecision(_RateAtConstraint):
    """The best recall at a precision of at least ``precision``.

    Args:
        precision: the required precision, in [0, 1].
        num_thresholds: how many thresholds to try.
        class_id: compute the metric for this class (column) only.
    """

    _constrained, _target, _value_name = "precision", "recall", "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)
        self.precision = precision
