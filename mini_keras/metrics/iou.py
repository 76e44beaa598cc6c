"""Mean intersection-over-union from a running confusion matrix (Keras 3 rules)."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.metrics.metric import Metric

EPSILON = 1e-7


class MeanIoU(Metric):
    """Mean over classes of ``tp / (tp + fp + fn)``; classes never seen are left out.

    Args:
        num_classes: number of classes (the confusion matrix is ``num_classes`` square).
        ignore_class: a label value whose entries are ignored.
        sparse_y_true: labels are integer ids (else one-hot/probabilities, arg-maxed).
        sparse_y_pred: predictions are integer ids (else scores, arg-maxed).
        axis: the class axis for the arg-max.
        name: metric name.
        dtype: the confusion matrix's dtype (Keras 3's default int32: weights are truncated).
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes),
                                          dtype=self.dtype, name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = ops.convert_to_tensor(y_true), ops.convert_to_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.cast(y_true, "int32"), (-1,))
        y_pred = ops.reshape(ops.cast(y_pred, "int32"), (-1,))
        sw = ops.convert_to_tensor(1.0 if sample_weight is None else sample_weight)
        sw = ops.broadcast_to(ops.reshape(ops.cast(sw, "float32"), (-1,)) if ops.shape(sw) else sw,
                              ops.shape(y_true))
        in_bounds = ops.logical_and(
            ops.logical_and(ops.greater_equal(y_true, 0), ops.less(y_true, self.num_classes)),
            ops.logical_and(ops.greater_equal(y_pred, 0), ops.less(y_pred, self.num_classes)))
        if self.ignore_class is not None:
            in_bounds = ops.logical_and(in_bounds, ops.not_equal(y_true, self.ignore_class))
        y_true = ops.where(in_bounds, y_true, 0)
        y_pred = ops.where(in_bounds, y_pred, 0)
        # each weight in the matrix's dtype first, as Keras 3 (int32 truncates weights)
        sw = ops.cast(ops.cast(ops.where(in_bounds, sw, 0.0), self.dtype), "float32")
        true_1h = ops.one_hot(y_true, self.num_classes, dtype="float32")
        pred_1h = ops.one_hot(y_pred, self.num_classes, dtype="float32")
        # cm[i, j] = total weight of samples with label i predicted as j
        cm = ops.matmul(ops.transpose(true_1h), ops.multiply(pred_1h, ops.expand_dims(sw, -1)))
        self.total_cm.assign(ops.add(self.total_cm.value, ops.cast(cm, self.total_cm.dtype)))

    def result(self):
        return self._mean_iou(None)

    def _mean_iou(self, class_ids):
        """Mean IoU over ``class_ids`` (None: all classes) that occur."""
        cm = ops.cast(self.total_cm.value, "float32")
        diagonal = ops.eye(self.num_classes, dtype="float32")
        true_positives = ops.sum(ops.multiply(cm, diagonal), axis=1)
        denominator = ops.subtract(ops.add(ops.sum(cm, axis=0), ops.sum(cm, axis=1)),
                                   true_positives)
        if class_ids is not None:
            true_positives = ops.take(true_positives, class_ids)
            denominator = ops.take(denominator, class_ids)
        valid = ops.greater(denominator, 1e-9)
        iou = ops.where(valid, ops.divide(true_positives, ops.add(denominator, EPSILON)), 0.0)
        return ops.divide(ops.sum(iou), ops.add(ops.sum(ops.cast(valid, "float32")), EPSILON))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}
