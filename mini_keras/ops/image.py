"""The image family (``keras.ops.image``): colour conversion of ``(..., H, W, C)`` images.

Every op is declared once with ``@composite`` (written in ``ops.*`` calls); see
:mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

from mini_keras import config, ops
from mini_keras.ops.declare import composite, exported

_GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)  # ITU-R 601-2 luma, as Keras and PIL


def _channel_axis(data_format) -> int:
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("ops.image: `data_format` must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}.")
    return -1 if data_format == "channels_last" else -3


@composite
def rgb_to_grayscale(images, data_format=None):
    """Convert RGB images to one-channel grayscale (``0.2989 R + 0.5870 G + 0.1140 B``).

    Args:
        images: ``(..., H, W, 3)`` (channels_last) or ``(..., 3, H, W)`` (channels_first), rank
            3 (one image) or 4 (a batch).
        data_format: "channels_last" or "channels_first" (``config.image_data_format()``).

    Returns:
        the images with a single channel, in the input's float dtype (integers: floatx).

    Raises:
        ValueError: rank other than 3 or 4, or not 3 channels.
    """
    axis = _channel_axis(data_format)
    shape = ops.shape(images)
    if len(shape) not in (3, 4):
        raise ValueError(f"ops.image.rgb_to_grayscale: `images` must have rank 3 or 4, "
                         f"received shape {tuple(shape)}.")
    if shape[axis] != 3:
        raise ValueError(f"ops.image.rgb_to_grayscale: `images` must have 3 channels on axis "
                         f"{axis}, received shape {tuple(shape)}.")
    images = ops.convert_to_tensor(images)
    if not ops.dtype(images).startswith(("float", "bfloat")):
        images = ops.cast(images, config.floatx())
    weights = ops.cast(ops.convert_to_tensor(_GRAY_WEIGHTS), ops.dtype(images))
    if axis == -3:
        weights = ops.reshape(weights, (3, 1, 1))
    return ops.sum(ops.multiply(images, weights), axis=axis, keepdims=True)


__all__ = [name for name in exported(__name__)]
