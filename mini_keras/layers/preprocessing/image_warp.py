"""Random blur and warps: ``RandomGaussianBlur``, ``RandomPerspective``,
``RandomElasticTransform`` (Keras 3's layers, on ``ops.image``; the identity at inference).

Each applies to an image with a probability drawn per image in ``factor`` (Keras' rule: a
uniform threshold below a uniform probability), so ``factor=(1, 1)`` always applies.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.layers.preprocessing.image_random import _factor_pair, _RandomImageLayer
from mini_keras.ops.image.sampling import elastic_warp

__all__ = ["RandomElasticTransform", "RandomGaussianBlur", "RandomPerspective"]

_INTERPOLATIONS = ("nearest", "bilinear")


def _check_interpolation(layer: str, interpolation) -> None:
    if interpolation not in _INTERPOLATIONS:
        raise NotImplementedError(f"{layer}: `interpolation` must be one of "
                                  f"{list(_INTERPOLATIONS)}, received {interpolation!r}.")


class _ProbableLayer(_RandomImageLayer):
    """Applies with a probability drawn per image in ``factor`` (bounds [0, 1])."""

    def _batch(self, images) -> int:
        shape = ops.shape(images)
        return shape[0] if len(shape) == 4 else 1

    def _applies(self, images):
        batch = self._batch(images)
        probability = mk_random.uniform((batch,), self.factor[0], self.factor[1],
                                        seed=self.seed_generator)
        threshold = mk_random.uniform((batch,), 0.0, 1.0, seed=self.seed_generator)
        apply = ops.less(threshold, probability)
        return ops.reshape(apply, (-1, 1, 1, 1) if len(ops.shape(images)) == 4 else (1, 1, 1))


def _odd_pair(value) -> tuple:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(not isinstance(v, (int, float)) or v % 2 == 0 for v in pair):
        raise ValueError(f"RandomGaussianBlur: `kernel_size` must be an odd number or a pair "
                         f"of odd numbers, received kernel_size={value!r}.")
    return pair


class RandomGaussianBlur(_ProbableLayer):
    """Blur images with a Gaussian kernel of ``kernel_size`` and a standard deviation drawn
    in ``sigma`` (one pair of draws per call, as Keras 3), with probability from ``factor``;
    clipped to ``value_range``."""

    def __init__(self, factor=1.0, kernel_size=3, sigma=1.0, value_range=(0, 255),
                 data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomGaussianBlur", "factor", factor, (0.0, 1.0))
        self.kernel_size = _odd_pair(kernel_size)
        self.sigma = _factor_pair("RandomGaussianBlur", "sigma", sigma, (0.0, 1.0))
        self.value_range = value_range

    def augment(self, images):
        apply = self._applies(images)
        sigma = ops.add(mk_random.uniform((2,), self.sigma[0], self.sigma[1],
                                          dtype=self.compute_dtype, seed=self.seed_generator),
                        1e-6)
        blurred = ops.image.gaussian_blur(images, tuple(int(k) for k in self.kernel_size),
                                          sigma, data_format=self.data_format)
        out = ops.clip(ops.where(apply, blurred, images), self.value_range[0],
                       self.value_range[1])
        return ops.cast(out, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "kernel_size": self.kernel_size,
                "sigma": self.sigma, "value_range": self.value_range}


class RandomPerspective(_ProbableLayer):
    """Move each image's corners by random offsets of up to ``scale / 2`` of the image size
    (as Keras 3: ``end = start * (1 + u)``, ``u`` in ``[-scale/2, scale/2]``) and warp the
    image to match, with probability from ``factor``; outside pixels get ``fill_value``."""

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_value=0.0,
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomPerspective", "factor", factor, (0.0, 1.0))
        if not isinstance(scale, (int, float)) or not 0.0 <= scale <= 1.0:
            raise ValueError(f"RandomPerspective: `scale` must be a number in [0, 1], "
                             f"received scale={scale!r}.")
        _check_interpolation("RandomPerspective", interpolation)
        self.scale, self.interpolation, self.fill_value = scale, interpolation, fill_value

    def augment(self, images):
        apply = self._applies(images)
        batch = self._batch(images)
        h_axis, w_axis = self._hw_axes
        height, width = ops.shape(images)[h_axis], ops.shape(images)[w_axis]
        offsets = mk_random.uniform((batch, 4, 2), -0.5 * self.scale, 0.5 * self.scale,
                                    dtype=self.compute_dtype, seed=self.seed_generator)
        corners = [[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0],
                   [width - 1.0, height - 1.0]]
        start = ops.broadcast_to(ops.convert_to_tensor([corners], dtype=self.compute_dtype),
                                 (batch, 4, 2))
        end = ops.add(start, ops.multiply(start, offsets))
        x = images if len(ops.shape(images)) == 4 else ops.expand_dims(images, 0)
        out = ops.image.perspective_transform(x, start, end, self.interpolation,
                                              self.fill_value, self.data_format)
        out = out if len(ops.shape(images)) == 4 else ops.squeeze(out, 0)
        return ops.cast(ops.where(apply, out, images), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


class RandomElasticTransform(_ProbableLayer):
    """Elastic deformation (``ops.image.elastic_transform``) with a distortion drawn per call
    in ``scale`` (``alpha = 0.1 s max(H, W)``, ``sigma = 0.05 s min(H, W)``, as Keras 3),
    applied with probability from ``factor`` and clipped to ``value_range``.

    The smoothing kernel's size is the one of the largest ``sigma`` the ``scale`` range
    allows (Keras sizes it per draw), so the layer runs inside compiled steps; the extra
    taps lie beyond 3 standard deviations.
    """

    _FILL_MODES = ("reflect", "wrap", "constant", "nearest")

    def __init__(self, factor=1.0, scale=1.0, interpolation="bilinear", fill_mode="reflect",
                 fill_value=0.0, value_range=(0, 255), seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = _factor_pair("RandomElasticTransform", "factor", factor, (0.0, 1.0))
        self.scale = _factor_pair("RandomElasticTransform", "scale", scale, (0.0, 1.0))
        _check_interpolation("RandomElasticTransform", interpolation)
        if fill_mode not in self._FILL_MODES:
            raise NotImplementedError(f"RandomElasticTransform: `fill_mode` must be one of "
                                      f"{list(self._FILL_MODES)}, received {fill_mode!r}.")
        self.interpolation, self.fill_mode, self.fill_value = interpolation, fill_mode, fill_value
        self.value_range = value_range

    def augment(self, images):
        if self.scale[1] == 0 or self.factor[1] == 0:
            return images
        apply = self._applies(images)
        h_axis, w_axis = self._hw_axes
        height, width = ops.shape(images)[h_axis], ops.shape(images)[w_axis]
        distortion = mk_random.uniform((), self.scale[0], self.scale[1],
                                       dtype=self.compute_dtype, seed=self.seed_generator)
        alpha = ops.multiply(distortion, 0.1 * max(height, width))
        sigma = ops.multiply(distortion, 0.05 * min(height, width))
        size = (6 * int(0.05 * min(height, width) * self.scale[1])) | 1
        out = elastic_warp(images, alpha, sigma, size, self.interpolation, self.fill_mode,
                           self.fill_value, self.seed_generator, self.data_format)
        out = ops.clip(ops.where(apply, out, images), self.value_range[0], self.value_range[1])
        return ops.cast(out, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "scale": self.scale,
                "interpolation": self.interpolation, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "value_range": self.value_range}
