"""Probabilistic metrics (Keras 3 names): running cross-entropies, KL divergence, Poisson."""

from __future__ import annotations

from mini_keras import losses
from mini_keras.metrics.metric import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean binary cross-entropy.

    Args:
        from_logits: predictions are logits.
        label_smoothing: squeeze labels towards 0.5.
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean categorical cross-entropy with one-hot labels.

    Args:
        from_logits: predictions are logits.
        label_smoothing: squeeze labels towards uniform.
        axis: the class axis.
    """

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean cross-entropy with integer labels.

    Args:
        from_logits: predictions are logits.
        ignore_class: a label whose samples count with a loss of 0 (Keras 3's metric keeps
            them in the mean's count, unlike the loss class).
        axis: the class axis.
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)


class KLDivergence(MeanMetricWrapper):
    """Running mean Kullback-Leibler divergence."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Running mean Poisson loss."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name=name, dtype=dtype)
