"""Correlation metrics (Keras 3 names): Pearson's and Lin's concordance correlation."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.losses.loss import squeeze_or_expand_to_same_rank
from mini_keras.metrics.metric import MeanMetricWrapper

EPSILON = 1e-7  # Keras' backend.epsilon()


def _align(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(ops.convert_to_tensor(y_true), ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``.

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis holding the samples to correlate.
    """
    y_true, y_pred = _align(y_true, y_pred)
    true_c = ops.subtract(y_true, ops.mean(y_true, axis=axis, keepdims=True))
    pred_c = ops.subtract(y_pred, ops.mean(y_pred, axis=axis, keepdims=True))
    true_n = ops.divide(true_c, ops.std(true_c, axis=axis, keepdims=True))
    pred_n = ops.divide(pred_c, ops.std(pred_c, axis=axis, keepdims=True))
    return ops.mean(ops.multiply(true_n, pred_n), axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation ``2 cov / (var_t + var_p + (mean_t - mean_p)^2 + eps)``.

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis holding the samples.
    """
    y_true, y_pred = _align(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(y_true, axis=axis, keepdims=True)
    pred_var = ops.var(y_pred, axis=axis, keepdims=True)
    # mean of (y_true - m_p)(y_pred - m_p) is the covariance, as (y_pred - m_p) sums to zero
    covar = ops.multiply(ops.subtract(y_true, pred_mean), ops.subtract(y_pred, pred_mean))
    norm = ops.add(ops.add(true_var, pred_var), ops.square(ops.subtract(true_mean, pred_mean)))
    return ops.mean(ops.divide(ops.multiply(2.0, covar), ops.add(norm, EPSILON)), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """Running mean of :func:`pearson_correlation` over batches.

    Args:
        axis: the axis holding the samples to correlate.
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """Running mean of :func:`concordance_correlation` over batches.

    Args:
        axis: the axis holding the samples.
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
