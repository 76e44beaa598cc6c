"""Reshape, Permute and RepeatVector."""

from __future__ import annotations

import math

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import layer_label
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["Permute", "RepeatVector", "Reshape"]


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
            raise ValueError(f"{layer_label(self)}: target_shape must hold positive ints and at most "
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
        raise ValueError(f"{layer_label(self)}: cannot reshape a sample of shape "
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
            raise ValueError(f"{layer_label(self)}: dims must be a permutation of 1..{len(self.dims)}"
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
            raise ValueError(f"{layer_label(self)}: n must be a positive int, received n={n!r}")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
