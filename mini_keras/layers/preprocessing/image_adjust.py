"""Tone and detail adjustments: ``Equalization``, ``RandomColorDegeneration``,
``RandomSharpness`` (Keras 3's layers, written in ``ops``; random ones are the identity at
inference)."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.layers.preprocessing.image_color import _value_range
from mini_keras.layers.preprocessing.image_random import _factor_pair, _RandomImageLayer

__all__ = ["Equalization", "RandomColorDegeneration", "RandomSharpness"]


def _scale(x, source, target):
    """Map ``x`` linearly from ``source`` to ``target`` (Keras' scale-and-offset form)."""
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return ops.add(ops.multiply(x, scale), target[0] - source[0] * scale)


class Equalization(_RandomImageLayer):
    """Histogram-equalize each channel (over the whole batch, as Keras 3 does) into ``bins``
    bins on a 0-255 scale; applied when called directly or in training, the identity at
    inference (``training=False``), like Keras 3's layer.

    Args:
        value_range: the ``(low, high)`` range of the input values.
        bins: number of histogram bins (256 for 8-bit images).
        data_format: "channels_last" or "channels_first".
    """

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
            raise ValueError(f"Equalization: `bins` must be a positive int, received "
                             f"bins={bins!r}.")
        self.bins = bins
        self.value_range = _value_range("Equalization", value_range)

    def _histogram(self, channel):
        scaled = ops.multiply(ops.cast(channel, "float32"), (self.bins - 1) / 255.0)
        index = ops.clip(ops.cast(scaled, "int32"), 0, self.bins - 1)
        return ops.sum(ops.one_hot(ops.reshape(index, (-1,)), self.bins, dtype="float32"),
                       axis=0)

    def _equalize(self, channel):
        channel = _scale(channel, self.value_range, (0, 255))
        hist = self._histogram(channel)
        cdf = ops.cumsum(hist)
        cdf_min = ops.take(cdf, ops.argmax(ops.greater(cdf, 0.0)))
        denominator = ops.subtract(ops.take(cdf, self.bins - 1), cdf_min)
        denominator = ops.where(ops.equal(denominator, 0.0), 1.0, denominator)
        table = ops.clip(ops.round(ops.divide(ops.multiply(ops.subtract(cdf, cdf_min), 255.0),
                                              denominator)), 0.0, 255.0)
        index = ops.cast(ops.clip(ops.multiply(ops.divide(channel, 255.0), self.bins - 1),
                                  0, self.bins - 1), "int32")
        equalized = ops.cast(ops.take(table, index), ops.dtype(channel))
        single = ops.less_equal(ops.count_nonzero(hist), 1)
        return _scale(ops.where(single, channel, equalized), (0, 255), self.value_range)

    def augment(self, images):
        axis = -1 if self.data_format == "channels_last" else -3
        channels = ops.shape(images)[axis]
        return ops.cast(ops.stack([self._equalize(ops.take(images, i, axis=axis))
                                   for i in range(channels)], axis=axis), self.compute_dtype)

    def get_config(self):
        config = {**super().get_config(), "bins": self.bins,
                  "value_range": list(self.value_range)}
        config.pop("seed")  # Keras 3's config has none: the layer is deterministic
        return config


class _FactorValueRange(_RandomImageLayer):
    """A random colour layer with Keras' ``factor`` rule and a ``value_range``."""

    _BOUNDS = (-1.0, 1.0)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        name = type(self).__name__
        self.factor = _factor_pair(name, "factor", factor, self._BOUNDS)
        self.value_range = _value_range(name, value_range)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomColorDegeneration(_FactorValueRange):
    """Blend each image towards its grayscale version by a factor drawn per image in
    ``factor`` (0: unchanged, 1: grey; a number ``f`` draws in ``[-f, f]`` as Keras 3 does),
    clipped to ``value_range``. Needs 3 channels."""

    def augment(self, images):
        factor = self._uniform(images, *self.factor)
        grey = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        out = ops.add(images, ops.multiply(factor, ops.subtract(grey, images)))
        return ops.cast(ops.clip(out, self.value_range[0], self.value_range[1]),
                        self.compute_dtype)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1 if self.data_format == "channels_last" else -3]
        if channels is not None and channels != 3:
            raise ValueError(f"RandomColorDegeneration '{self.name}' expects images with 3 "
                             f"channels, received input shape {tuple(input_shape)}.")
        return tuple(input_shape)


_SMOOTH = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], dtype="float32") / 13.0


class RandomSharpness(_FactorValueRange):
    """Sharpen (or blur) each image: blend it with its 3x3 smoothed version by ``1 - 2u``,
    ``u`` drawn per image in ``factor`` (in [0, 1]; 0.5 leaves the image unchanged), clipped
    to ``value_range``, as Keras 3 does."""

    _BOUNDS = (0.0, 1.0)

    def augment(self, images):
        rank = len(ops.shape(images))
        x = images if rank == 4 else ops.expand_dims(images, 0)
        if self.data_format == "channels_first":
            x = ops.swapaxes(x, -3, -1)
        batch, channels = ops.shape(x)[0], ops.shape(x)[-1]
        amount = mk_random.uniform((batch,), self.factor[0], self.factor[1],
                                   seed=self.seed_generator)
        amount = ops.reshape(ops.cast(ops.multiply(amount, 2.0), self.compute_dtype),
                             (-1, 1, 1, 1))
        kernel = np.tile(_SMOOTH.reshape(3, 3, 1, 1), (1, 1, channels, 1))
        kernel = ops.cast(ops.convert_to_tensor(kernel), self.compute_dtype)
        smooth = ops.depthwise_conv(x, kernel, strides=1, padding="same",
                                    data_format="channels_last")
        x = ops.add(x, ops.multiply(ops.subtract(1.0, amount), ops.subtract(smooth, x)))
        x = ops.clip(x, self.value_range[0], self.value_range[1])
        if self.data_format == "channels_first":
            x = ops.swapaxes(x, -3, -1)
        return x if rank == 4 else ops.squeeze(x, 0)
