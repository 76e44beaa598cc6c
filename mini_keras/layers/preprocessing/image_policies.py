"""Augmentation policies built from the other image layers: ``RandomColorJitter``,
``RandAugment`` (Cubuk et al. 2019), ``AugMix`` (Hendrycks et al. 2019), as Keras 3's.

The sub-layers are attributes (as in Keras 3) and each draws from its own seed generator.
Which operation runs is drawn as a tensor and chosen with ``where`` over the candidates'
outputs, so a policy is reproducible per seed and runs inside compiled steps; AugMix's
choices, which Keras 3 draws with Python's ``random`` (unseeded, fixed at trace time), are
drawn the same way here.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.layers.preprocessing.image_adjust import (
    Equalization,
    RandomColorDegeneration,
    RandomSharpness,
)
from mini_keras.layers.preprocessing.image_color import (
    AutoContrast,
    RandomHue,
    RandomPosterization,
    RandomSaturation,
    Solarization,
)
from mini_keras.layers.preprocessing.image_mix import _beta, _gamma
from mini_keras.layers.preprocessing.image_random import (
    RandomBrightness,
    RandomContrast,
    RandomRotation,
    RandomShear,
    RandomTranslation,
    _factor_pair,
    _RandomImageLayer,
)

__all__ = ["AugMix", "RandAugment", "RandomColorJitter"]


def _apply(layer, images):
    """One sub-layer's training-mode transform (deterministic ones: their ``call``)."""
    return layer.augment(images) if hasattr(layer, "augment") else layer.call(images)


class RandomColorJitter(_RandomImageLayer):
    """Random brightness, contrast, saturation and hue, in that order, each only when its
    factor is given (Keras 3's ``RandomBrightness``... rules for each factor)."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        self.random_brightness = self.random_contrast = None
        self.random_saturation = self.random_hue = None
        if brightness_factor is not None:
            self.random_brightness = RandomBrightness(brightness_factor, value_range, seed)
        if contrast_factor is not None:
            self.random_contrast = RandomContrast(contrast_factor, value_range, seed)
        if saturation_factor is not None:
            self.random_saturation = RandomSaturation(saturation_factor, value_range,
                                                      data_format=data_format, seed=seed)
        if hue_factor is not None:
            self.random_hue = RandomHue(hue_factor, value_range, data_format=data_format,
                                        seed=seed)

    def augment(self, images):
        for layer in (self.random_brightness, self.random_contrast, self.random_saturation,
                      self.random_hue):
            if layer is not None:
                images = ops.cast(layer.augment(images), self.compute_dtype)
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor,
                "saturation_factor": self.saturation_factor, "hue_factor": self.hue_factor}


_GEOMETRIC = ("random_shear", "random_translation", "random_rotation")
_BASIC = _GEOMETRIC + ("random_posterization", "solarization", "auto_contrast",
                       "equalization")
_COLOUR = ("random_brightness", "random_color_degeneration", "random_contrast",
           "random_sharpness")


class _PolicyLayer(_RandomImageLayer):
    """Builds Keras' candidate sub-layers from ``factor``, ``value_range``, ``interpolation``."""

    def _make_layers(self, names):
        factor, value_range, fmt, seed = self.factor, self.value_range, self.data_format, self.seed
        interpolation = self.interpolation
        makers = {
            "random_shear": lambda: RandomShear(factor, factor, interpolation,
                                                data_format=fmt, seed=seed),
            "random_translation": lambda: RandomTranslation(
                factor, factor, interpolation=interpolation, seed=seed, data_format=fmt),
            "random_rotation": lambda: RandomRotation(factor, interpolation=interpolation,
                                                      seed=seed, data_format=fmt),
            "random_brightness": lambda: RandomBrightness(factor, value_range, seed,
                                                          data_format=fmt),
            "random_color_degeneration": lambda: RandomColorDegeneration(
                factor, value_range, data_format=fmt, seed=seed),
            "random_contrast": lambda: RandomContrast(factor, value_range, seed,
                                                      data_format=fmt),
            "random_sharpness": lambda: RandomSharpness(factor, value_range,
                                                        data_format=fmt, seed=seed),
            "solarization": lambda: Solarization(factor, factor, value_range, seed,
                                                 data_format=fmt),
            "random_posterization": lambda: RandomPosterization(
                max(1, int(8 * factor[1])), value_range, data_format=fmt, seed=seed),
            "auto_contrast": lambda: AutoContrast(value_range, data_format=fmt),
            "equalization": lambda: Equalization(value_range, data_format=fmt),
        }
        self._augment_layers = list(names)
        for name in names:
            setattr(self, name, makers[name]())

    def _choose(self, images, index, skip: bool = False):
        """The output of candidate ``index`` (a scalar tensor); ``skip``: one index more
        means "no operation"."""
        out = images
        for i, name in enumerate(self._augment_layers):
            candidate = ops.cast(_apply(getattr(self, name), images), self.compute_dtype)
            out = ops.where(ops.equal(index, i), candidate, out)
        return out


def _policy_factor(layer: str, factor) -> tuple:
    return _factor_pair(layer, "factor", factor, (0.0, 1.0))


class RandAugment(_PolicyLayer):
    """Apply ``num_ops`` operations drawn uniformly (per call) from Keras' 11 (shear,
    translation, rotation, brightness, colour degeneration, contrast, sharpness,
    posterization, solarization, auto-contrast, equalization), each with magnitude
    ``factor``."""

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"RandAugment: `num_ops` must be a non-negative int, received "
                             f"num_ops={num_ops!r}.")
        self.value_range, self.num_ops, self.interpolation = value_range, num_ops, interpolation
        self.factor = _policy_factor("RandAugment", factor)
        self._make_layers(("random_shear", "random_translation", "random_rotation",
                           "random_brightness", "random_color_degeneration",
                           "random_contrast", "random_sharpness", "random_posterization",
                           "solarization", "auto_contrast", "equalization"))

    def augment(self, images):
        if self.num_ops == 0:
            return images
        chosen = mk_random.randint((self.num_ops,), 0, len(self._augment_layers),
                                   seed=self.seed_generator)
        for i in range(self.num_ops):
            images = self._choose(images, chosen[i])
        return images

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation}


class AugMix(_PolicyLayer):
    """Mix ``num_chains`` chains of up to ``chain_depth`` random operations with Dirichlet
    weights, then blend with the original by a ``Beta(alpha, alpha)`` weight; clipped to
    ``value_range``. ``all_ops=False`` keeps the 7 operations that do not overlap common
    test-time corruptions (no brightness, colour, contrast, sharpness)."""

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"AugMix: `{name}` must be a positive int, received "
                                 f"{name}={value!r}.")
        if not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"AugMix: `alpha` must be a positive number, received "
                             f"alpha={alpha!r}.")
        self.value_range, self.num_chains, self.chain_depth = value_range, num_chains, chain_depth
        self.alpha, self.all_ops, self.interpolation = alpha, all_ops, interpolation
        self.factor = _policy_factor("AugMix", factor)
        self._make_layers(_BASIC + (_COLOUR if all_ops else ()))

    def augment(self, images):
        dtype = self.compute_dtype
        weights = _gamma((self.num_chains,), self.alpha, self.seed_generator, dtype)
        weights = ops.divide(weights, ops.sum(weights))
        keep = _beta((), self.alpha, self.seed_generator, dtype)
        chosen = mk_random.randint((self.num_chains, self.chain_depth), 0,
                                   len(self._augment_layers) + 1, seed=self.seed_generator)
        mixed = ops.zeros_like(images)
        for chain in range(self.num_chains):
            x = images
            for depth in range(self.chain_depth):
                x = self._choose(x, chosen[chain, depth])  # the last index: no operation
            mixed = ops.add(mixed, ops.multiply(x, weights[chain]))
        out = ops.add(ops.multiply(keep, images), ops.multiply(ops.subtract(1.0, keep), mixed))
        return ops.cast(ops.clip(out, self.value_range[0], self.value_range[1]), dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation}
