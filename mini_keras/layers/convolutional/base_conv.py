"""What every convolution layer shares (``_BaseConv``), and the plain convolution
``_Conv`` (kernel ``kernel_size + (in_channels / groups, filters)``).
"""

from __future__ import annotations

from mini_keras import activations, initializers, ops
from mini_keras.layers.convolutional.conv_utils import (
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
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer


class _BaseConv(Layer):
    """What every convolution layer shares: arguments, input checks, bias and activation."""

    rank = 2

    def __init__(self, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, bias_initializer="zeros",
                 bias_regularizer=None, activity_regularizer=None, bias_constraint=None,
                 allow_causal=False, **kwargs):
        super().__init__(**kwargs)
        label = f"{type(self).__name__} '{self.name}'"
        self.kernel_size = standardize_tuple(kernel_size, self.rank, "kernel_size", label)
        self.strides = standardize_tuple(strides, self.rank, "strides", label)
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate", label)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{label}: strides > 1 is not supported together with "
                             f"dilation_rate > 1, received strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.padding = standardize_padding(padding, label, allow_causal)
        self.data_format = standardize_data_format(data_format, label)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = get_regularizer(bias_regularizer)
        self.activity_regularizer = get_regularizer(activity_regularizer)
        self.bias_constraint = bias_constraint
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _input_channels(self, input_shape) -> int:
        """Check the rank, then return the (known) number of input channels."""
        self.input_spec.check(self.name, tuple(input_shape))
        channels = input_shape[channel_axis(self.data_format)]
        if channels is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the channel dimension of the "
                             f"inputs must be known, received input shape {tuple(input_shape)}")
        self.input_spec = InputSpec(ndim=self.rank + 2,
                                    axes={channel_axis(self.data_format): channels})
        return channels

    def _add_bias(self, size: int) -> None:
        """Create the bias (last weight, as Keras) and mark the layer built."""
        self.bias = (self.add_weight((size,), self.bias_initializer, name="bias",
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.built = True

    def _finish(self, x):
        """Add the bias (broadcast along the channel axis), apply the activation."""
        if self.bias is not None:
            size = self.bias.shape[0]
            shape = ((1,) * (self.rank + 1) + (size,) if self.data_format == "channels_last"
                     else (1, size) + (1,) * self.rank)
            x = ops.add(x, ops.reshape(self.bias, shape))
        x = self.activation(x)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(x))
        return x

    def _output_shape(self, input_shape, channels):
        spatial = [conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                   zip(spatial_dims(input_shape, self.data_format), self.kernel_size,
                       self.strides, self.dilation_rate)]
        for n in spatial:
            if n is not None and n <= 0:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': the output would have size {n} <= 0 "
                    f"for input shape {tuple(input_shape)}, kernel_size={self.kernel_size}, "
                    f"strides={self.strides}, dilation_rate={self.dilation_rate}, "
                    f"padding={self.padding!r}")
        return with_channels(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "bias_regularizer": serialize_object(self.bias_regularizer),
                "activity_regularizer": serialize_object(self.activity_regularizer),
                "bias_constraint": serialize_object(self.bias_constraint)}


# ---------------------------------------------------------------------------- convolution

class _Conv(_BaseConv):
    """N-D convolution ``activation(conv(inputs, kernel) + bias)`` (Keras ``BaseConv``)."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, allow_causal=self.rank == 1, **kwargs)
        label = f"{type(self).__name__} '{self.name}'"
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{label}: filters must be a positive int, received {filters!r}")
        if not isinstance(groups, int) or groups <= 0 or filters % groups:
            raise ValueError(f"{label}: groups must be a positive int dividing filters, "
                             f"received groups={groups!r}, filters={filters}")
        self.filters, self.groups = filters, groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = get_regularizer(kernel_regularizer)
        self.kernel_constraint = kernel_constraint

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"{type(self).__name__} '{self.name}': {channels} input channels "
                             f"are not divisible by groups={self.groups} (input shape "
                             f"{tuple(input_shape)})")
        self.compute_output_shape(input_shape)  # fail early on windows larger than the input
        self.kernel = self.add_weight(self.kernel_size + (channels // self.groups, self.filters),
                                      self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self._add_bias(self.filters)

    def call(self, inputs):
        padding = self.padding
        if padding == "causal":  # left-pad so output t sees inputs <= t only
            left = (self.kernel_size[0] - 1) * self.dilation_rate[0]
            time = ((0, 0), (left, 0), (0, 0))
            inputs = ops.pad(inputs, time if self.data_format == "channels_last"
                             else ((0, 0), (0, 0), (left, 0)))
            padding = "valid"
        x = ops.conv(inputs, self.kernel, strides=self.strides, padding=padding,
                     data_format=self.data_format, dilation_rate=self.dilation_rate)
        return self._finish(x)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "kernel_regularizer": serialize_object(self.kernel_regularizer),
                "kernel_constraint": serialize_object(self.kernel_constraint)}
