"""Colour augmentation: ``RandomGrayscale``, ``RandomInvert``, ``Solarization``,
``AutoContrast``, ``RandomHue``, ``RandomSaturation``, ``RandomPosterization`` (Keras 3's layers; random ones are the
identity at inference)."""

from __future__ import annotations

from mini_keras import config as mk_config
from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.layers.preprocessing.image_geometry import ImageLayer
from mini_keras.layers.preprocessing.image_random import _factor_pair, _RandomImageLayer

__all__ = ["AutoContrast", "RandomGrayscale", "RandomHue", "RandomInvert",
           "RandomPosterization", "RandomSaturation", "Solarization"]


def _value_range(layer: str, value_range) -> list:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"{layer}: `value_range` must be a pair (low, high), received "
                         f"{value_range!r}.")
    return sorted(value_range)


def _rescale(images, source, target):
    """Map values linearly from the ``source`` range to the ``target`` range."""
    if list(source) == list(target):
        return images
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return ops.add(ops.multiply(ops.subtract(images, source[0]), scale), target[0])


class _PerImageDraw(_RandomImageLayer):
    def _batch_draw(self, images, low=0.0, high=1.0):
        shape = ops.shape(images)
        batch = shape[0] if len(shape) == 4 else 1
        draw = mk_random.uniform((batch,), low, high, seed=self.seed_generator)
        return ops.reshape(draw, (batch, 1, 1, 1) if len(shape) == 4 else (1, 1, 1))


class RandomGrayscale(_PerImageDraw):
    """Turn each RGB image to grayscale (kept 3-channel) with probability ``factor``."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale: `factor` must be in [0, 1], received {factor!r}.")
        self.factor = factor

    def augment(self, images):
        apply = ops.less(self._batch_draw(images), self.factor)
        gray = ops.image.rgb_to_grayscale(images, data_format=self.data_format)
        return ops.where(apply, ops.cast(gray, ops.dtype(images)), images)

    def get_config(self):
        config = {**super().get_config(), "factor": self.factor}
        config.pop("seed")  # as Keras 3's config
        return config


class RandomInvert(_PerImageDraw):
    """Replace each image by ``value_range[1] - image`` with a probability drawn in
    ``factor`` (Keras' rule: ``f`` means a probability in ``[0, f]``)."""

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomInvert", "factor", factor, (0.0, 1.0))
        self.value_range = _value_range("RandomInvert", value_range)

    def augment(self, images):
        probability = self._batch_draw(images, *self.factor)
        apply = ops.less(self._batch_draw(images), probability)
        return ops.where(apply, ops.subtract(self.value_range[1], images), images)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


def _solarization_factor(name: str, factor) -> tuple:
    pair = (0.0, factor) if isinstance(factor, (int, float)) else tuple(factor)
    if len(pair) != 2 or any(not 0 <= f <= 1 for f in pair):
        raise ValueError(f"Solarization: `{name}` must be a number or a pair in [0, 1], "
                         f"received {factor!r}.")
    return tuple(sorted(pair))


class Solarization(_RandomImageLayer):
    """Add a random ``addition`` to pixels (on a 0-255 scale), then invert those above a
    random ``threshold`` (``255 - x``); both drawn per image from their factor ranges."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _solarization_factor("addition_factor", addition_factor)
        self.threshold_factor = _solarization_factor("threshold_factor", threshold_factor)
        self.value_range = _value_range("Solarization", value_range)

    def augment(self, images):
        shape = ops.shape(images)
        draw_shape = (shape[0], 1, 1, 1) if len(shape) == 4 else (1, 1, 1)
        additions = mk_random.uniform(draw_shape, self.addition_factor[0],
                                      self.addition_factor[1] * 255, seed=self.seed_generator)
        thresholds = mk_random.uniform(draw_shape, self.threshold_factor[0],
                                       self.threshold_factor[1] * 255,
                                       seed=self.seed_generator)
        x = ops.clip(ops.add(_rescale(images, self.value_range, (0, 255)), additions), 0, 255)
        x = ops.where(ops.less(x, thresholds), x, ops.subtract(255.0, x))
        return ops.cast(_rescale(x, (0, 255), self.value_range), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "addition_factor": list(self.addition_factor),
                "threshold_factor": list(self.threshold_factor),
                "value_range": list(self.value_range)}


class AutoContrast(ImageLayer):
    """Stretch each image channel to the full ``value_range`` (min -> low, max -> high);
    deterministic, so it applies in training and inference alike."""

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range("AutoContrast", value_range)

    def call(self, inputs):
        original = self._images(inputs)
        images = _rescale(original, self.value_range, (0, 255))
        h_axis, w_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        low = ops.min(images, axis=(h_axis, w_axis), keepdims=True)
        high = ops.max(images, axis=(h_axis, w_axis), keepdims=True)
        scale = ops.divide(255.0, ops.subtract(high, low))
        out = ops.clip(ops.add(ops.multiply(images, scale),
                               ops.negative(ops.multiply(low, scale))), 0.0, 255.0)
        out = _rescale(out, (0, 255), self.value_range)
        return ops.where(ops.isnan(out), original, out)

    def get_config(self):
        return {**super().get_config(), "value_range": list(self.value_range)}


class _HsvLayer(_PerImageDraw):
    """Shared by hue/saturation: factor in [0, 1] (Keras' rule), value range, HSV planes."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        name = type(self).__name__
        self.factor = _factor_pair(name, "factor", factor, (0.0, 1.0))
        self.value_range = _value_range(name, value_range)

    def _with_plane(self, hsv, index: int, plane):
        axis = -1 if self.data_format == "channels_last" else -3
        planes = [ops.take(hsv, i, axis=axis) for i in range(3)]
        planes[index] = plane
        return ops.image.hsv_to_rgb(ops.stack(planes, axis=axis), data_format=self.data_format)

    def _plane_factor(self, images, draw):
        shape = (-1, 1, 1) if len(ops.shape(images)) == 4 else (1, 1)
        return ops.reshape(ops.cast(draw, self.compute_dtype), shape)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomHue(_HsvLayer):
    """Rotate each image's hue by a random ``±u / 2`` turn, ``u`` drawn in ``factor``."""

    def augment(self, images):
        batch = ops.shape(images)[0] if len(ops.shape(images)) == 4 else 1
        sign = ops.where(ops.greater(mk_random.uniform((batch,), seed=self.seed_generator),
                                     0.5), -1.0, 1.0)
        amount = mk_random.uniform((batch,), self.factor[0], self.factor[1],
                                   seed=self.seed_generator)
        shift = self._plane_factor(images, ops.multiply(ops.multiply(sign, amount), 0.5))
        hsv = ops.image.rgb_to_hsv(_rescale(images, self.value_range, (0, 1)),
                                   data_format=self.data_format)
        axis = -1 if self.data_format == "channels_last" else -3
        hue = ops.add(ops.take(hsv, 0, axis=axis), shift)
        hue = ops.where(ops.greater(hue, 1.0), ops.subtract(hue, 1.0), hue)
        hue = ops.where(ops.less(hue, 0.0), ops.add(hue, 1.0), hue)
        rgb = ops.clip(self._with_plane(hsv, 0, hue), 0.0, 1.0)
        return ops.cast(_rescale(rgb, (0, 1), self.value_range), self.compute_dtype)


class RandomSaturation(_HsvLayer):
    """Scale each image's saturation by ``u / (1 - u)``, ``u`` drawn in ``factor`` (0.5:
    unchanged, 0: grey, 1: fully saturated), as Keras 3 does."""

    def augment(self, images):
        batch = ops.shape(images)[0] if len(ops.shape(images)) == 4 else 1
        u = mk_random.uniform((batch,), self.factor[0], self.factor[1],
                              seed=self.seed_generator)
        scale = self._plane_factor(images, ops.divide(u, ops.add(ops.subtract(1.0, u),
                                                                 mk_config.epsilon())))
        hsv = ops.image.rgb_to_hsv(images, data_format=self.data_format)
        axis = -1 if self.data_format == "channels_last" else -3
        saturation = ops.clip(ops.multiply(ops.take(hsv, 1, axis=axis), scale),
                              self.value_range[0], self.value_range[1])
        return self._with_plane(hsv, 1, saturation)


class RandomPosterization(_PerImageDraw):
    """Keep only the top ``bits`` bits of each 8-bit pixel value, ``bits`` drawn per image in
    ``[low, high)`` from ``factor`` (a number ``f``: ``[1, f)``; equal bounds: exactly that
    many bits), as Keras 3 does."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomPosterization", "factor", factor, (1.0, 8.0))
        self.factor = tuple(int(f) for f in self.factor)
        self.value_range = _value_range("RandomPosterization", value_range)

    def augment(self, images):
        shape = ops.shape(images)
        batch = shape[0] if len(shape) == 4 else 1
        low, high = self.factor
        if low != high:
            bits = ops.cast(mk_random.randint((batch,), low, high, seed=self.seed_generator),
                            self.compute_dtype)
        else:
            bits = ops.full((batch,), float(low), dtype=self.compute_dtype)
        step = ops.power(2.0, ops.subtract(8.0, bits))
        step = ops.reshape(step, (batch, 1, 1, 1) if len(shape) == 4 else (1, 1, 1))
        x = ops.floor(_rescale(images, self.value_range, (0, 255)))
        x = ops.multiply(ops.floor(ops.divide(x, step)), step)
        return ops.cast(_rescale(x, (0, 255), self.value_range), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}
