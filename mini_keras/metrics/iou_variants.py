"""IoU metrics over chosen classes, binary and one-hot (Keras 3 names and rules)."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.metrics.iou import MeanIoU


class IoU(MeanIoU):
    """Mean of ``tp / (tp + fp + fn)`` over ``target_class_ids`` (classes never seen are left
    out), from a running confusion matrix.

    Args:
        num_classes: number of classes.
        target_class_ids: the classes to average over.
        ignore_class: a label value whose entries are ignored.
        sparse_y_true: labels are integer ids (else one-hot/probabilities, arg-maxed).
        sparse_y_pred: predictions are integer ids (else scores, arg-maxed).
        axis: the class axis for the arg-max.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        ids = list(target_class_ids)
        if not ids or max(ids) >= num_classes or min(ids) < 0:
            raise ValueError(f"{type(self).__name__}: `target_class_ids` must be class ids in "
                             f"[0, {num_classes}), received {ids}")
        self.target_class_ids = ids

    def result(self):
        return self._mean_iou(np.asarray(self.target_class_ids, "int32"))

    def get_config(self):
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class BinaryIoU(IoU):
    """IoU of binary predictions: ``y_pred >= threshold`` is class 1.

    Args:
        target_class_ids: the classes (0 and/or 1) to average over.
        threshold: the score at and above which a prediction is class 1.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.greater_equal(ops.cast(ops.convert_to_tensor(y_pred), "float32"),
                                            self.threshold), "int32")
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class OneHotIoU(IoU):
    """:class:`IoU` with one-hot labels (and, by default, score predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` with one-hot labels (and, by default, score predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config
