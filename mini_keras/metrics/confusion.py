"""Threshold metrics built on confusion-matrix counts: Precision, Recall, AUC (Keras 3 rules)."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.losses.loss import squeeze_or_expand_to_same_rank
from mini_keras.metrics.metric import Metric

EPSILON = 1e-7
NEG_INF = -1e10


def _filter_top_k(x, k):
    """Keep the ``k`` largest entries of the last axis; set the others to ``NEG_INF``."""
    kth_largest = ops.take(ops.sort(x, axis=-1), [ops.shape(x)[-1] - k], axis=-1)
    return ops.where(ops.greater_equal(x, kth_largest), x, NEG_INF)


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None,
                     class_id=None, multi_label=False):
    """Weighted true/false positive/negative counts with ``y_pred > threshold`` per threshold.

    Args:
        y_true: labels (nonzero counts as positive).
        y_pred: scores, same shape as ``y_true`` (up to a trailing size-1 axis).
        thresholds: 1-D numpy array of thresholds.
        sample_weight: optional weights, broadcast over ``y_pred`` from the leading axes.
        top_k: only the ``k`` largest scores of each row can be positive.
        class_id: only this column counts.
        multi_label: keep the last (label) axis: counts have shape ``(T, num_labels)``.

    Returns:
        dict with "tp", "fp", "tn", "fn", each of shape ``(len(thresholds),)`` (or
        ``(len(thresholds), num_labels)``).
    """
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
    y_true = ops.cast(ops.convert_to_tensor(y_true), "float32")
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is None:
        weights = ops.ones(ops.shape(y_pred), dtype="float32")
    else:
        sw = ops.expand_dims(ops.cast(ops.convert_to_tensor(sample_weight), "float32"), axis=-1)
        _, sw = squeeze_or_expand_to_same_rank(y_true, sw, expand_rank_1=False)
        weights = ops.broadcast_to(sw, ops.shape(y_pred))
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
        weights = weights[..., class_id]
    if not multi_label:
        y_true, y_pred, weights = (ops.reshape(t, (-1,)) for t in (y_true, y_pred, weights))
    thresholds = np.asarray(thresholds, "float32")
    thresh = ops.convert_to_tensor(thresholds.reshape((-1,) + (1,) * len(ops.shape(y_pred))))
    pred_pos = ops.greater(ops.expand_dims(y_pred, 0), thresh)
    label_pos = ops.expand_dims(ops.not_equal(y_true, 0.0), 0)
    weights = ops.expand_dims(weights, 0)

    def count(label, pred):
        return ops.sum(ops.where(ops.logical_and(label, pred), weights, 0.0), axis=1)

    pred_neg, label_neg = ops.logical_not(pred_pos), ops.logical_not(label_pos)
    return {"tp": count(label_pos, pred_pos), "fp": count(label_neg, pred_pos),
            "tn": count(label_neg, pred_neg), "fn": count(label_pos, pred_neg)}


def _parse_thresholds(thresholds, default):
    if thresholds is None:
        return np.array([default], dtype="float32")
    values = [thresholds] if np.isscalar(thresholds) else list(thresholds)
    for t in values:
        if not 0 <= t <= 1:
            raise ValueError(f"Threshold values must be in [0, 1], received {thresholds}")
    return np.array(values, dtype="float32")


class _PrecisionRecall(Metric):
    """Shared state of Precision and Recall: true positives and one kind of error."""

    _error = ""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _parse_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.errors = self.add_variable(shape=(n,), name=self._error)

    def update_state(self, y_true, y_pred, sample_weight=None):
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight,
                                  top_k=self.top_k, class_id=self.class_id)
        self.true_positives.assign(ops.add(self.true_positives.value, counts["tp"]))
        key = "fp" if self._error == "false_positives" else "fn"
        self.errors.assign(ops.add(self.errors.value, counts[key]))

    def result(self):
        tp = self.true_positives.value
        result = ops.divide_no_nan(tp, ops.add(tp, self.errors.value))
        return result[0] if len(self.thresholds) == 1 else result

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)`` where a prediction is positive when ``y_pred > threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5; a list gives one value
            per threshold).
        top_k: only the ``k`` largest predictions of each row can be positive.
        class_id: compute the metric for this class (column) only.
        name: metric name.
    """

    _error = "false_positives"

    @property
    def false_positives(self):
        """Running weighted count of false positives, per threshold."""
        return self.errors


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)`` where a prediction is positive when ``y_pred > threshold``.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        top_k: only the ``k`` largest predictions of each row can be positive.
        class_id: compute the metric for this class (column) only.
        name: metric name.
    """

    _error = "false_negatives"

    @property
    def false_negatives(self):
        """Running weighted count of false negatives, per threshold."""
        return self.errors


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at ``num_thresholds`` thresholds.

    Args:
        num_thresholds: thresholds evenly spaced in [0, 1] (the ends nudged by 1e-7).
        curve: "ROC" or "PR".
        summation_method: "interpolation" (trapezoids; for PR, Davis & Goadrich's
            interpolation), "minoring" or "majoring".
        thresholds: explicit thresholds in (0, 1) instead of ``num_thresholds``.
        multi_label: treat each column as a label, average the per-label AUCs.
        num_labels: number of labels (else taken from the data).
        label_weights: weights of the per-label AUCs when ``multi_label``.
        from_logits: apply a sigmoid to the predictions first.
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', received {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError("AUC: summation_method must be 'interpolation', 'minoring' or "
                             f"'majoring', received {summation_method!r}")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be > 1, received {num_thresholds}")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self._init_thresholds = thresholds
        self._thresholds = np.array([-EPSILON] + inner + [1.0 + EPSILON], dtype="float32")
        self.curve, self.summation_method = curve.upper(), summation_method
        self.multi_label, self.num_labels, self.from_logits = multi_label, num_labels, from_logits
        self.label_weights = None if label_weights is None else np.asarray(label_weights,
                                                                           "float32")
        self._built = False
        if not multi_label:
            self._build(())
        elif num_labels:
            self._build((num_labels,))

    @property
    def thresholds(self) -> list:
        """The thresholds, including the two end points."""
        return list(self._thresholds)

    def _build(self, label_shape):
        shape = (self.num_thresholds,) + tuple(label_shape)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self._built = True

    def build_from_shapes(self, y_true_shape, y_pred_shape):
        if not self._built:
            self._build((y_pred_shape[-1],))

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self._built:
            self._build((ops.shape(y_pred)[-1],))
        if self.from_logits:
            y_pred = ops.sigmoid(y_pred)
        if self.label_weights is not None and not self.multi_label:
            lw = ops.convert_to_tensor(self.label_weights)
            sample_weight = lw if sample_weight is None else ops.multiply(
                ops.expand_dims(ops.cast(sample_weight, "float32"), -1), lw)
        counts = confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                  multi_label=self.multi_label)
        for key, var in (("tp", self.true_positives), ("fp", self.false_positives),
                         ("tn", self.true_negatives), ("fn", self.false_negatives)):
            var.assign(ops.add(var.value, counts[key]))

    def _average_labels(self, by_label):
        if self.label_weights is None:
            return ops.mean(by_label)
        lw = ops.convert_to_tensor(self.label_weights)
        return ops.divide_no_nan(ops.sum(ops.multiply(by_label, lw)), ops.sum(lw))

    def _interpolate_pr_auc(self, tp, fp, fn):
        """Davis & Goadrich (2006): precision interpolated between thresholds."""
        dtp = ops.subtract(tp[:-1], tp[1:])
        p = ops.add(tp, fp)
        dp = ops.subtract(p[:-1], p[1:])
        prec_slope = ops.divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = ops.subtract(tp[1:], ops.multiply(prec_slope, p[1:]))
        both_positive = ops.logical_and(ops.greater(p[:-1], 0.0), ops.greater(p[1:], 0.0))
        p_ratio = ops.divide_no_nan(p[:-1], ops.maximum(p[1:], 0.0))
        safe_p_ratio = ops.where(both_positive, p_ratio, 1.0)
        increment = ops.divide_no_nan(
            ops.multiply(prec_slope, ops.add(dtp, ops.multiply(intercept, ops.log(safe_p_ratio)))),
            ops.maximum(ops.add(tp[1:], fn[1:]), 0.0))
        return ops.sum(increment, axis=0)

    def result(self):
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        if self.curve == "PR" and self.summation_method == "interpolation":
            by_label = self._interpolate_pr_auc(tp, fp, fn)
        else:
            recall = ops.divide_no_nan(tp, ops.add(tp, fn))
            if self.curve == "ROC":
                x, y = ops.divide_no_nan(fp, ops.add(fp, tn)), recall
            else:
                x, y = recall, ops.divide_no_nan(tp, ops.add(tp, fp))
            if self.summation_method == "interpolation":
                heights = ops.divide(ops.add(y[:-1], y[1:]), 2.0)
            elif self.summation_method == "minoring":
                heights = ops.minimum(y[:-1], y[1:])
            else:
                heights = ops.maximum(y[:-1], y[1:])
            by_label = ops.sum(ops.multiply(ops.subtract(x[:-1], x[1:]), heights), axis=0)
        return self._average_labels(by_label) if self.multi_label else by_label

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                "curve": self.curve, "summation_method": self.summation_method,
                "multi_label": self.multi_label, "num_labels": self.num_labels,
                "label_weights": None if self.label_weights is None
                else self.label_weights.tolist(),
                "from_logits": self.from_logits, "thresholds": self._init_thresholds}
