"""Hinge metrics (Keras 3 names): running means of the hinge losses."""

from __future__ import annotations

from mini_keras import losses
from mini_keras.metrics.metric import MeanMetricWrapper


class Hinge(MeanMetricWrapper):
    """Running mean of ``max(1 - y_true * y_pred, 0)`` (0/1 labels become -1/1)."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Running mean of ``max(1 - y_true * y_pred, 0)^2``."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Running mean of the categorical hinge loss (one-hot labels)."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
