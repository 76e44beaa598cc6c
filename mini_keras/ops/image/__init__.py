"""The image family (``keras.ops.image``): colour conversion, resizing, affine transforms,
crops and pads of ``(..., H, W, C)`` images (or ``(..., C, H, W)``).

Every op is declared once with ``@composite`` (written in ``ops.*`` calls, so it runs,
differentiates and traces the same on every backend); see :mod:`mini_keras.ops.declare`.
Sampling follows TensorFlow's kernels, which Keras 3's TensorFlow backend calls: half-pixel
centres for ``resize`` (bicubic: Keys' a=-0.5 with its 1024-entry table, edge taps
renormalized) and ``ImageProjectiveTransformV3``'s fill modes for ``affine_transform``.
"""

from __future__ import annotations

import numpy as np

from mini_keras import config, ops
from mini_keras.ops.declare import REGISTRY, composite

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


def _channels_last(images, data_format):
    """(images as rank-4 channels_last, undo) for ops written on ``(B, H, W, C)``."""
    axis = _channel_axis(data_format)
    images = ops.convert_to_tensor(images)
    rank = len(ops.shape(images))
    if rank not in (3, 4):
        raise ValueError(f"ops.image: `images` must have rank 3 (one image) or 4 (a batch), "
                         f"received shape {tuple(ops.shape(images))}.")
    if rank == 3:
        images = ops.expand_dims(images, 0)
    if axis == -3:
        images = ops.transpose(images, (0, 2, 3, 1))

    def undo(x):
        if axis == -3:
            x = ops.transpose(x, (0, 3, 1, 2))
        return ops.squeeze(x, 0) if rank == 3 else x
    return images, undo


def _as_float(images):
    if not ops.dtype(images).startswith(("float", "bfloat")):
        return ops.cast(images, config.floatx())
    return images


def _cubic_weights(t):
    """Keys' cubic (a=-0.5) weights of the 4 taps around fraction ``t`` (numpy), quantized to
    TensorFlow's 1024-entry table."""
    a = -0.5
    t = np.round(t * 1024) / 1024

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _resize_axis(images, axis: int, out_size: int, interpolation: str):
    """Resample ``images`` along ``axis`` (1: height, 2: width) to ``out_size``."""
    in_size = ops.shape(images)[axis]
    if in_size == out_size:
        return images
    scale = np.float32(in_size) / np.float32(out_size)  # float32 arithmetic, as TF
    centres = (np.arange(out_size, dtype="float32") + np.float32(0.5)) * scale
    if interpolation == "nearest":
        index = np.minimum(np.floor(centres), in_size - 1).astype("int32")
        return ops.take(images, index, axis=axis)
    source = (centres - np.float32(0.5)).astype("float64")
    floor = np.floor(source)
    shape = [1, 1, 1, 1]
    shape[axis] = out_size

    def weight(w):
        return ops.convert_to_tensor(np.reshape(w, shape).astype("float32"), ops.dtype(images))
    if interpolation == "bilinear":
        lower = np.clip(floor, 0, in_size - 1).astype("int32")
        upper = np.clip(np.ceil(source), 0, in_size - 1).astype("int32")
        frac = source - floor
        return ops.add(ops.multiply(ops.take(images, lower, axis=axis), weight(1 - frac)),
                       ops.multiply(ops.take(images, upper, axis=axis), weight(frac)))
    taps = [floor + k for k in (-1, 0, 1, 2)]
    weights = _cubic_weights(source - floor)
    weights = [np.where((tap >= 0) & (tap <= in_size - 1), w, 0.0)
               for tap, w in zip(taps, weights)]
    total = sum(weights)
    out = None
    for tap, w in zip(taps, weights):
        term = ops.multiply(ops.take(images, np.clip(tap, 0, in_size - 1).astype("int32"),
                                     axis=axis), weight(w / total))
        out = term if out is None else ops.add(out, term)
    return out


RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")


@composite
def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images to ``size = (height, width)`` (TensorFlow's half-pixel sampling).

    Args:
        images: rank 3 or 4, channels_last or channels_first.
        size: ``(height, width)``.
        interpolation: "bilinear", "nearest" or "bicubic".
        antialias: not supported (False).
        crop_to_aspect_ratio: first crop the centre to the target aspect ratio.
        pad_to_aspect_ratio: first pad (with ``fill_value``) to the target aspect ratio.
        fill_mode: "constant" (the only mode for ``pad_to_aspect_ratio``).
        data_format: "channels_last" or "channels_first".

    Returns:
        the resized images: float (integers give floatx), "nearest" keeps the dtype.
    """
    if len(tuple(size)) != 2:
        raise ValueError(f"ops.image.resize: `size` must be (height, width), received {size!r}.")
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(f"ops.image.resize: `interpolation` must be one of "
                         f"{list(RESIZE_INTERPOLATIONS)}, received {interpolation!r}.")
    if antialias:
        raise NotImplementedError("ops.image.resize: antialias=True is not supported.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("ops.image.resize: only one of crop_to_aspect_ratio and "
                         "pad_to_aspect_ratio can be True.")
    if fill_mode != "constant":
        raise ValueError(f"ops.image.resize: `fill_mode` must be 'constant', received "
                         f"{fill_mode!r}.")
    images, undo = _channels_last(images, data_format)
    if interpolation != "nearest":
        images = _as_float(images)
    target_h, target_w = (int(v) for v in size)
    _, height, width, _ = ops.shape(images)
    if crop_to_aspect_ratio:
        crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
        crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
        top, left = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        images = images[:, top:top + crop_h, left:left + crop_w, :]
    elif pad_to_aspect_ratio:
        pad_h = max(height, int(float(width * target_h) / target_w))
        pad_w = max(width, int(float(height * target_w) / target_h))
        top, left = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
        images = ops.pad(images, ((0, 0), (top, top), (left, left), (0, 0)),
                         constant_values=fill_value)
    images = _resize_axis(images, 1, target_h, interpolation)
    return undo(_resize_axis(images, 2, target_w, interpolation))


AFFINE_INTERPOLATIONS = ("nearest", "bilinear")
AFFINE_FILL_MODES = ("constant", "nearest", "wrap", "reflect")


def _map_coordinates(c, n: int, fill_mode: str):
    """TensorFlow's mapping of out-of-image source coordinates (``c`` float32 tensor)."""
    if fill_mode == "constant":
        return c
    if n <= 1:
        return ops.zeros_like(c)
    if fill_mode == "reflect":
        size2 = 2.0 * n
        neg = ops.add(ops.multiply(size2, ops.floor(ops.divide(ops.negative(c), size2))), c)
        neg = ops.where(ops.less(neg, -n), ops.add(neg, size2), ops.subtract(-1.0, neg))
        pos = ops.subtract(c, ops.multiply(size2, ops.floor(ops.divide(c, size2))))
        pos = ops.where(ops.greater_equal(pos, n), ops.subtract(size2 - 1.0, pos), pos)
        c = ops.where(ops.less(c, 0.0), neg, ops.where(ops.greater(c, n - 1.0), pos, c))
    elif fill_mode == "wrap":
        span = n - 1.0
        neg = ops.add(c, ops.multiply(float(n), ops.add(ops.floor(
            ops.divide(ops.negative(c), span)), 1.0)))
        pos = ops.subtract(c, ops.multiply(float(n), ops.floor(ops.divide(c, span))))
        c = ops.where(ops.less(c, 0.0), neg, ops.where(ops.greater(c, n - 1.0), pos, c))
    return ops.clip(c, 0.0, n - 1.0)


@composite
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Apply projective transforms: output pixel ``(x, y)`` samples the input at
    ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``.

    Args:
        images: rank 3 or 4.
        transform: ``(8,)`` or ``(batch, 8)`` rows ``[a0, a1, a2, b0, b1, b2, c0, c1]``.
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant" (``fill_value``), "nearest", "wrap" or "reflect" (TF's rules).
        fill_value: value outside the image in "constant" mode.
        data_format: "channels_last" or "channels_first".
    """
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"ops.image.affine_transform: `interpolation` must be one of "
                         f"{list(AFFINE_INTERPOLATIONS)}, received {interpolation!r}.")
    if fill_mode not in AFFINE_FILL_MODES:
        raise ValueError(f"ops.image.affine_transform: `fill_mode` must be one of "
                         f"{list(AFFINE_FILL_MODES)}, received {fill_mode!r}.")
    images, undo = _channels_last(images, data_format)
    transform = ops.cast(ops.convert_to_tensor(transform), "float32")
    if len(ops.shape(transform)) not in (1, 2) or ops.shape(transform)[-1] != 8:
        raise ValueError("ops.image.affine_transform: `transform` must have shape (8,) or "
                         f"(batch, 8), received {tuple(ops.shape(transform))}.")
    if len(ops.shape(transform)) == 1:
        transform = ops.expand_dims(transform, 0)
    dtype = ops.dtype(images)
    batch, height, width, channels = ops.shape(images)
    grid_y, grid_x = np.meshgrid(np.arange(height, dtype="float32"),
                                 np.arange(width, dtype="float32"), indexing="ij")
    x, y = ops.convert_to_tensor(grid_x), ops.convert_to_tensor(grid_y)
    a0, a1, a2, b0, b1, b2, c0, c1 = (ops.reshape(transform[:, i], (-1, 1, 1))
                                      for i in range(8))
    k = ops.add(ops.add(ops.multiply(c0, x), ops.multiply(c1, y)), 1.0)
    src_x = ops.divide(ops.add(ops.add(ops.multiply(a0, x), ops.multiply(a1, y)), a2), k)
    src_y = ops.divide(ops.add(ops.add(ops.multiply(b0, x), ops.multiply(b1, y)), b2), k)
    src_x = ops.multiply(ops.ones((batch, 1, 1)), _map_coordinates(src_x, width, fill_mode))
    src_y = ops.multiply(ops.ones((batch, 1, 1)), _map_coordinates(src_y, height, fill_mode))
    flat = ops.reshape(images, (batch * height * width, channels))
    base = ops.convert_to_tensor(np.arange(batch, dtype="int32").reshape(-1, 1, 1)
                                 * (height * width))
    fill = ops.cast(ops.convert_to_tensor(fill_value), dtype)
    if interpolation == "nearest":
        corners = [(_round_half_away(src_y), _round_half_away(src_x), None)]
    else:
        y0, x0 = ops.floor(src_y), ops.floor(src_x)
        wy, wx = ops.subtract(src_y, y0), ops.subtract(src_x, x0)
        y1, x1 = ops.add(y0, 1.0), ops.add(x0, 1.0)
        vy, vx = ops.subtract(1.0, wy), ops.subtract(1.0, wx)
        corners = [(y0, x0, ops.multiply(vy, vx)), (y0, x1, ops.multiply(vy, wx)),
                   (y1, x0, ops.multiply(wy, vx)), (y1, x1, ops.multiply(wy, wx))]
    # One gather for all corners. Outside the image a corner reads `fill_value` (TF's
    # read_with_fill_value); after a non-constant fill mode only zero-weight corners can lie
    # outside, so there the clipped read is exact and no mask is needed.
    index = ops.stack([ops.add(base, ops.add(
        ops.multiply(ops.cast(ops.clip(yi, 0.0, height - 1.0), "int32"), width),
        ops.cast(ops.clip(xi, 0.0, width - 1.0), "int32"))) for yi, xi, _ in corners])
    values = ops.reshape(ops.take(flat, ops.reshape(index, (-1,)), axis=0),
                         (len(corners), batch, height, width, channels))
    out = None
    for i, (yi, xi, weight) in enumerate(corners):
        value = values[i]
        if fill_mode == "constant":
            inside = ops.logical_and(
                ops.logical_and(ops.greater_equal(yi, 0.0), ops.less(yi, float(height))),
                ops.logical_and(ops.greater_equal(xi, 0.0), ops.less(xi, float(width))))
            value = ops.where(ops.expand_dims(inside, -1), value, fill)
        if weight is not None:
            value = ops.multiply(value, ops.expand_dims(ops.cast(weight, dtype), -1))
        out = value if out is None else ops.add(out, value)
    out = ops.where(ops.expand_dims(ops.equal(ops.multiply(ops.ones((batch, 1, 1)), k), 0.0),
                                    -1), fill, out)
    return undo(out)


def _round_half_away(c):
    """Round half away from zero (C's ``round``, which TensorFlow's kernel uses)."""
    return ops.where(ops.less(c, 0.0), ops.negative(ops.floor(ops.add(ops.negative(c), 0.5))),
                     ops.floor(ops.add(c, 0.5)))


def _box(name, size, first, second, target, what):
    """Resolve one axis of crop/pad arguments to (before, after)."""
    given = [v is not None for v in (first, second, target)]
    if sum(given) == 3 or sum(given) < 1:
        raise ValueError(f"ops.image.{name}: give two of the {what} arguments for each axis, "
                         f"received {(first, second, target)}.")
    if target is None:
        return first or 0, second or 0
    if first is None and second is None:
        first = 0
    total = size - target if name == "crop_images" else target - size
    if total < 0:
        raise ValueError(f"ops.image.{name}: the target size {target} does not fit an image "
                         f"axis of size {size}.")
    return (first, total - first) if first is not None else (total - second, second)


@composite
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crop images: per axis give the cropping on one side plus the target size, or both
    croppings."""
    images, undo = _channels_last(images, data_format)
    _, height, width, _ = ops.shape(images)
    top, bottom = _box("crop_images", height, top_cropping, bottom_cropping, target_height,
                       "top_cropping/bottom_cropping/target_height")
    left, right = _box("crop_images", width, left_cropping, right_cropping, target_width,
                       "left_cropping/right_cropping/target_width")
    return undo(images[:, top:height - bottom, left:width - right, :])


@composite
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Zero-pad images: per axis give the padding on one side plus the target size, or both
    paddings."""
    images, undo = _channels_last(images, data_format)
    _, height, width, _ = ops.shape(images)
    top, bottom = _box("pad_images", height, top_padding, bottom_padding, target_height,
                       "top_padding/bottom_padding/target_height")
    left, right = _box("pad_images", width, left_padding, right_padding, target_width,
                       "left_padding/right_padding/target_width")
    return undo(ops.pad(images, ((0, 0), (top, bottom), (left, right), (0, 0))))


def _planes(images, data_format, op: str):
    axis = _channel_axis(data_format)
    images = ops.convert_to_tensor(images)
    shape = ops.shape(images)
    if len(shape) not in (3, 4) or shape[axis] != 3:
        raise ValueError(f"ops.image.{op}: `images` must have rank 3 or 4 with 3 channels on "
                         f"axis {axis}, received shape {tuple(shape)}.")
    if not ops.dtype(images).startswith(("float", "bfloat")):
        raise ValueError(f"ops.image.{op}: `images` must be floating point, received dtype "
                         f"{ops.dtype(images)}.")
    return axis, [ops.take(images, i, axis=axis) for i in range(3)]


@composite
def rgb_to_hsv(images, data_format=None):
    """RGB -> HSV, all three in [0, 1] (hue as a fraction of a turn), as TensorFlow/Keras.

    Args:
        images: float images of rank 3 or 4 with 3 channels.
        data_format: "channels_last" or "channels_first".
    """
    axis, (r, g, b) = _planes(images, data_format, "rgb_to_hsv")
    value = ops.maximum(ops.maximum(r, g), b)
    spread = ops.subtract(value, ops.minimum(ops.minimum(r, g), b))
    positive = ops.greater(value, 0.0)
    saturation = ops.where(positive, ops.divide(spread, ops.where(positive, value, 1.0)), 0.0)
    norm = ops.divide(1.0, ops.multiply(6.0, ops.where(ops.greater(spread, 0.0), spread, 1.0)))
    hue = ops.where(ops.equal(value, g), ops.add(ops.multiply(norm, ops.subtract(b, r)), 2 / 6),
                    ops.add(ops.multiply(norm, ops.subtract(r, g)), 4 / 6))
    hue = ops.where(ops.equal(value, r), ops.multiply(norm, ops.subtract(g, b)), hue)
    hue = ops.where(ops.greater(spread, 0.0), hue, 0.0)
    hue = ops.add(hue, ops.cast(ops.less(hue, 0.0), ops.dtype(hue)))
    return ops.stack([hue, saturation, value], axis=axis)


@composite
def hsv_to_rgb(images, data_format=None):
    """HSV (all in [0, 1]) -> RGB, the inverse of :func:`rgb_to_hsv`.

    Args:
        images: float images of rank 3 or 4 with 3 channels.
        data_format: "channels_last" or "channels_first".
    """
    axis, (hue, saturation, value) = _planes(images, data_format, "hsv_to_rgb")
    turn = ops.multiply(ops.mod(hue, 1.0), 6.0)
    dr = ops.clip(ops.subtract(ops.abs(ops.subtract(turn, 3.0)), 1.0), 0.0, 1.0)
    dg = ops.clip(ops.subtract(2.0, ops.abs(ops.subtract(turn, 2.0))), 0.0, 1.0)
    db = ops.clip(ops.subtract(2.0, ops.abs(ops.subtract(turn, 4.0))), 0.0, 1.0)
    grey = ops.subtract(1.0, saturation)
    return ops.stack([ops.multiply(value, ops.add(grey, ops.multiply(saturation, d)))
                      for d in (dr, dg, db)], axis=axis)


# The other ops of the family live in submodules by purpose; they are part of this namespace.
from mini_keras.ops.image.filters import *
from mini_keras.ops.image.patches import *
from mini_keras.ops.image.sampling import *
from mini_keras.ops.image.sampling import (  # noqa: F401 - the layers read these
    MAP_COORDINATES_FILL_MODES,
    SCALE_AND_TRANSLATE_METHODS,
)

__all__ = [name for name, info in REGISTRY.items() if info.family == "image"]
