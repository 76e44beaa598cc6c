"""The CTC loss (Connectionist Temporal Classification) on top of ``ops.ctc_loss``."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.losses.loss import LossFunctionWrapper


def ctc(y_true, y_pred):
    """CTC loss of each sequence, with Keras 3's conventions: class 0 is the blank (and pads
    ``y_true``), every frame of ``y_pred`` is used.

    Args:
        y_true: int labels ``(batch, max_length)``; 0 marks padding (never a class).
        y_pred: logits ``(batch, max_time, num_classes)`` (not softmax-normalized).

    Returns:
        loss ``(batch,)``.
    """
    y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
    if len(ops.shape(y_true)) != 2:
        raise ValueError("losses.ctc: targets `y_true` must have shape (batch_size, max_length) "
                         f"in integer format, received shape {tuple(ops.shape(y_true))}.")
    if len(ops.shape(y_pred)) != 3:
        raise ValueError("losses.ctc: logits `y_pred` must have shape (batch_size, max_length, "
                         f"num_classes), received shape {tuple(ops.shape(y_pred))}.")
    batch, steps = ops.shape(y_pred)[:2]
    label_length = ops.cast(ops.sum(ops.cast(ops.not_equal(y_true, 0), "int32"), axis=-1), "int32")
    return ops.ctc_loss(y_true, y_pred, label_length, ops.full((batch,), steps, "int32"),
                        mask_index=0)


class CTC(LossFunctionWrapper):
    """CTC loss (see :func:`ctc`): labels ``(batch, max_length)`` padded with 0, logits
    ``(batch, max_time, num_classes)`` with the blank at class 0.

    Args:
        reduction: "sum_over_batch_size" (default), "sum", "mean" or None/"none".
        name: loss name.
        dtype: dtype of the computation (default floatx).
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)
