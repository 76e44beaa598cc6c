"""Adaptive pooling: pool to a fixed ``output_size`` whatever the input size, in 1 to 3 dimensions.

The layers call :func:`mini_keras.ops.adaptive_average_pool` / ``adaptive_max_pool`` (bins
``floor(i * L / n) <= j < ceil((i + 1) * L / n)`` per axis, as Keras 3).
"""

from __future__ import annotations

import numbers

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import (
    channel_axis,
    standardize_data_format,
    with_channels,
)
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = [
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
]


class _AdaptivePooling(Layer):
    """Reduce adaptive bins to their mean or max (Keras ``BaseAdaptivePooling``)."""

    rank = 2
    pool = staticmethod(ops.adaptive_average_pool)

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        label = f"{type(self).__name__} '{self.name}'"
        sizes = ((output_size,) * self.rank if isinstance(output_size, numbers.Integral)
                 else output_size)
        if not isinstance(sizes, (tuple, list)) or len(sizes) != self.rank:
            raise TypeError(f"{label}: `output_size` must be an int or a tuple of {self.rank} "
                            f"ints, received {output_size!r}")
        if not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                   for s in sizes):
            raise ValueError(f"{label}: `output_size` must hold positive ints, received "
                             f"{output_size!r}")
        self.output_size = tuple(int(s) for s in sizes)
        self.data_format = standardize_data_format(data_format, label)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def build(self, input_shape):
        self.input_spec.check(self.name, tuple(input_shape))
        self.built = True

    def call(self, inputs):
        return self.pool(inputs, self.output_size, data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        channels = input_shape[channel_axis(self.data_format)]
        return with_channels(input_shape[0], self.output_size, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Mean over adaptive bins: ``(batch, steps, channels) -> (batch, output_size, channels)``.

    Args:
        output_size: the output length (an int or a tuple of 1 int).
        data_format: "channels_last" (default from config) or "channels_first".

    Example:
        >>> AdaptiveAveragePooling1D(4)(np.ones((2, 10, 3))).shape   # (2, 4, 3)
    """

    rank, pool = 1, staticmethod(ops.adaptive_average_pool)


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Max over adaptive bins: ``(batch, steps, channels) -> (batch, output_size, channels)``.

    Args: as :class:`AdaptiveAveragePooling1D`.
    """

    rank, pool = 1, staticmethod(ops.adaptive_max_pool)


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Mean over adaptive bins of images: the output has ``output_size`` rows and columns.

    Args:
        output_size: an int or ``(height, width)``.
        data_format: "channels_last" (default from config) or "channels_first".

    Example:
        >>> AdaptiveAveragePooling2D(7)(np.ones((1, 30, 20, 3))).shape   # (1, 7, 7, 3)
    """

    rank, pool = 2, staticmethod(ops.adaptive_average_pool)


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Max over adaptive bins of images: the output has ``output_size`` rows and columns.

    Args: as :class:`AdaptiveAveragePooling2D`.
    """

    rank, pool = 2, staticmethod(ops.adaptive_max_pool)


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Mean over adaptive bins of volumes: the output's spatial shape is ``output_size``.

    Args:
        output_size: an int or ``(depth, height, width)``.
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank, pool = 3, staticmethod(ops.adaptive_average_pool)


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Max over adaptive bins of volumes: the output's spatial shape is ``output_size``.

    Args: as :class:`AdaptiveAveragePooling3D`.
    """

    rank, pool = 3, staticmethod(ops.adaptive_max_pool)
