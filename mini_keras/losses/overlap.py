"""Overlap losses for segmentation (Keras 3 formulas): Dice and Tversky."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.losses.loss import LossFunctionWrapper, match_dtype

EPSILON = 1e-7  # Keras' backend.epsilon()


def dice(y_true, y_pred, axis=None):
    """``1 - 2 |y_true * y_pred| / (|y_true| + |y_pred| + eps)``, sums over ``axis``.

    Args:
        y_true: labels (0/1 masks or probabilities).
        y_pred: predictions.
        axis: the axes to sum over (None: all of them, one value for the batch).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = match_dtype(y_true, y_pred)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    total = ops.add(ops.add(ops.sum(y_true, axis=axis), ops.sum(y_pred, axis=axis)), EPSILON)
    return ops.subtract(1.0, ops.divide(ops.multiply(2.0, intersection), total))


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """``1 - TP / (TP + alpha FP + beta FN + eps)`` (Keras 3's counting of FP and FN).

    Args:
        y_true: labels.
        y_pred: predictions.
        alpha: the weight of false positives.
        beta: the weight of false negatives (alpha = beta = 0.5 gives Dice).
        axis: the axes to sum over (None: all).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = match_dtype(y_true, y_pred)
    intersection = ops.sum(ops.multiply(y_true, y_pred), axis=axis)
    fp = ops.sum(ops.multiply(ops.subtract(1.0, y_pred), y_true), axis=axis)
    fn = ops.sum(ops.multiply(y_pred, ops.subtract(1.0, y_true)), axis=axis)
    denominator = ops.add(ops.add(ops.add(intersection, ops.multiply(fp, alpha)),
                                  ops.multiply(fn, beta)), EPSILON)
    return ops.subtract(1.0, ops.divide(intersection, denominator))


class Dice(LossFunctionWrapper):
    """The Dice loss (see :func:`dice`)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """The Tversky loss (see :func:`tversky`)."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis
