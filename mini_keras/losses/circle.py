"""The Circle loss for metric learning (Sun et al., 2020), with Keras 3's formula and masking."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.losses.loss import (
    LossFunctionWrapper,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)


def _pos_neg_masks(query_labels, key_labels, remove_diagonal=True):
    if len(ops.shape(query_labels)) == 1:
        query_labels = ops.reshape(query_labels, (-1, 1))
    if len(ops.shape(key_labels)) == 1:
        key_labels = ops.reshape(key_labels, (-1, 1))
    positive = ops.equal(query_labels, ops.transpose(key_labels))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        n, m = ops.shape(query_labels)[0], ops.shape(key_labels)[0]
        positive = ops.logical_and(positive, ops.logical_not(ops.eye(n, m, dtype="bool")))
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """Circle loss of each embedding against the reference embeddings (default: the batch).

    Args:
        y_true: integer labels, shape ``(batch,)``.
        y_pred: L2-normalized embeddings, shape ``(batch, dim)``.
        ref_labels: labels of the references (default ``y_true``).
        ref_embeddings: reference embeddings (default ``y_pred``).
        remove_diagonal: an embedding is not its own positive.
        gamma: the scale factor.
        margin: the relaxation margin.

    Returns:
        per-embedding losses; 0 for an embedding without positives or negatives.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    distances = ops.maximum(ops.subtract(1.0, ops.matmul(y_pred, ops.transpose(ref_embeddings))),
                            0.0)
    positive, negative = _pos_neg_masks(y_true, ref_labels, remove_diagonal)
    pos_weights = ops.maximum(ops.multiply(ops.add(margin, distances),
                                           ops.cast(positive, ops.dtype(distances))), 0.0)
    neg_weights = ops.maximum(ops.multiply(ops.subtract(1.0 + margin, distances),
                                           ops.cast(negative, ops.dtype(distances))), 0.0)
    pos_terms = ops.multiply(-float(gamma), ops.multiply(pos_weights,
                                                          ops.subtract(margin, distances)))
    neg_terms = ops.multiply(float(gamma), ops.multiply(neg_weights,
                                                         ops.subtract(1.0 - margin, distances)))
    p_loss = _masked_logsumexp(pos_terms, positive)
    n_loss = _masked_logsumexp(neg_terms, negative)
    return ops.softplus(ops.add(p_loss, n_loss))


def _masked_logsumexp(values, mask):
    """``logsumexp`` over axis 1 of the entries under ``mask``; a row without any gives a huge
    negative number (Keras: -inf), whose softplus is 0 too, but whose gradient is 0, not NaN."""
    lowest = -1e4 if ops.dtype(values) == "float16" else -1e30  # exp() of it is 0
    return ops.logsumexp(ops.where(mask, values, lowest), axis=1)


class Circle(LossFunctionWrapper):
    """The Circle loss (see :func:`circle`). As in Keras 3, embeddings whose loss is 0 (no
    positive or no negative pair) are left out of the mean."""

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(ops.convert_to_tensor(y_true), y_pred)
        values = self.fn(y_true, y_pred, **self._fn_kwargs)
        mask = ops.cast(ops.greater(values, 0.0), ops.dtype(values))
        if self.reduction in ("mean", "sum_over_batch_size"):
            total = float(ops.shape(values)[0])
            mask = ops.multiply(mask, ops.divide_no_nan(total, ops.sum(mask)))
        if sample_weight is not None:
            mask = ops.multiply(mask, ops.cast(ops.convert_to_tensor(sample_weight),
                                               ops.dtype(values)))
        return reduce_weighted_values(values, mask, self.reduction)
