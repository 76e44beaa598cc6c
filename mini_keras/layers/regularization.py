"""Regularization layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
ActivityRegularization.

All noise comes from the layer's SeedGenerator through ``mini_keras.random``, so a seeded layer
draws the same noise on every run, and inference (``training=False``) is the identity.
"""

from __future__ import annotations

import math

from mini_keras import config, ops, regularizers
from mini_keras import random as mk_random
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.core import Dropout
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]


class _SpatialDropout(Dropout):
    """Dropout whose mask is shared over the spatial axes: whole feature maps are dropped."""

    ndim = None

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = data_format or config.image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__} '{self.name}': data_format must be "
                             f"'channels_last' or 'channels_first', received {data_format!r}")
        self.input_spec = InputSpec(ndim=self.ndim)

    def _noise_shape(self, shape):
        ones = (1,) * (len(shape) - 2)
        if self.data_format == "channels_first":
            return (shape[0], shape[1]) + ones
        return (shape[0],) + ones + (shape[-1],)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        noise_shape = self._noise_shape(ops.shape(inputs))
        return mk_random.dropout(inputs, self.rate, noise_shape=noise_shape,
                                 seed=self.seed_generator)

    def get_config(self):
        # Keras 3's spatial dropouts serialize exactly these keys (no trainable/noise_shape).
        return {"rate": self.rate, "seed": self.seed, "name": self.name,
                "dtype": super().get_config()["dtype"], "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Drop whole channels of a ``(batch, steps, channels)`` input during training.

    The kept channels are scaled by ``1 / (1 - rate)``; at inference the layer is the identity.

    Args:
        rate: fraction of channels to drop, in [0, 1).
        seed: int for reproducible masks.
    """

    ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, data_format="channels_last", seed=seed, name=name, dtype=dtype)

    def get_config(self):
        config_ = super().get_config()
        config_.pop("data_format")
        return config_


class SpatialDropout2D(_SpatialDropout):
    """Drop whole feature maps of a 4-D input during training (mask shape ``(batch, 1, 1, C)``).

    Args:
        rate: fraction of feature maps to drop, in [0, 1).
        data_format: "channels_last" (default from ``config.image_data_format()``) or
            "channels_first".
        seed: int for reproducible masks.
    """

    ndim = 4


class SpatialDropout3D(_SpatialDropout):
    """Drop whole feature volumes of a 5-D input during training.

    Args:
        rate: fraction of feature volumes to drop, in [0, 1).
        data_format: "channels_last" or "channels_first".
        seed: int for reproducible masks.
    """

    ndim = 5


class GaussianNoise(Layer):
    """Add zero-mean Gaussian noise of standard deviation ``stddev`` during training.

    Args:
        stddev: noise standard deviation, in [0, 1].
        seed: int for reproducible noise.
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError(f"GaussianNoise '{self.name}': stddev must be in [0, 1], "
                             f"received {stddev!r}")
        self.stddev, self.seed = float(stddev), seed
        if self.stddev > 0:
            self.seed_generator = SeedGenerator(seed, backend=self._backend_name)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = mk_random.normal(ops.shape(inputs), 0.0, self.stddev, dtype=ops.dtype(inputs),
                                 seed=self.seed_generator)
        return ops.add(inputs, noise)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiply inputs by ``N(1, rate / (1 - rate))`` noise during training.

    Args:
        rate: drop probability of the equivalent Dropout, in [0, 1).
        seed: int for reproducible noise.
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"GaussianDropout '{self.name}': rate must be in [0, 1), "
                             f"received {rate!r}")
        self.rate, self.seed = float(rate), seed
        if self.rate > 0:
            self.seed_generator = SeedGenerator(seed, backend=self._backend_name)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = mk_random.normal(ops.shape(inputs), 1.0, stddev, dtype=ops.dtype(inputs),
                                 seed=self.seed_generator)
        return ops.multiply(inputs, noise)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout for self-normalizing (SELU) networks: keeps the inputs' mean and variance.

    During training each entry is kept with probability ``1 - rate`` or set to SELU's negative
    saturation value ``alpha' = -alpha * scale``; the result is then mapped by ``a * x + b`` with
    ``a = ((1 - rate) * (1 + rate * alpha'**2)) ** -0.5`` and ``b = -a * alpha' * rate``, so zero
    mean / unit variance inputs stay so. At inference the layer is the identity.

    Args:
        rate: drop probability, in [0, 1] (1 cannot be used in training: ``a`` is infinite).
        noise_shape: optional shape of the keep mask, broadcast against the input; ``None``
            entries take the input's size on that axis.
        seed: int for reproducible masks.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"AlphaDropout '{self.name}': rate must be in [0, 1], "
                             f"received {rate!r}")
        self.rate, self.seed, self.noise_shape = rate, seed, noise_shape
        if rate > 0:
            self.seed_generator = SeedGenerator(seed, backend=self._backend_name)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            raise ValueError(f"AlphaDropout '{self.name}': rate=1 drops every entry and its "
                             "affine correction is infinite; use a rate below 1 in training.")
        shape = ops.shape(inputs)
        noise_shape = shape if self.noise_shape is None else tuple(
            shape[i] if size is None else size for i, size in enumerate(self.noise_shape))
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = ops.greater_equal(mk_random.uniform(noise_shape, seed=self.seed_generator),
                                 self.rate)
        kept = ops.cast(kept, ops.dtype(inputs))
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        dropped = ops.add(ops.multiply(inputs, kept),
                          ops.multiply(alpha_p, ops.subtract(1.0, kept)))
        return ops.add(ops.multiply(a, dropped), b)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """Identity layer that adds ``(l1 * sum|x| + l2 * sum x**2) / batch_size`` to the losses.

    The division by the batch size follows Keras 3's activity-regularizer convention.

    Args:
        l1, l2: penalty factors.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.l1, self.l2 = float(l1), float(l2)
        self._penalty = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def call(self, inputs):
        if self.l1 or self.l2:
            batch = ops.shape(inputs)[0] if len(ops.shape(inputs)) else 1
            self.add_loss(ops.divide(self._penalty(inputs), float(batch)))
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
