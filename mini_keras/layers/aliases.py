"""Keras 3's second names of layer classes (``Convolution2D`` is ``Conv2D``...)."""

from __future__ import annotations

from mini_keras.layers.convolutional import Conv1D, Conv2D, Conv2DTranspose, SeparableConv2D

__all__ = ["Convolution1D", "Convolution2D", "Convolution2DTranspose",
           "SeparableConvolution2D"]

Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
