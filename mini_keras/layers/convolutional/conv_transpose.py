"""Conv1DTranspose, Conv2DTranspose, Conv3DTranspose: kernel
``kernel_size + (filters, in_channels)``."""

from __future__ import annotations

from mini_keras import initializers, ops
from mini_keras.layers.convolutional.base_conv import _BaseConv
from mini_keras.layers.convolutional.conv_utils import (
    get_regularizer,
    serialize_object,
    spatial_dims,
    standardize_tuple,
    with_channels,
)

__all__ = ["Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"]


class _ConvTranspose(_BaseConv):
    """N-D transposed convolution (Keras ``BaseConvTranspose``); subclasses fix ``rank``."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 output_padding=None, data_format=None, dilation_rate=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, **kwargs)
        label = f"{type(self).__name__} '{self.name}'"
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{label}: filters must be a positive int, received {filters!r}")
        self.filters = filters
        self.output_padding = (None if output_padding is None else standardize_tuple(
            output_padding, self.rank, "output_padding", label, allow_zero=True))
        if self.output_padding is not None and any(
                p >= s for p, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"{label}: output_padding must be smaller than strides, received "
                             f"output_padding={self.output_padding}, strides={self.strides}")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer)
        self.kernel_constraint = kernel_constraint

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(self.kernel_size + (self.filters, channels),
                                      self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._add_bias(self.filters)

    def call(self, inputs):
        x = ops.conv_transpose(inputs, self.kernel, strides=self.strides, padding=self.padding,
                               output_padding=self.output_padding,
                               data_format=self.data_format, dilation_rate=self.dilation_rate)
        return self._finish(x)

    def compute_output_shape(self, input_shape):
        extra = self.output_padding or (None,) * self.rank
        spatial = [_transposed_length(n, k, s, self.padding, p, d) for n, k, s, p, d in
                   zip(spatial_dims(input_shape, self.data_format), self.kernel_size,
                       self.strides, extra, self.dilation_rate)]
        return with_channels(input_shape[0], spatial, self.filters, self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "output_padding": self.output_padding,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint)}


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution over ``(batch, steps, channels)`` inputs.

    Args:
        filters: number of output channels.
        kernel_size: window length (int or tuple of 1 int).
        strides: upsampling factor.
        padding: "valid" or "same" (output length ``input * stride``).
        output_padding: extra steps at the end of the output (< stride), or None to infer.
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: spacing between kernel taps.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as
            :class:`Conv2D`.

    Weights: ``kernel`` ``(kernel_size, filters, in_channels)``, ``bias`` ``(filters,)``.
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution (the gradient of a convolution with respect to its input).

    Args:
        filters: number of output channels.
        kernel_size: window size, an int or a pair.
        strides: upsampling factors, an int or a pair.
        padding: "valid" or "same" (output size ``input * stride``).
        output_padding: extra rows/columns at the end of the output (each < its stride), or
            None to infer them as Keras does.
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: spacing between kernel taps.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as
            :class:`Conv2D`.

    Weights: ``kernel`` ``kernel_size + (filters, in_channels)``, ``bias`` ``(filters,)``.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution over ``(batch, depth, height, width, channels)`` volumes.

    Note Keras 3's argument order: ``data_format`` comes before ``output_padding`` here.

    Args:
        filters: number of output channels.
        kernel_size: window size, an int or 3 ints.
        strides: upsampling factors, an int or 3 ints.
        padding: "valid" or "same" (output size ``input * stride``).
        data_format: "channels_last" (default) or "channels_first".
        output_padding: extra entries at the end of each spatial axis (each < its stride), or
            None to infer them as Keras does.
        dilation_rate: spacing between kernel taps.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as
            :class:`Conv2D`.

    Weights: ``kernel`` ``kernel_size + (filters, in_channels)``, ``bias`` ``(filters,)``.
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


def _transposed_length(length, kernel, stride, padding, output_padding, dilation):
    """Keras' output length of a transposed convolution (None stays None)."""
    if length is None:
        return None
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(span, stride) - span if output_padding is None else output_padding
        return (length - 1) * stride + span + extra
    if output_padding is None:
        return length * stride
    return (length - 1) * stride + span % 2 + output_padding
