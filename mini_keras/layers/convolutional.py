"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Weights have Keras 3's shapes and order, so ``layer.set_weights(keras_layer.get_weights())``
works: a convolution kernel is ``kernel_size + (in_channels / groups, filters)``, a transposed
one ``kernel_size + (filters, in_channels)``, a depthwise one
``kernel_size + (in_channels, depth_multiplier)``; the bias (``filters``,) comes last.
"""

from __future__ import annotations

from mini_keras import activations, config, initializers, ops, regularizers
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["Conv1D", "Conv2D", "Conv2DTranspose", "DepthwiseConv2D", "SeparableConv2D"]


# ---------------------------------------------------------------------------- argument helpers

def standardize_tuple(value, n: int, name: str, layer: str, allow_zero: bool = False) -> tuple:
    """An int or ``n`` ints as a tuple of ``n`` positive (or non-negative) ints.

    Raises:
        ValueError: naming ``layer`` and ``name`` when the value has the wrong length or sign.
    """
    values = (value,) * n if isinstance(value, int) else tuple(value)
    smallest = 0 if allow_zero else 1
    if len(values) != n or not all(isinstance(v, int) and v >= smallest for v in values):
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{layer}: `{name}` must be a {kind} int or a tuple of {n} {kind} ints, "
                         f"received {name}={value!r}")
    return values


def standardize_data_format(data_format, layer: str) -> str:
    """``None`` -> ``config.image_data_format()``; otherwise channels_last / channels_first."""
    data_format = config.image_data_format() if data_format is None else str(data_format).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{layer}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format


def standardize_padding(padding, layer: str, allow_causal: bool = False) -> str:
    """Lower-cased padding, checked to be "valid", "same" (or "causal" when allowed)."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = str(padding).lower()
    if padding not in allowed:
        raise ValueError(f"{layer}: padding must be one of {allowed}, received {padding!r}")
    return padding


def conv_output_length(length, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Output length of a sliding window (None stays None); "causal" behaves like "same"."""
    if length is None:
        return None
    if padding == "valid":
        return (length - (kernel - 1) * dilation - 1) // stride + 1
    return (length - 1) // stride + 1


def channel_axis(data_format: str) -> int:
    """Axis of the channels: -1 for channels_last, 1 for channels_first."""
    return -1 if data_format == "channels_last" else 1


def spatial_dims(shape, data_format: str) -> tuple:
    """The spatial part of a batched shape."""
    return tuple(shape[1:-1]) if data_format == "channels_last" else tuple(shape[2:])


def with_channels(batch, spatial, channels, data_format: str) -> tuple:
    """Assemble a batched shape from batch size, spatial dims and channel count."""
    if data_format == "channels_last":
        return (batch, *spatial, channels)
    return (batch, channels, *spatial)


def get_regularizer(identifier):
    """A regularizer from None, a name, a callable or a ``{"class_name", "config"}`` dict."""
    if isinstance(identifier, dict):
        return getattr(regularizers, identifier["class_name"])(**identifier.get("config", {}))
    return regularizers.get(identifier)


def serialize_object(obj):
    """``{"class_name", "config"}`` for objects with ``get_config`` (regularizers); else None."""
    if obj is None or not hasattr(obj, "get_config"):
        return None
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


# ---------------------------------------------------------------------------- shared base

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


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` inputs (channels_last).

    Args:
        filters: number of output channels.
        kernel_size: window length (int or tuple of 1 int).
        strides: step of the window.
        padding: "valid", "same" or "causal" (output ``t`` sees inputs ``<= t``).
        data_format: "channels_last" (default from ``config.image_data_format()``) or
            "channels_first".
        dilation_rate: spacing between kernel taps.
        groups: split the input channels into this many independent groups.
        activation: activation name or callable (None: linear).
        use_bias: add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.

    Weights: ``kernel`` ``(kernel_size, in_channels / groups, filters)``, ``bias`` ``(filters,)``.
    """

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over ``(batch, height, width, channels)`` images.

    Args:
        filters: number of output channels.
        kernel_size: window size, an int or ``(height, width)``.
        strides: window steps, an int or a pair.
        padding: "valid" (no padding) or "same" (output size ``ceil(input / stride)``).
        data_format: "channels_last" (default from ``config.image_data_format()``) or
            "channels_first".
        dilation_rate: spacing between kernel taps (atrous convolution).
        groups: split the input channels into this many independent groups.
        activation: activation name or callable (None: linear).
        use_bias: add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.

    Weights: ``kernel`` ``kernel_size + (in_channels / groups, filters)``, ``bias``
    ``(filters,)``.

    Example:
        >>> layer = Conv2D(8, 3, activation="relu")
        >>> layer(np.zeros((2, 28, 28, 1))).shape   # (2, 26, 26, 8)
    """

    rank = 2


# ---------------------------------------------------------------------------- transposed

class Conv2DTranspose(_BaseConv):
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
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
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


# ---------------------------------------------------------------------------- depthwise

class DepthwiseConv2D(_BaseConv):
    """Filter each input channel separately with ``depth_multiplier`` kernels of its own.

    Output channel ``c * depth_multiplier + m`` is input channel ``c`` convolved with
    ``kernel[:, :, c, m]``.

    Args:
        kernel_size: window size, an int or a pair.
        strides, padding, data_format, dilation_rate: as :class:`Conv2D`.
        depth_multiplier: output channels per input channel.
        activation, use_bias: as :class:`Conv2D`.
        depthwise_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        depthwise_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        depthwise_constraint, bias_constraint: optional constraints.

    Weights (Keras 3 names): ``kernel`` ``kernel_size + (in_channels, depth_multiplier)``,
    ``bias`` ``(in_channels * depth_multiplier,)``.
    """

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, **kwargs)
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"{type(self).__name__} '{self.name}': depth_multiplier must be a "
                             f"positive int, received {depth_multiplier!r}")
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = get_regularizer(depthwise_regularizer)
        self.depthwise_constraint = depthwise_constraint

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(self.kernel_size + (channels, self.depth_multiplier),
                                      self.depthwise_initializer, name="kernel",
                                      regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint)
        self._add_bias(channels * self.depth_multiplier)

    @property
    def depthwise_kernel(self):
        """The depthwise kernel (Keras 3 stores it as ``kernel``)."""
        return self.kernel

    def call(self, inputs):
        x = ops.depthwise_conv(inputs, self.kernel, strides=self.strides, padding=self.padding,
                               data_format=self.data_format, dilation_rate=self.dilation_rate)
        return self._finish(x)

    def compute_output_shape(self, input_shape):
        channels = input_shape[channel_axis(self.data_format)]
        out = None if channels is None else channels * self.depth_multiplier
        return self._output_shape(input_shape, out)

    def get_config(self):
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "depthwise_regularizer": serialize_object(self.depthwise_regularizer),
                "depthwise_constraint": serialize_object(self.depthwise_constraint)}


class SeparableConv2D(_BaseConv):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution mixing the channels.

    Args:
        filters: number of output channels.
        kernel_size, strides, padding, data_format, dilation_rate: of the depthwise step.
        depth_multiplier: depthwise output channels per input channel.
        activation, use_bias: as :class:`Conv2D`.
        depthwise_initializer, pointwise_initializer, bias_initializer: initializers.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer:
            optional regularizers.
        depthwise_constraint, pointwise_constraint, bias_constraint: optional constraints.

    Weights: ``depthwise_kernel`` ``kernel_size + (in_channels, depth_multiplier)``,
    ``pointwise_kernel`` ``(1, 1, in_channels * depth_multiplier, filters)``, ``bias``
    ``(filters,)``.
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, activity_regularizer,
                         bias_constraint, **kwargs)
        label = f"{type(self).__name__} '{self.name}'"
        if not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{label}: filters must be a positive int, received {filters!r}")
        if not isinstance(depth_multiplier, int) or depth_multiplier <= 0:
            raise ValueError(f"{label}: depth_multiplier must be a positive int, received "
                             f"{depth_multiplier!r}")
        self.filters, self.depth_multiplier = filters, depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = get_regularizer(depthwise_regularizer)
        self.pointwise_regularizer = get_regularizer(pointwise_regularizer)
        self.depthwise_constraint = depthwise_constraint
        self.pointwise_constraint = pointwise_constraint

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            self.kernel_size + (channels, self.depth_multiplier), self.depthwise_initializer,
            name="depthwise_kernel", regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            (1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            self.pointwise_initializer, name="pointwise_kernel",
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self._add_bias(self.filters)

    def call(self, inputs):
        x = ops.depthwise_conv(inputs, self.depthwise_kernel, strides=self.strides,
                               padding=self.padding, data_format=self.data_format,
                               dilation_rate=self.dilation_rate)
        x = ops.conv(x, self.pointwise_kernel, data_format=self.data_format)
        return self._finish(x)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
                "depthwise_regularizer": serialize_object(self.depthwise_regularizer),
                "pointwise_regularizer": serialize_object(self.pointwise_regularizer),
                "depthwise_constraint": serialize_object(self.depthwise_constraint),
                "pointwise_constraint": serialize_object(self.pointwise_constraint)}
