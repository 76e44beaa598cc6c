"""Reshaping layers: Reshape, Permute, RepeatVector, UpSampling, ZeroPadding, Cropping."""

from __future__ import annotations

import math

import numpy as np

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import (
    spatial_dims,
    standardize_data_format,
    standardize_tuple,
    with_channels,
)
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Permute",
    "RepeatVector",
    "Reshape",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
]


def _label(layer: Layer) -> str:
    return f"{type(layer).__name__} '{layer.name}'"


def _pairs(value, name: str, layer: Layer) -> tuple:
    """Keras' 2-D padding/cropping argument as ``((top, bottom), (left, right))``.

    Accepts an int, a pair of ints (symmetric per axis) or a pair of pairs.
    """
    if isinstance(value, int):
        value = (value, value)
    if not hasattr(value, "__len__") or len(value) != 2:
        raise ValueError(f"{_label(layer)}: `{name}` must be an int, a pair of ints or a pair of "
                         f"pairs of ints, received {name}={value!r}")
    return tuple(standardize_tuple(v, 2, name, _label(layer), allow_zero=True) for v in value)


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (the batch dimension is kept).

    Args:
        target_shape: shape of one output sample; one entry may be -1 (inferred).

    Example:
        >>> Reshape((3, -1))(np.zeros((2, 12))).shape   # (2, 3, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in self.target_shape) > 1 or any(
                d == 0 or d < -1 for d in self.target_shape):
            raise ValueError(f"{_label(self)}: target_shape must hold positive ints and at most "
                             f"one -1, received {tuple(target_shape)}")

    def _resolve(self, sample_shape) -> tuple:
        """``target_shape`` with the -1 filled in (None when the input size is unknown)."""
        known = math.prod(d for d in self.target_shape if d != -1)
        if any(d is None for d in sample_shape):
            return tuple(None if d == -1 else d for d in self.target_shape)
        size = math.prod(sample_shape)
        if -1 in self.target_shape and size % known == 0:
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if -1 not in self.target_shape and size == known:
            return self.target_shape
        raise ValueError(f"{_label(self)}: cannot reshape a sample of shape "
                         f"{tuple(sample_shape)} ({size} entries) to target_shape "
                         f"{self.target_shape}")

    def call(self, inputs):
        shape = ops.shape(inputs)
        return ops.reshape(inputs, (shape[0],) + self._resolve(shape[1:]))

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + self._resolve(tuple(input_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permute the non-batch dimensions: output axis ``i`` is input axis ``dims[i - 1]``.

    Args:
        dims: a permutation of ``1..rank-1`` (axes count from 1; the batch axis stays first).

    Example:
        >>> Permute((2, 1))(np.zeros((4, 10, 64))).shape   # (4, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"{_label(self)}: dims must be a permutation of 1..{len(self.dims)}"
                             f", received dims={self.dims}")
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeat a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``.

    Args:
        n: number of repetitions.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
            raise ValueError(f"{_label(self)}: n must be a positive int, received n={n!r}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class UpSampling1D(Layer):
    """Repeat each step ``size`` times: ``(batch, steps, c) -> (batch, steps * size, c)``.

    Args:
        size: upsampling factor (default 2).
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ValueError(f"{_label(self)}: size must be a positive int, received {size!r}")
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
        self.size = standardize_tuple(size, 2, "size", _label(self))
        self.data_format = standardize_data_format(data_format, _label(self))
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"{_label(self)}: interpolation must be 'nearest' or 'bilinear', "
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


class ZeroPadding1D(Layer):
    """Pad the steps axis with zeros.

    Args:
        padding: int (both ends) or ``(before, after)`` (default 1).
        data_format: "channels_last" (default from config) or "channels_first".
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = standardize_tuple(padding, 2, "padding", _label(self), allow_zero=True)
        self.data_format = standardize_data_format(data_format, _label(self))
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        widths = [(0, 0), (0, 0), (0, 0)]
        widths[1 if self.data_format == "channels_last" else 2] = self.padding
        return ops.pad(inputs, tuple(widths))

    def compute_output_shape(self, input_shape):
        shape, axis = list(input_shape), 1 if self.data_format == "channels_last" else 2
        if shape[axis] is not None:
            shape[axis] += sum(self.padding)
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding2D(Layer):
    """Pad the rows and columns of images with zeros.

    Args:
        padding: int, ``(rows, cols)`` (symmetric) or ``((top, bottom), (left, right))``.
        data_format: "channels_last" (default from config) or "channels_first".
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding", self)
        self.data_format = standardize_data_format(data_format, _label(self))
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        if self.data_format == "channels_last":
            return ops.pad(inputs, ((0, 0), *self.padding, (0, 0)))
        return ops.pad(inputs, ((0, 0), (0, 0), *self.padding))

    def compute_output_shape(self, input_shape):
        spatial = [None if n is None else n + sum(p) for n, p in
                   zip(spatial_dims(input_shape, self.data_format), self.padding)]
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        return with_channels(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping1D(Layer):
    """Remove steps from both ends of ``(batch, steps, channels)`` inputs.

    Args:
        cropping: int (both ends) or ``(start, end)`` (default (1, 1)).
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", _label(self), allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        steps = ops.shape(inputs)[1]
        self.compute_output_shape(ops.shape(inputs))
        return ops.getitem(inputs, (slice(None), slice(self.cropping[0],
                                                       steps - self.cropping[1])))

    def compute_output_shape(self, input_shape):
        steps = input_shape[1]
        if steps is not None and sum(self.cropping) >= steps:
            raise ValueError(f"{_label(self)}: cropping={self.cropping} removes all "
                             f"{steps} steps of an input of shape {tuple(input_shape)}")
        return (input_shape[0], None if steps is None else steps - sum(self.cropping),
                input_shape[2])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(Layer):
    """Remove rows and columns from the borders of images.

    Args:
        cropping: int, ``(rows, cols)`` (symmetric) or ``((top, bottom), (left, right))``.
        data_format: "channels_last" (default from config) or "channels_first".
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping", self)
        self.data_format = standardize_data_format(data_format, _label(self))
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        shape = ops.shape(inputs)
        self.compute_output_shape(shape)
        crops = tuple(slice(b, n - a) for n, (b, a) in
                      zip(spatial_dims(shape, self.data_format), self.cropping))
        every = (slice(None),)
        key = every + crops if self.data_format == "channels_last" else every * 2 + crops
        return ops.getitem(inputs, key)

    def compute_output_shape(self, input_shape):
        spatial = spatial_dims(input_shape, self.data_format)
        for n, crop in zip(spatial, self.cropping):
            if n is not None and sum(crop) >= n:
                raise ValueError(f"{_label(self)}: cropping={self.cropping} removes every entry "
                                 f"of an input of shape {tuple(input_shape)}")
        cropped = [None if n is None else n - sum(c) for n, c in zip(spatial, self.cropping)]
        channels = input_shape[-1 if self.data_format == "channels_last" else 1]
        return with_channels(input_shape[0], cropped, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}
