"""Random image augmentation: ``RandomFlip``, ``RandomRotation``, ``RandomZoom``,
``RandomTranslation``, ``RandomShear``, ``RandomContrast``, ``RandomBrightness`` (Keras 3's
layers).

Each draws from its own :class:`SeedGenerator` (so a ``seed`` makes it reproducible, also
inside a compiled step, where the generator state is threaded like any variable) and is the
identity at inference (``training=False``); called directly it augments, as in Keras 3.
The geometric ones build Keras' affine matrices and apply ``ops.image.affine_transform``.
"""

from __future__ import annotations

import math

from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.preprocessing.image_geometry import ImageLayer

__all__ = ["RandomBrightness", "RandomContrast", "RandomFlip", "RandomRotation", "RandomShear",
           "RandomTranslation", "RandomZoom"]

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def _factor_pair(layer: str, name: str, factor, bounds=(-1.0, 1.0)):
    """Keras' factor rule: a number ``f`` in ``bounds`` gives ``(max(-|f|, low), |f|)``; a
    pair ``(a, b)`` with ``a <= high`` and ``b >= low`` is sorted."""
    message = (f"{layer}: `{name}` must be a number or a pair of numbers in "
               f"[{bounds[0]}, {bounds[1]}], received {name}={factor!r}.")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        return tuple(sorted(float(f) for f in factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(message)
        return max(-abs(float(factor)), bounds[0]), abs(float(factor))
    raise ValueError(message)


class _RandomImageLayer(ImageLayer):
    """Random image layer: a SeedGenerator, per-sample draws, identity at inference."""

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)

    def _uniform(self, images, low, high):
        """One draw per sample, shaped to broadcast over an image: ``(batch, 1, 1, 1)``."""
        shape = ops.shape(images)
        batch = shape[0] if len(shape) == 4 else 1
        draw = mk_random.uniform((batch, 1, 1, 1), low, high, seed=self.seed_generator)
        draw = ops.cast(draw, self.compute_dtype)
        return draw if len(shape) == 4 else ops.reshape(draw, (1, 1, 1))

    def call(self, inputs, training=True):
        images = self._images(inputs)
        if training is False:
            return images
        return self.augment(images)

    def augment(self, images):  # pragma: no cover - abstract
        """The random transformation (training mode)."""
        raise NotImplementedError

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class RandomFlip(_RandomImageLayer):
    """Flip each image with probability 1/2 (``mode``: "horizontal", "vertical" or
    "horizontal_and_vertical", where one draw flips both axes)."""

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip: `mode` must be one of {list(_MODES)}, received "
                             f"{mode!r}.")
        self.mode = mode

    def augment(self, images):
        flips = ops.less_equal(self._uniform(images, 0.0, 1.0), 0.5)
        h_axis, w_axis = self._hw_axes
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            images = ops.where(flips, ops.flip(images, axis=w_axis), images)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            images = ops.where(flips, ops.flip(images, axis=h_axis), images)
        return images

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _AffineLayer(_RandomImageLayer):
    """Shared by rotation/zoom/translation: fill mode, interpolation, the affine call."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        name = type(self).__name__
        if fill_mode not in ops.image.AFFINE_FILL_MODES:
            raise ValueError(f"{name}: `fill_mode` must be one of "
                             f"{list(ops.image.AFFINE_FILL_MODES)}, received {fill_mode!r}.")
        if interpolation not in ops.image.AFFINE_INTERPOLATIONS:
            raise ValueError(f"{name}: `interpolation` must be one of "
                             f"{list(ops.image.AFFINE_INTERPOLATIONS)}, received "
                             f"{interpolation!r}.")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, fill_value

    def _size(self, images):
        shape = ops.shape(images)
        h_axis, w_axis = self._hw_axes
        return len(shape), (shape[0] if len(shape) == 4 else 1), shape[h_axis], shape[w_axis]

    def _draw(self, batch, low, high):
        return mk_random.uniform((batch,), low, high, seed=self.seed_generator)

    def _apply(self, images, rows):
        transform = ops.stack([ops.cast(r, "float32") for r in rows], axis=1)
        if len(ops.shape(images)) == 3:
            transform = transform[0]
        out = ops.image.affine_transform(images, transform, self.interpolation, self.fill_mode,
                                         self.fill_value, self.data_format)
        return ops.cast(out, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomRotation(_AffineLayer):
    """Rotate each image by a random angle of ``factor`` turns (a number ``f``: in
    ``[-f, f]``; a pair: in that range), about the image centre."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = _factor_pair("RandomRotation", "factor", factor)

    def augment(self, images):
        _, batch, height, width = self._size(images)
        angle = ops.multiply(self._draw(batch, self.factor[0] * 360.0,
                                        self.factor[1] * 360.0), math.pi / 180.0)
        cos, sin = ops.cos(angle), ops.sin(angle)
        cx, cy = 0.5 * (width - 1), 0.5 * (height - 1)
        zeros = ops.zeros_like(angle)
        rows = [cos, ops.negative(sin), ops.subtract(ops.subtract(cx, ops.multiply(cx, cos)),
                                                      ops.multiply(cy, ops.negative(sin))),
                sin, cos, ops.subtract(ops.subtract(cy, ops.multiply(cx, sin)),
                                       ops.multiply(cy, cos)), zeros, zeros]
        return self._apply(images, rows)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_AffineLayer):
    """Zoom each image by a random factor: ``height_factor`` (and ``width_factor``, None:
    keep the aspect ratio) ``f`` zooms by ``1 + u``, ``u`` in ``[-f, f]``; positive values
    zoom out, as in Keras."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = _factor_pair("RandomZoom", "height_factor", height_factor)
        self._width = (None if width_factor is None else
                       _factor_pair("RandomZoom", "width_factor", width_factor))
        if min(self._height + (self._width or ())) <= -1.0:
            raise ValueError("RandomZoom: zoom factors must be > -1 (a zoom of -1 collapses "
                             f"the image), received {height_factor!r}, {width_factor!r}.")

    def augment(self, images):
        _, batch, height, width = self._size(images)
        zoom_h = self._draw(batch, 1.0 + self._height[0], 1.0 + self._height[1])
        zoom_w = (zoom_h if self._width is None else
                  self._draw(batch, 1.0 + self._width[0], 1.0 + self._width[1]))
        zeros = ops.zeros_like(zoom_h)
        rows = [zoom_w, zeros, ops.multiply((width - 1.0) / 2.0, ops.subtract(1.0, zoom_w)),
                zeros, zoom_h, ops.multiply((height - 1.0) / 2.0, ops.subtract(1.0, zoom_h)),
                zeros, zeros]
        return self._apply(images, rows)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_AffineLayer):
    """Shift each image by random fractions of its height and width (``f``: in ``[-f, f]``;
    a pair: in that range)."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._height = _factor_pair("RandomTranslation", "height_factor", height_factor)
        self._width = _factor_pair("RandomTranslation", "width_factor", width_factor)

    def augment(self, images):
        _, batch, height, width = self._size(images)
        dy = ops.multiply(self._draw(batch, *self._height), float(height))
        dx = ops.multiply(self._draw(batch, *self._width), float(width))
        ones, zeros = ops.ones_like(dx), ops.zeros_like(dx)
        rows = [ones, zeros, ops.negative(dx), zeros, ones, ops.negative(dy), zeros, zeros]
        return self._apply(images, rows)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


def _shear_factor(name: str, factor) -> tuple:
    pair = (-abs(factor), abs(factor)) if isinstance(factor, (int, float)) else tuple(factor)
    values = (abs(factor),) if isinstance(factor, (int, float)) else pair
    if len(pair) != 2 or any(not 0.0 <= f <= 1.0 for f in values):
        raise ValueError(f"RandomShear: `{name}` must be a number or a pair of numbers in "
                         f"[0, 1], received {name}={factor!r}.")
    return tuple(sorted(float(f) for f in pair))


class RandomShear(_AffineLayer):
    """Shear each image along x and y by random amounts drawn in ``x_factor``/``y_factor``
    (a number ``f``: in ``[-f, f]``), with one random sign per image, as Keras 3 does."""

    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear",
                 fill_mode="reflect", fill_value=0.0, data_format=None, seed=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.x_factor = _shear_factor("x_factor", x_factor)
        self.y_factor = _shear_factor("y_factor", y_factor)

    def augment(self, images):
        _, batch, _, _ = self._size(images)
        sign = ops.where(ops.greater(self._draw(batch, 0.0, 1.0), 0.5), -1.0, 1.0)
        shear_y = ops.multiply(self._draw(batch, *self.y_factor), sign)
        shear_x = ops.multiply(self._draw(batch, *self.x_factor), sign)
        ones, zeros = ops.ones_like(sign), ops.zeros_like(sign)
        return self._apply(images, [ones, shear_x, zeros, shear_y, ones, zeros, zeros, zeros])

    def get_config(self):
        return {**super().get_config(), "x_factor": list(self.x_factor),
                "y_factor": list(self.y_factor)}


class _ValueRangeLayer(_RandomImageLayer):
    def __init__(self, factor, value_range=(0, 255), seed=None, bounds=(-1.0, 1.0), **kwargs):
        super().__init__(seed=seed, **kwargs)
        name = type(self).__name__
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"{name}: `value_range` must be a pair (low, high), received "
                             f"{value_range!r}.")
        self.value_range = sorted(value_range)
        self.factor = _factor_pair(name, "factor", factor, bounds)

    def get_config(self):
        return {**super().get_config(), "factor": list(self.factor),
                "value_range": list(self.value_range)}


class RandomContrast(_ValueRangeLayer):
    """Scale each image's deviation from its per-channel mean by a random factor in
    ``[1 - lower, 1 + upper]`` (Keras' rule for ``factor``), clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor, value_range, seed, bounds=(0.0, 1.0), **kwargs)

    def augment(self, images):
        factor = self._uniform(images, 1.0 - self.factor[0], 1.0 + self.factor[1])
        h_axis, w_axis = self._hw_axes
        mean = ops.mean(ops.mean(images, axis=h_axis, keepdims=True), axis=w_axis,
                        keepdims=True)
        out = ops.add(ops.multiply(ops.subtract(images, mean), factor), mean)
        return ops.clip(out, self.value_range[0], self.value_range[1])


class RandomBrightness(_ValueRangeLayer):
    """Add a random delta, ``factor`` times the width of ``value_range``, to each image,
    clipped to ``value_range``."""

    def augment(self, images):
        span = self.value_range[1] - self.value_range[0]
        delta = ops.multiply(self._uniform(images, *self.factor), float(span))
        return ops.clip(ops.add(images, delta), self.value_range[0], self.value_range[1])
