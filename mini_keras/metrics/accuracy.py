"""Accuracy metrics (Keras 3 names): exact, binary, categorical, sparse and top-k accuracy."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.losses.loss import squeeze_or_expand_to_same_rank
from mini_keras.metrics.metric import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` exactly."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(ops.convert_to_tensor(y_true),
                                                    ops.convert_to_tensor(y_pred))
    return ops.cast(ops.equal(ops.cast(y_true, ops.dtype(y_pred)), y_pred), "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of ``(y_pred > threshold) == y_true``."""
    y_true, y_pred = squeeze_or_expand_to_same_rank(ops.convert_to_tensor(y_true),
                                                    ops.convert_to_tensor(y_pred))
    pred = ops.cast(ops.greater(y_pred, threshold), "float32")
    true = ops.cast(ops.convert_to_tensor(y_true), "float32")
    return ops.mean(ops.cast(ops.equal(true, pred), "float32"), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_true) == argmax(y_pred)``."""
    return ops.cast(ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1)), "float32")


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals ``argmax(y_pred)``."""
    y_true = ops.convert_to_tensor(y_true)
    if len(ops.shape(y_true)) == len(ops.shape(y_pred)) and ops.shape(y_true)[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    pred = ops.argmax(y_pred, axis=-1)
    return ops.cast(ops.equal(ops.cast(y_true, "int32"), pred), "float32")


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


def _in_top_k(targets, predictions, k):
    """True where ``predictions[i, targets[i]]`` is among the ``k`` largest of row ``i``.

    Ties at the boundary count as inside (TensorFlow's ``in_top_k`` rule): a target is in the
    top k when fewer than ``k`` scores are strictly larger.
    """
    targets = ops.reshape(ops.cast(targets, "int32"), (-1, 1))
    target_score = ops.take_along_axis(predictions, targets, axis=-1)
    larger = ops.sum(ops.cast(ops.greater(predictions, target_score), "int32"), axis=-1)
    return ops.less(larger, k)


def _top_k_matches(y_true_ids, y_pred, k):
    shape = ops.shape(y_true_ids)
    y_pred = ops.reshape(y_pred, (-1, ops.shape(y_pred)[-1]))
    matches = ops.cast(_in_top_k(y_true_ids, y_pred, k), "float32")
    return ops.reshape(matches, shape) if len(shape) > 1 else matches


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the arg-max of one-hot ``y_true`` is among the ``k`` top predictions."""
    y_pred = ops.convert_to_tensor(y_pred)
    return _top_k_matches(ops.argmax(ops.convert_to_tensor(y_true), axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` top predictions.

    With ``from_sorted_ids``, ``y_pred`` holds category ids sorted by score (best first, as
    ``ops.top_k`` returns them), and the label must be among its first ``k``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(ops.shape(y_true)) == len(ops.shape(y_pred)) and ops.shape(y_true)[-1] == 1:
        y_true = ops.squeeze(y_true, axis=-1)
    if from_sorted_ids:
        top = y_pred[..., :k]
        hits = ops.equal(ops.expand_dims(ops.cast(y_true, ops.dtype(top)), -1), top)
        return ops.cast(ops.any(hits, axis=-1), "float32")
    return _top_k_matches(y_true, y_pred, k)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` predictions.

    Args:
        k: how many top predictions count.
    """

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` predictions.

    Args:
        k: how many top predictions count.
        from_sorted_ids: ``y_pred`` holds sorted category ids instead of scores.
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k, self.from_sorted_ids = k, from_sorted_ids
