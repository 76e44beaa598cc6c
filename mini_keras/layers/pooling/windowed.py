"""Windowed pooling: the max or mean of each ``pool_size`` window, in 1 to 3 dimensions."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import (
    channel_axis,
    conv_output_length,
    spatial_dims,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
    with_channels,
)
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
]


class _Pooling(Layer):
    """Reduce each window of ``pool_size`` positions to its maximum or mean (Keras BasePooling)."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        label = f"{type(self).__name__} '{self.name}'"
        self.pool_size = standardize_tuple(pool_size, self.rank, "pool_size", label)
        self.strides = standardize_tuple(pool_size if strides is None else strides, self.rank,
                                         "strides", label)
        self.padding = standardize_padding(padding, label)
        self.data_format = standardize_data_format(data_format, label)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        self.input_spec.check(self.name, tuple(input_shape))
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        pool = ops.max_pool if self.mode == "max" else ops.average_pool
        return pool(inputs, self.pool_size, strides=self.strides, padding=self.padding,
                    data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        spatial = [conv_output_length(n, k, s, self.padding) for n, k, s in
                   zip(spatial_dims(input_shape, self.data_format), self.pool_size,
                       self.strides)]
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f"{type(self).__name__} '{self.name}': pool_size={self.pool_size} "
                             f"is larger than the input, received input shape "
                             f"{tuple(input_shape)} with padding={self.padding!r}")
        channels = input_shape[channel_axis(self.data_format)]
        return with_channels(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Max over windows of ``pool_size`` steps of ``(batch, steps, channels)`` inputs.

    Args:
        pool_size: window length (default 2).
        strides: window step (default: ``pool_size``).
        padding: "valid" or "same".
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank, mode = 1, "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling1D(_Pooling):
    """Mean over windows of ``pool_size`` steps ("same" padding averages real entries only).

    Args: as :class:`MaxPooling1D`.
    """

    rank, mode = 1, "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling2D(_Pooling):
    """Max over ``pool_size`` windows of ``(batch, height, width, channels)`` images.

    Args:
        pool_size: window size, an int or a pair (default (2, 2)).
        strides: window steps (default: ``pool_size``).
        padding: "valid" or "same".
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows of images ("same" padding averages real entries only).

    Args: as :class:`MaxPooling2D`.
    """

    rank, mode = 2, "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class MaxPooling3D(_Pooling):
    """Max over ``pool_size`` windows of ``(batch, depth, height, width, channels)`` volumes.

    Args:
        pool_size: window size, an int or 3 ints (default (2, 2, 2)).
        strides: window steps (default: ``pool_size``).
        padding: "valid" or "same".
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank, mode = 3, "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over ``pool_size`` windows of volumes ("same" padding averages real entries only).

    Args:
        pool_size: window size, an int or 3 ints (required, as in Keras 3).
        strides, padding, data_format: as :class:`MaxPooling3D`.
    """

    rank, mode = 3, "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


# Keras' short aliases.
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
