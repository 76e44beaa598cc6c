"""Reshaping layers, by kind: ``reshape`` (Reshape, Permute, RepeatVector), ``upsampling``
(UpSampling1D-3D) and ``padding`` (ZeroPadding1D-3D, Cropping1D-3D)."""

from mini_keras.layers.reshaping import padding, reshape, upsampling
from mini_keras.layers.reshaping.padding import *
from mini_keras.layers.reshaping.reshape import *
from mini_keras.layers.reshaping.upsampling import *

__all__ = reshape.__all__ + upsampling.__all__ + padding.__all__
