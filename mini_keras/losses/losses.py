"""Keras 3's loss functions (per-sample values) and their ``Loss`` classes."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.losses.loss import LossFunctionWrapper, match_dtype
from mini_keras.trainers import value_checks

EPSILON = 1e-7  # Keras' backend.epsilon()


def mean_squared_error(y_true, y_pred):
    """Mean of squared errors over the last axis."""
    return ops.mean(ops.square(ops.subtract(match_dtype(y_true, y_pred), y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of absolute errors over the last axis."""
    return ops.mean(ops.abs(ops.subtract(match_dtype(y_true, y_pred), y_pred)), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean binary cross-entropy over ``axis`` (the last by default)."""
    y_true = match_dtype(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy with one-hot (or probability) targets."""
    y_true = match_dtype(y_true, y_pred)
    if label_smoothing:
        k = ops.shape(y_pred)[axis]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / k)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Cross-entropy with integer class targets in ``[0, classes)``.

    ``ignore_class``: a label value whose samples get a loss of 0 (the ``Loss`` class then
    averages over the other samples only, as Keras 3). ``fit`` checks its labels once on the
    host; inside a step an out-of-range label gives a framework-defined result unless
    ``config.enable_value_checks()`` is on.
    """
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(y_true, ops.cast(ignore_class, ops.dtype(y_true)))
        y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    value_checks.check_in_step(y_true, ops.shape(y_pred)[axis], "sparse categorical "
                               "cross-entropy labels")
    values = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                 axis=axis)
    if valid is not None:
        valid = ops.reshape(valid, ops.shape(values))
        values = ops.where(valid, values, ops.zeros_like(values))
    return values


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of ``e^2 / 2`` if ``|e| <= delta`` else ``delta |e| - delta^2 / 2``."""
    error = ops.subtract(y_pred, match_dtype(y_true, y_pred))
    abs_error = ops.abs(error)
    quadratic = ops.multiply(0.5, ops.square(error))
    linear = ops.subtract(ops.multiply(delta, abs_error), 0.5 * delta * delta)
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """Mean over the last axis of ``log(cosh(y_pred - y_true))``, computed stably."""
    x = ops.subtract(y_pred, match_dtype(y_true, y_pred))
    log_cosh_x = ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2.0))), float(np.log(2.0)))
    return ops.mean(log_cosh_x, axis=-1)


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred))`` over the last axis (both clipped to [eps, 1])."""
    y_true = ops.clip(match_dtype(y_true, y_pred), EPSILON, 1.0)
    y_pred = ops.clip(y_pred, EPSILON, 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """Mean over the last axis of ``y_pred - y_true * log(y_pred + eps)``."""
    y_true = match_dtype(y_true, y_pred)
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, ops.log(ops.add(y_pred, EPSILON)))),
                    axis=-1)


def _binary_labels_to_signs(y_true):
    """Map labels in {0, 1} to {-1, 1}; leave other labels (e.g. already ±1) unchanged."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(is_binary, ops.subtract(ops.multiply(2.0, y_true), 1.0), y_true)


def hinge(y_true, y_pred):
    """Mean over the last axis of ``max(1 - y_true * y_pred, 0)`` (0/1 labels become -1/1)."""
    y_true = _binary_labels_to_signs(match_dtype(y_true, y_pred))
    return ops.mean(ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """Mean over the last axis of ``max(1 - y_true * y_pred, 0)^2`` (0/1 labels become -1/1)."""
    y_true = _binary_labels_to_signs(match_dtype(y_true, y_pred))
    margin = ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0)
    return ops.mean(ops.square(margin), axis=-1)


def categorical_hinge(y_true, y_pred):
    """``max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)`` over the last axis."""
    y_true = match_dtype(y_true, y_pred)
    pos = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(neg, pos), 1.0), 0.0)


def _l2_normalize(x, axis):
    inv_norm = ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return ops.multiply(x, ops.minimum(inv_norm, 1.0 / EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Negative cosine similarity along ``axis`` (-1 means the vectors point the same way)."""
    y_true = _l2_normalize(match_dtype(y_true, y_pred), axis)
    return ops.negative(ops.sum(ops.multiply(y_true, _l2_normalize(y_pred, axis)), axis=axis))


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean over the last axis of ``(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2``."""
    y_true = match_dtype(y_true, y_pred)
    first = ops.log(ops.add(ops.maximum(y_pred, EPSILON), 1.0))
    second = ops.log(ops.add(ops.maximum(y_true, EPSILON), 1.0))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, eps))`` over the last axis."""
    y_true = match_dtype(y_true, y_pred)
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), ops.maximum(ops.abs(y_true), EPSILON)))
    return ops.multiply(100.0, ops.mean(diff, axis=-1))


class MeanSquaredError(LossFunctionWrapper):
    """Mean squared error."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean absolute error."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy; ``from_logits`` for raw scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with one-hot targets; ``from_logits`` for raw scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer targets; ``from_logits`` for raw scores."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def get_config(self):  # Keras 3 leaves ``axis`` out of this loss's config
        return {k: v for k, v in super().get_config().items() if k != "axis"}

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None:
            return super().__call__(y_true, y_pred, sample_weight)
        # Keras 3 masks the ignored samples: "sum_over_batch_size"/"mean" average over the
        # others (weights total/valid on the kept samples), "sum" just drops them.
        y_true = ops.convert_to_tensor(y_true)
        keep = ops.not_equal(y_true, ops.cast(self.ignore_class, ops.dtype(y_true)))
        keep = ops.cast(keep, "float32")
        if self.reduction in ("sum_over_batch_size", "mean"):
            keep = ops.multiply(keep, ops.divide(float(np.prod(ops.shape(keep))),
                                                 ops.add(ops.sum(keep), EPSILON)))
        if sample_weight is not None:
            sample_weight = ops.convert_to_tensor(sample_weight)
            while len(ops.shape(sample_weight)) < len(ops.shape(keep)):
                sample_weight = ops.expand_dims(sample_weight, -1)
            keep = ops.multiply(keep, ops.cast(sample_weight, "float32"))
        return super().__call__(y_true, y_pred, keep)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond.

    Args:
        delta: the threshold between the quadratic and the linear part.
    """

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the prediction error."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class Hinge(LossFunctionWrapper):
    """Hinge loss ``max(1 - y_true * y_pred, 0)``; labels -1/1 (0/1 are converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss ``max(1 - y_true * y_pred, 0)^2``."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss ``max(neg - pos + 1, 0)`` with one-hot labels."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity between labels and predictions.

    Args:
        axis: the axis along which the similarity is computed.
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean squared error between ``log(1 + y_true)`` and ``log(1 + y_pred)``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """``100 * mean(|y_true - y_pred| / |y_true|)``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)
