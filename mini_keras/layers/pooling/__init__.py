"""Pooling layers, by kind: ``windowed`` (Max/AveragePooling1D-3D), ``global_pooling``
(GlobalMax/AveragePooling1D-3D) and ``adaptive`` (AdaptiveMax/AveragePooling1D-3D)."""

from mini_keras.layers.pooling import adaptive, global_pooling, windowed
from mini_keras.layers.pooling.adaptive import *
from mini_keras.layers.pooling.global_pooling import *
from mini_keras.layers.pooling.windowed import *

__all__ = windowed.__all__ + global_pooling.__all__ + adaptive.__all__
