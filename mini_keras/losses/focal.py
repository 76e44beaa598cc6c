"""Focal and generalized cross-entropies (Keras 3 formulas): losses that down-weight easy
examples (Lin et al., 2017) or noisy labels (Zhang & Sabuncu, 2018)."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.losses.loss import LossFunctionWrapper, match_dtype

EPSILON = 1e-7  # Keras' backend.epsilon()


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of ``(1 - p_t)^gamma * bce``, ``p_t`` the probability of the label.

    Args:
        y_true: labels in [0, 1].
        y_pred: probabilities (or logits with ``from_logits``).
        apply_class_balancing: weigh positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: the class-balancing weight of positives.
        gamma: the focusing exponent (0 gives plain binary cross-entropy).
        from_logits: ``y_pred`` holds logits.
        label_smoothing: squeeze labels towards 0.5 by this amount.
        axis: the axis to average over.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = match_dtype(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = ops.add(ops.multiply(y_true, y_pred),
                  ops.multiply(ops.subtract(1.0, y_true), ops.subtract(1.0, y_pred)))
    focal = ops.multiply(ops.power(ops.subtract(1.0, p_t), gamma), bce)
    if apply_class_balancing:
        weight = ops.add(ops.multiply(y_true, alpha),
                         ops.multiply(ops.subtract(1.0, y_true), 1.0 - alpha))
        focal = ops.multiply(weight, focal)
    return ops.mean(focal, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Sum over ``axis`` of ``-alpha * (1 - p)^gamma * y_true * log(p)``.

    Args:
        y_true: one-hot (or probability) labels.
        y_pred: probabilities (renormalized to sum to one), or logits with ``from_logits``.
        alpha: the weighting factor.
        gamma: the focusing exponent.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: mix labels with the uniform distribution by this amount.
        axis: the class axis.
    """
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(  # noqa: TRY004 - as Keras 3
            f"categorical_focal_crossentropy: `axis` must be an int, received "
            f"axis={axis!r} of type {type(axis).__name__}")
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = match_dtype(y_true, y_pred)
    if label_smoothing:
        num_classes = float(ops.shape(y_true)[-1])
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing),
                         label_smoothing / num_classes)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    output = ops.divide(y_pred, ops.sum(y_pred, axis=axis, keepdims=True))
    output = ops.clip(output, EPSILON, 1.0 - EPSILON)
    cce = ops.multiply(ops.negative(y_true), ops.log(output))
    weight = ops.multiply(ops.power(ops.subtract(1.0, output), gamma), alpha)
    return ops.sum(ops.multiply(weight, cce), axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """``(1 - p^q) / q`` with ``p`` the predicted probability of the integer label.

    Args:
        y_true: integer class labels.
        y_pred: class probabilities.
        q: in (0, 1]: near 0 it approaches cross-entropy, at 1 the mean absolute error.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    one_hot = ops.cast(ops.one_hot(ops.cast(y_true, "int32"), ops.shape(y_pred)[-1]),
                       ops.dtype(y_pred))
    p = ops.sum(ops.multiply(y_pred, one_hot), axis=-1)
    return ops.divide(ops.subtract(1.0, ops.power(p, q)), q)


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary focal cross-entropy (see :func:`binary_focal_crossentropy` for the arguments)."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical focal cross-entropy (see :func:`categorical_focal_crossentropy`)."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy for noisy labels (see
    :func:`categorical_generalized_cross_entropy`).

    Args:
        q: in (0, 1].
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q <= 1:
            raise ValueError(f"CategoricalGeneralizedCrossEntropy: `q` must be in (0, 1], "
                             f"received q={q}")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction,
                         dtype=dtype, q=q)
        self.q = q
