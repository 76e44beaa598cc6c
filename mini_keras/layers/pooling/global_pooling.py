"""Global pooling: the max or mean over every spatial position, in 1 to 3 dimensions."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import (
    channel_axis,
    standardize_data_format,
    with_channels,
)
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = [
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
]


class _GlobalPooling(Layer):
    """Reduce all spatial positions to one (Keras BaseGlobalPooling)."""

    rank = 2
    reduce = staticmethod(ops.max)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, f"{type(self).__name__} "
                                                   f"'{self.name}'")
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        self.input_spec.check(self.name, tuple(input_shape))
        self.built = True

    def call(self, inputs):
        first = 1 if self.data_format == "channels_last" else 2
        axes = tuple(range(first, first + self.rank))
        return self.reduce(inputs, axis=axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        channels = input_shape[channel_axis(self.data_format)]
        if not self.keepdims:
            return (input_shape[0], channels)
        return with_channels(input_shape[0], (1,) * self.rank, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over the steps: ``(batch, steps, channels) -> (batch, channels)``.

    Args:
        data_format: "channels_last" (default from config) or "channels_first".
        keepdims: keep the reduced axis with size 1.
    """

    rank, reduce = 1, staticmethod(ops.max)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps: ``(batch, steps, channels) -> (batch, channels)``.

    Args: as :class:`GlobalMaxPooling1D`.
    """

    rank, reduce = 1, staticmethod(ops.mean)


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width: ``(batch, h, w, channels) -> (batch, channels)``.

    Args:
        data_format: "channels_last" (default from config) or "channels_first".
        keepdims: keep the reduced axes with size 1.
    """

    rank, reduce = 2, staticmethod(ops.max)


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: ``(batch, h, w, channels) -> (batch, channels)``.

    Args: as :class:`GlobalMaxPooling2D`.
    """

    rank, reduce = 2, staticmethod(ops.mean)


class GlobalMaxPooling3D(_GlobalPooling):
    """Max over depth, height and width: ``(batch, d, h, w, channels) -> (batch, channels)``.

    Args:
        data_format: "channels_last" (default from config) or "channels_first".
        keepdims: keep the reduced axes with size 1.
    """

    rank, reduce = 3, staticmethod(ops.max)


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over depth, height and width: ``(batch, d, h, w, channels) -> (batch, channels)``.

    Args: as :class:`GlobalMaxPooling3D`.
    """

    rank, reduce = 3, staticmethod(ops.mean)


# Keras' short aliases.
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = (GlobalMaxPooling1D, GlobalMaxPooling2D,
                                                     GlobalMaxPooling3D)
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D)
