"""Conv1D, Conv2D and Conv3D."""

from __future__ import annotations

from mini_keras.layers.convolutional.base_conv import _Conv

__all__ = ["Conv1D", "Conv2D", "Conv3D"]


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` inputs (channels_last).

    Args:
        filters: number of output channels.
        kernel_size: window length (int or tuple of 1 int).
        strides: step of the window.
        padding: "valid", "same" or "causal" (output ``t`` sees inputs ``<= t``).
        data_format: "channels_last" (default from ``config.image_data_format()``) or
            "channels_first".
        dilation_rate: spacing between kernel taps.
        groups: split the input channels into this many independent groups.
        activation: activation name or callable (None: linear).
        use_bias: add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.

    Weights: ``kernel`` ``(kernel_size, in_channels / groups, filters)``, ``bias`` ``(filters,)``.
    """

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over ``(batch, height, width, channels)`` images.

    Args:
        filters: number of output channels.
        kernel_size: window size, an int or ``(height, width)``.
        strides: window steps, an int or a pair.
        padding: "valid" (no padding) or "same" (output size ``ceil(input / stride)``).
        data_format: "channels_last" (default from ``config.image_data_format()``) or
            "channels_first".
        dilation_rate: spacing between kernel taps (atrous convolution).
        groups: split the input channels into this many independent groups.
        activation: activation name or callable (None: linear).
        use_bias: add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.

    Weights: ``kernel`` ``kernel_size + (in_channels / groups, filters)``, ``bias``
    ``(filters,)``.

    Example:
        >>> layer = Conv2D(8, 3, activation="relu")
        >>> layer(np.zeros((2, 28, 28, 1))).shape   # (2, 26, 26, 8)
    """

    rank = 2


class Conv3D(_Conv):
    """3-D convolution over ``(batch, depth, height, width, channels)`` volumes.

    Args:
        filters: number of output channels.
        kernel_size: window size, an int or ``(depth, height, width)``.
        strides: window steps, an int or 3 ints (default (1, 1, 1)).
        padding: "valid" or "same".
        data_format: "channels_last" (default from ``config.image_data_format()``) or
            "channels_first" (``(batch, channels, depth, height, width)``).
        dilation_rate: spacing between kernel taps.
        groups: split the input channels into this many independent groups.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
            bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as
            :class:`Conv2D`.

    Weights: ``kernel`` ``kernel_size + (in_channels / groups, filters)``, ``bias``
    ``(filters,)``.

    Example:
        >>> Conv3D(4, 3)(np.zeros((1, 8, 8, 8, 2))).shape   # (1, 6, 6, 6, 4)
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         groups, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
