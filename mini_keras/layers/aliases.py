"""Keras 3's second names of layer classes (``Convolution2D`` is ``Conv2D``...)."""

from __future__ import annotations

from mini_keras.layers.convolutional import (
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Conv3D,
    Conv3DTranspose,
    SeparableConv1D,
    SeparableConv2D,
)

__all__ = ["Convolution1D", "Convolution1DTranspose", "Convolution2D", "Convolution2DTranspose",
           "Convolution3D", "Convolution3DTranspose", "SeparableConvolution1D",
           "SeparableConvolution2D"]

Convolution1D = Conv1D
Convolution1DTranspose = Conv1DTranspose
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
Convolution3D = Conv3D
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
