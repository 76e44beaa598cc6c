"""Convolution layers: Conv1D/2D/3D, Conv1D/2D/3DTranspose, DepthwiseConv1D/2D, SeparableConv1D/2D.

Weights have Keras 3's shapes and order, so ``layer.set_weights(keras_layer.get_weights())``
works: a convolution kernel is ``kernel_size + (in_channels / groups, filters)``, a transposed
one ``kernel_size + (filters, in_channels)``, a depthwise one
``kernel_size + (in_channels, depth_multiplier)``; the bias (``filters``,) comes last.

Files by kind: ``conv`` (Conv1D, Conv2D, Conv3D), ``conv_transpose``, ``depthwise_conv``
(Depthwise and Separable), on ``base_conv``; ``conv_utils`` holds the argument helpers the
pooling and reshaping layers share.
"""

from mini_keras.layers.convolutional import conv, conv_transpose, depthwise_conv
from mini_keras.layers.convolutional.conv import *
from mini_keras.layers.convolutional.conv_transpose import *
from mini_keras.layers.convolutional.conv_utils import (  # noqa: F401 - shared with pooling
    channel_axis,
    conv_output_length,
    get_regularizer,
    serialize_object,
    spatial_dims,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
    with_channels,
)
from mini_keras.layers.convolutional.depthwise_conv import *

__all__ = conv.__all__ + conv_transpose.__all__ + depthwise_conv.__all__
