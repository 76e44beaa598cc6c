"""Zero padding and cropping of the spatial axes: ZeroPadding1D-3D, Cropping1D-3D."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.layers.convolutional.conv_utils import (
    channel_axis,
    layer_label,
    spatial_dims,
    standardize_data_format,
    standardize_pairs,
    standardize_tuple,
    with_channels,
)
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]


class ZeroPadding1D(Layer):
    """Pad the steps axis with zeros.

    Args:
        padding: int (both ends) or ``(before, after)`` (default 1).
        data_format: "channels_last" (default from config) or "channels_first".
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = standardize_tuple(padding, 2, "padding", layer_label(self),
                                         allow_zero=True)
        self.data_format = standardize_data_format(data_format, layer_label(self))
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


class _ZeroPadding(Layer):
    """Pad each spatial axis with ``(before, after)`` zeros; subclasses fix ``rank``."""

    rank = 2

    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = standardize_pairs(padding, self.rank, "padding", layer_label(self))
        self.data_format = standardize_data_format(data_format, layer_label(self))
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        if self.data_format == "channels_last":
            return ops.pad(inputs, ((0, 0), *self.padding, (0, 0)))
        return ops.pad(inputs, ((0, 0), (0, 0), *self.padding))

    def compute_output_shape(self, input_shape):
        spatial = [None if n is None else n + sum(p) for n, p in
                   zip(spatial_dims(input_shape, self.data_format), self.padding)]
        channels = input_shape[channel_axis(self.data_format)]
        return with_channels(input_shape[0], spatial, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class ZeroPadding2D(_ZeroPadding):
    """Pad the rows and columns of images with zeros.

    Args:
        padding: int, ``(rows, cols)`` (symmetric) or ``((top, bottom), (left, right))``.
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Pad the three spatial axes of volumes with zeros.

    Args:
        padding: int, 3 ints (symmetric per axis) or 3 ``(before, after)`` pairs (default
            ``((1, 1), (1, 1), (1, 1))``).
        data_format: "channels_last" (default from config) or "channels_first".

    Example:
        >>> ZeroPadding3D(1)(np.zeros((1, 2, 3, 4, 5))).shape   # (1, 4, 5, 6, 5)
    """

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class Cropping1D(Layer):
    """Remove steps from both ends of ``(batch, steps, channels)`` inputs.

    Args:
        cropping: int (both ends) or ``(start, end)`` (default (1, 1)).
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", layer_label(self),
                                          allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        steps = ops.shape(inputs)[1]
        self.compute_output_shape(ops.shape(inputs))
        return ops.getitem(inputs, (slice(None), slice(self.cropping[0],
                                                       steps - self.cropping[1])))

    def compute_output_shape(self, input_shape):
        steps = input_shape[1]
        if steps is not None and sum(self.cropping) >= steps:
            raise ValueError(f"{layer_label(self)}: cropping={self.cropping} removes all "
                             f"{steps} steps of an input of shape {tuple(input_shape)}")
        return (input_shape[0], None if steps is None else steps - sum(self.cropping),
                input_shape[2])

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class _Cropping(Layer):
    """Remove ``(before, after)`` entries of each spatial axis; subclasses fix ``rank``."""

    rank = 2

    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_pairs(cropping, self.rank, "cropping", layer_label(self))
        self.data_format = standardize_data_format(data_format, layer_label(self))
        self.input_spec = InputSpec(ndim=self.rank + 2)

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
                raise ValueError(f"{layer_label(self)}: cropping={self.cropping} removes every "
                                 f"entry of an input of shape {tuple(input_shape)}")
        cropped = [None if n is None else n - sum(c) for n, c in zip(spatial, self.cropping)]
        channels = input_shape[channel_axis(self.data_format)]
        return with_channels(input_shape[0], cropped, channels, self.data_format)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


class Cropping2D(_Cropping):
    """Remove rows and columns from the borders of images.

    Args:
        cropping: int, ``(rows, cols)`` (symmetric) or ``((top, bottom), (left, right))``.
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Remove entries from the borders of the three spatial axes of volumes.

    Args:
        cropping: int, 3 ints (symmetric per axis) or 3 ``(before, after)`` pairs (default
            ``((1, 1), (1, 1), (1, 1))``).
        data_format: "channels_last" (default from config) or "channels_first".
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)
