"""Upsampling by repetition (or bilinear interpolation): UpSampling1D, UpSampling2D, UpSampling3D."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import (
    channel_axis,
    layer_label,
    spatial_dims,
    standardize_data_format,
    standardize_tuple,
    with_channels,
)
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["UpSampling1D", "UpSampling2D", "UpSampling3D"]


class UpSampling1D(Layer):
    """Repeat each step ``size`` times: ``(batch, steps, c) -> (batch, steps * size, c)``.

    Args:
        size: upsampling factor (default 2).
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"{layer_label(self)}: size must be a positive int, received {size!r}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return ops.repeat(inputs, self.size, axis=1)

    def compute_output_shape(self, input_shape):
        steps = None if input_shape[1] is None else input_shape[1] * self.size
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {**super().get_config(), "size": self.size}


def _bilinear_matrix(length: int, factor: int) -> np.ndarray:
    """``(length * factor, length)`` weights of linear interpolation with half-pixel centers.

    Output ``o`` samples input coordinate ``(o + 0.5) / factor - 0.5`` (clamped to the edges),
    as ``tf.image.resize`` / ``jax.image.resize`` do.
    """
    source = np.clip((np.arange(length * factor) + 0.5) / factor - 0.5, 0, length - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, length - 1)
    frac = source - low
    matrix = np.zeros((length * factor, length))
    rows = np.arange(length * factor)
    np.add.at(matrix, (rows, low), 1 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix


class UpSampling2D(Layer):
    """Upsample images by ``size``: repeat rows/columns ("nearest") or interpolate ("bilinear").

    Args:
        size: factors ``(rows, cols)`` or one int (default (2, 2)).
        data_format: "channels_last" (default from config) or "channels_first".
        interpolation: "nearest" or "bilinear" (half-pixel centers, as Keras).
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 2, "size", layer_label(self))
        self.data_format = standardize_data_format(data_format, layer_label(self))
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"{layer_label(self)}: interpolation must be 'nearest' or 'bilinear', "
                             f"received {interpolation!r}")
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        first = 1 if self.data_format == "channels_last" else 2
        if self.interpolation == "nearest":
            x = ops.repeat(inputs, self.size[0], axis=first)
            return ops.repeat(x, self.size[1], axis=first + 1)
        height, width = spatial_dims(ops.shape(inputs), self.data_format)
        dtype = ops.dtype(inputs)
        rows = ops.convert_to_tensor(_bilinear_matrix(height, self.size[0]), dtype)
        cols = ops.convert_to_tensor(_bilinear_matrix(width, self.size[1]), dtype)
        pattern = "nhwc" if self.data_format == "channels_last" else "nchw"
        out = pattern.replace("h", "y").replace("w", "x")
        return ops.einsum(f"yh,xw,{pattern}->{out}", rows, cols, inputs)

    def compute_output_shape(self, input_shape):
        spatial = [None if n is None else n * f for n, f in
                   zip(spatial_dims(input_shape, self.data_format), self.size)]
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        return with_channels(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class UpSampling3D(Layer):
    """Repeat each entry of the three spatial axes ``size`` times ("nearest").

    Args:
        size: factors ``(depth, rows, cols)`` or one int (default (2, 2, 2)).
        data_format: "channels_last" (default from config) or "channels_first".

    Example:
        >>> UpSampling3D(2)(np.zeros((1, 2, 3, 4, 5))).shape   # (1, 4, 6, 8, 5)
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 3, "size", layer_label(self))
        self.data_format = standardize_data_format(data_format, layer_label(self))
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs):
        first = 1 if self.data_format == "channels_last" else 2
        for offset, factor in enumerate(self.size):
            inputs = ops.repeat(inputs, factor, axis=first + offset)
        return inputs

    def compute_output_shape(self, input_shape):
        spatial = [None if n is None else n * f for n, f in
                   zip(spatial_dims(input_shape, self.data_format), self.size)]
        channels = input_shape[channel_axis(self.data_format)]
        return with_channels(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
