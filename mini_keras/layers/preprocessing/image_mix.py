"""Batch-mixing and erasing augmentations: ``MixUp``, ``CutMix``, ``RandomErasing``
(Keras 3's layers; the identity at inference).

``MixUp`` and ``CutMix`` mix each image with another image of the batch and, given a dict
``{"images": ..., "labels": ...}``, mix the labels by the same weights, as Keras 3 does.
Their Beta draws are written in ``ops`` (Marsaglia-Tsang gamma with a fixed number of
vectorized proposals), so they run inside compiled steps on every backend.
"""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.preprocessing.image_random import _factor_pair, _RandomImageLayer

__all__ = ["CutMix", "MixUp", "RandomErasing"]

_PROPOSALS = 16  # rejection rounds: each accepts with probability > 0.95, so all fail ~1e-21


def _draw(layer, shape: tuple, low: float, high: float):
    """Uniform draws in ``[low, high]`` that equal ``low`` exactly when ``low == high``
    (``random.uniform`` keeps its draws below ``maxval``, one ulp under a degenerate range,
    which would shift a full-image box off the first row)."""
    unit = mk_random.uniform(shape, 0.0, 1.0, dtype=layer.compute_dtype,
                             seed=layer.seed_generator)
    return ops.add(ops.multiply(unit, high - low), low)


def _gamma(shape: tuple, alpha, seed, dtype="float32"):
    """Gamma(alpha, 1) draws (``alpha`` a number or a scalar tensor), in ``ops``."""
    alpha = ops.cast(ops.convert_to_tensor(alpha), dtype)
    boosted = ops.add(alpha, 1.0)  # Gamma(a) = Gamma(a + 1) * U^(1/a): valid for a < 1 too
    d = ops.subtract(boosted, 1.0 / 3.0)
    c = ops.divide(1.0, ops.sqrt(ops.multiply(9.0, d)))
    x = mk_random.normal((_PROPOSALS,) + tuple(shape), dtype=dtype, seed=seed)
    u = mk_random.uniform((_PROPOSALS,) + tuple(shape), dtype=dtype, seed=seed)
    v = ops.power(ops.add(1.0, ops.multiply(c, x)), 3)
    positive = ops.greater(v, 0.0)
    safe_v = ops.where(positive, v, 1.0)
    accept = ops.logical_and(positive, ops.less(
        ops.log(ops.maximum(u, 1e-30)),
        ops.add(ops.multiply(0.5, ops.square(x)),
                ops.multiply(d, ops.add(ops.subtract(1.0, safe_v), ops.log(safe_v))))))
    first = ops.argmax(ops.cast(accept, "int32"), axis=0)
    chosen = ops.take_along_axis(ops.multiply(d, safe_v), ops.expand_dims(first, 0), axis=0)
    draw = ops.where(ops.any(accept, axis=0), ops.squeeze(chosen, 0), d)
    shrink = mk_random.uniform(tuple(shape), dtype=dtype, seed=seed)
    return ops.multiply(draw, ops.power(ops.maximum(shrink, 1e-30), ops.divide(1.0, alpha)))


def _beta(shape: tuple, alpha, seed, dtype="float32"):
    """Beta(alpha, alpha) draws, as ``X / (X + Y)`` of two Gamma(alpha) draws."""
    x, y = _gamma(shape, alpha, seed, dtype), _gamma(shape, alpha, seed, dtype)
    return ops.divide(x, ops.maximum(ops.add(x, y), 1e-30))


class _MixingLayer(_RandomImageLayer):
    """Takes images or ``{"images", "labels"}`` (Keras' dict form) and returns the same."""

    def _images_of(self, inputs):
        if isinstance(inputs, dict):
            unknown = set(inputs) - {"images", "labels"}
            if unknown or "images" not in inputs:
                raise NotImplementedError(
                    f"{type(self).__name__} '{self.name}': a dict input must hold 'images' "
                    f"and optionally 'labels'; {sorted(unknown) or 'no images'} is not "
                    "supported.")
            return inputs["images"]
        return inputs

    def _check_input(self, inputs) -> None:
        super()._check_input(self._images_of(inputs))

    def call(self, inputs, training=True):
        images = self._images(self._images_of(inputs))
        labels = inputs.get("labels") if isinstance(inputs, dict) else None
        if training is not False:
            images, labels = self.mix(images, labels)
        if isinstance(inputs, dict):
            return {"images": images, **({"labels": labels} if "labels" in inputs else {})}
        return images

    def mix(self, images, labels):  # pragma: no cover - abstract
        """The random mix of ``images`` (and ``labels``, or None)."""
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            return {k: KerasTensor(v.shape, self.compute_dtype if k == "images" else v.dtype)
                    for k, v in inputs.items()}
        return KerasTensor(tuple(inputs.shape), self.compute_dtype)

    def _batch(self, images) -> int:
        shape = ops.shape(images)
        return shape[0] if len(shape) == 4 else 1

    def _permutation(self, batch: int):
        return mk_random.shuffle(ops.arange(batch, dtype="int32"), seed=self.seed_generator)

    @staticmethod
    def _mix_labels(labels, weight, order):
        if labels is None:
            return None
        labels = ops.convert_to_tensor(labels)
        weight = ops.cast(ops.reshape(weight, (-1, 1)), ops.dtype(labels)
                          if ops.dtype(labels).startswith("float") else "float32")
        return ops.add(ops.multiply(weight, labels), ops.multiply(
            ops.subtract(1.0, weight), ops.take(labels, order, axis=0)))


class MixUp(_MixingLayer):
    """Blend each image (and label) with another of the batch: ``w x + (1 - w) x_perm``,
    ``w ~ Beta(alpha, alpha)`` per image (Zhang et al. 2017)."""

    def __init__(self, alpha=0.2, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"MixUp: `alpha` must be a positive number, received "
                             f"alpha={alpha!r}.")
        self.alpha = alpha

    def mix(self, images, labels):
        batch = self._batch(images)
        order = self._permutation(batch)
        weight = _beta((batch,), self.alpha, self.seed_generator, self.compute_dtype)
        shaped = ops.reshape(weight, (-1, 1, 1, 1) if len(ops.shape(images)) == 4 else ())
        other = ops.take(images, order, axis=0) if len(ops.shape(images)) == 4 else images
        images = ops.add(ops.multiply(shaped, images),
                         ops.multiply(ops.subtract(1.0, shaped), other))
        return images, self._mix_labels(labels, weight, order)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


def _box_masks(layer, images, x_ratio, y_ratio):
    """Keras' random boxes: per image, sides ``ratio * size`` at uniform offsets; a bool
    mask broadcastable over the images."""
    shape = ops.shape(images)
    batch = shape[0] if len(shape) == 4 else 1
    h_axis, w_axis = layer._hw_axes
    height, width = shape[h_axis], shape[w_axis]
    dtype = layer.compute_dtype
    bounds = []
    for ratio, length in ((x_ratio, width), (y_ratio, height)):
        crop = ops.multiply(ratio, float(length))
        start = ops.multiply(mk_random.uniform((batch,), dtype=dtype,
                                               seed=layer.seed_generator),
                             ops.subtract(float(length), crop))
        bounds.append((start, ops.add(start, crop)))
    (x0, x1), (y0, y1) = bounds
    grid_y, grid_x = np.meshgrid(np.arange(height, dtype=dtype), np.arange(width, dtype=dtype),
                                 indexing="ij")
    view = (1, height, width, 1) if layer.data_format == "channels_last" else (1, 1, height,
                                                                               width)
    gx = ops.convert_to_tensor(grid_x.reshape(view))
    gy = ops.convert_to_tensor(grid_y.reshape(view))

    def edge(v):
        return ops.reshape(v, (-1, 1, 1, 1))
    mask = ops.logical_and(
        ops.logical_and(ops.greater_equal(gx, edge(x0)), ops.less(gx, edge(x1))),
        ops.logical_and(ops.greater_equal(gy, edge(y0)), ops.less(gy, edge(y1))))
    area = ops.divide(ops.multiply(ops.subtract(x1, x0), ops.subtract(y1, y0)),
                      float(width * height))
    return (mask if len(shape) == 4 else mask[0]), area


class CutMix(_MixingLayer):
    """Paste a random box of another image of the batch into each image (Yun et al. 2019):
    the box covers ``1 - w`` of the image, ``w ~ Beta(a, a)`` with ``a`` drawn in ``factor``;
    labels mix by the pasted area. Unbatched images are returned unchanged, as in Keras 3."""

    def __init__(self, factor=1.0, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("CutMix", "factor", factor, (0.0, 1.0))

    def mix(self, images, labels):
        if len(ops.shape(images)) == 3:
            return images, labels
        batch = self._batch(images)
        alpha = ops.add(mk_random.uniform((), self.factor[0], self.factor[1],
                                          dtype=self.compute_dtype, seed=self.seed_generator),
                        1e-6)
        ratio = ops.sqrt(ops.subtract(1.0, _beta((batch,), alpha, self.seed_generator,
                                                 self.compute_dtype)))
        mask, area = _box_masks(self, images, ratio, ratio)
        order = self._permutation(batch)
        images = ops.where(mask, ops.take(images, order, axis=0), images)
        return images, self._mix_labels(labels, ops.subtract(1.0, area), order)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomErasing(_RandomImageLayer):
    """Erase a random box of each image (Zhong et al. 2017), with probability from
    ``factor``: the box covers ``sqrt(s_x) x sqrt(s_y)`` of the image, ``s`` drawn in
    ``scale``; it is filled with ``fill_value`` (a number or one per RGB channel; None:
    Gaussian noise times ``value_range[1]``), clipped to ``value_range``."""

    def __init__(self, factor=1.0, scale=(0.02, 0.33), fill_value=None, value_range=(0, 255),
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomErasing", "factor", factor, (0.0, 1.0))
        self.scale = _factor_pair("RandomErasing", "scale", scale, (0.0, 1.0))
        if fill_value is not None and not isinstance(fill_value, (int, float)) and (
                not isinstance(fill_value, (tuple, list)) or len(fill_value) != 3):
            raise ValueError(f"RandomErasing: `fill_value` must be None, a number or 3 "
                             f"numbers, received fill_value={fill_value!r}.")
        self.fill_value, self.value_range = fill_value, value_range

    def augment(self, images):
        shape = ops.shape(images)
        batch = shape[0] if len(shape) == 4 else 1
        sides = ops.sqrt(_draw(self, (batch, 2), self.scale[0], self.scale[1]))
        mask, _ = _box_masks(self, images, sides[:, 0], sides[:, 1])
        probability = mk_random.uniform((batch,), self.factor[0], self.factor[1],
                                        seed=self.seed_generator)
        threshold = mk_random.uniform((batch,), 0.0, 1.0, seed=self.seed_generator)
        apply = ops.reshape(ops.less(threshold, probability),
                            (-1, 1, 1, 1) if len(shape) == 4 else (1, 1, 1))
        if self.fill_value is None:
            fill = ops.multiply(mk_random.normal(tuple(shape), dtype=self.compute_dtype,
                                                 seed=self.seed_generator),
                                float(self.value_range[1]))
        else:
            fill = ops.convert_to_tensor(np.asarray(self.fill_value, dtype=self.compute_dtype))
            if len(np.shape(self.fill_value)) == 1 and self.data_format == "channels_first":
                fill = ops.reshape(fill, (3, 1, 1))
        fill = ops.clip(fill, self.value_range[0], self.value_range[1])
        erased = ops.where(mask, fill, images)
        return ops.cast(ops.where(apply, erased, images), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "fill_value": self.fill_value, "value_range": self.value_range}

