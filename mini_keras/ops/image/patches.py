"""Patch extraction of ``keras.ops.image``: ``extract_patches`` (2-D, or 3-D when ``size``
has three entries) and ``extract_patches_3d``.

As in Keras 3, a patch is read by a convolution with an identity kernel, so a patch's
features are ordered ``(row, column, channel)`` (3-D: ``(depth, row, column, channel)``) and
"same" padding, strides and dilation follow ``ops.conv``.
"""

from __future__ import annotations

import numpy as np

from mini_keras import config, ops
from mini_keras.ops.declare import composite, exported


def _patches(op: str, images, size: tuple, strides, dilation_rate, padding, data_format):
    spatial = len(size)
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"ops.image.{op}: `data_format` must be 'channels_last' or "
                         f"'channels_first', received {data_format!r}.")
    if padding not in ("valid", "same"):
        raise ValueError(f"ops.image.{op}: `padding` must be 'valid' or 'same', received "
                         f"{padding!r}.")
    if any(not isinstance(s, int) or s < 1 for s in size):
        raise ValueError(f"ops.image.{op}: `size` must hold positive ints, received {size!r}.")
    x = ops.convert_to_tensor(images)
    rank = len(ops.shape(x))
    if rank not in (spatial + 1, spatial + 2):
        raise ValueError(f"ops.image.{op}: for {spatial}-D patches the input must have rank "
                         f"{spatial + 1} (unbatched) or {spatial + 2} (batched), received "
                         f"shape {tuple(ops.shape(x))}.")
    if rank == spatial + 1:
        x = ops.expand_dims(x, 0)
    channels = ops.shape(x)[-1 if data_format == "channels_last" else 1]
    depth = int(np.prod(size)) * channels
    kernel = np.eye(depth, dtype="float32").reshape(tuple(size) + (channels, depth))
    dtype = ops.dtype(x)
    kernel = ops.cast(ops.convert_to_tensor(kernel), dtype)
    if not dtype.startswith(("float", "bfloat")):
        x, kernel = ops.cast(x, config.floatx()), ops.cast(kernel, config.floatx())
    out = ops.conv(x, kernel, strides=size if not strides else strides, padding=padding,
                   data_format=data_format, dilation_rate=dilation_rate)
    out = ops.cast(out, dtype)
    return ops.squeeze(out, 0) if rank == spatial + 1 else out


@composite
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Extract patches of ``size`` from images (or volumes, when ``size`` has 3 entries).

    Args:
        images: 2-D patches: ``(H, W, C)`` or ``(N, H, W, C)`` (channels_first:
            ``(C, H, W)``/``(N, C, H, W)``); 3-D patches: one rank more.
        size: an int (square 2-D patches) or a tuple of 2 or 3 ints.
        strides: the step between patches (None: ``size``, non-overlapping).
        dilation_rate: spacing of the pixels read within a patch.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".

    Returns:
        ``(..., rows, cols, patch_h * patch_w * C)`` (channels_first: the features first).
    """
    if isinstance(size, int) and not isinstance(size, bool):
        size = (size, size)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"ops.image.extract_patches: `size` must be an int or a tuple, "
                        f"received size={size!r} of type {type(size).__name__}.")
    if len(size) not in (2, 3):
        raise ValueError(f"ops.image.extract_patches: `size` must have 2 or 3 entries, "
                         f"received size={size!r}.")
    return _patches("extract_patches", images, tuple(size), strides, dilation_rate, padding,
                    data_format)


@composite
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Extract 3-D patches of ``size = (depth, height, width)`` from volumes.

    Args:
        volumes: ``(D, H, W, C)`` or ``(N, D, H, W, C)`` (channels_first: channels before D).
        size: an int (cubic patches) or 3 ints.
        strides: the step between patches (None: ``size``).
        dilation_rate: spacing of the voxels read within a patch.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".

    Returns:
        ``(..., d, h, w, patch_d * patch_h * patch_w * C)`` (channels_first: features first).
    """
    if isinstance(size, int) and not isinstance(size, bool):
        size = (size, size, size)
    if not isinstance(size, (tuple, list)) or len(size) != 3:
        raise ValueError(f"ops.image.extract_patches_3d: `size` must be an int or 3 ints, "
                         f"received size={size!r}.")
    if isinstance(strides, int):
        strides = (strides,) * 3
    if strides is not None and len(strides) != 3:
        raise ValueError(f"ops.image.extract_patches_3d: `strides` must be an int or 3 ints, "
                         f"received strides={strides!r}.")
    return _patches("extract_patches_3d", volumes, tuple(size), strides, dilation_rate,
                    padding, data_format)


__all__ = [name for name in exported(__name__)]
