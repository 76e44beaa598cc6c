"""Keras 3's image file helpers on Pillow: ``load_img``, ``img_to_array``, ``array_to_img``,
``save_img`` (channels-last by default; Pillow is imported on first use)."""

from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np

_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
_CHANNELS = {4: "RGBA", 3: "RGB"}


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - Pillow is a dependency of the io extra
        raise ImportError("The image utilities need Pillow: pip install pillow") from e
    return Image


def _data_format(data_format) -> str:
    data_format = data_format or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', received "
                         f"{data_format!r}")
    return data_format


def _resample(interpolation: str):
    methods = {name: getattr(_pil().Resampling, name.upper())
               for name in ("nearest", "bilinear", "bicubic", "lanczos", "box", "hamming")}
    if interpolation not in methods:
        raise ValueError(f"Invalid interpolation method {interpolation!r}; supported methods are "
                         f"{', '.join(methods)}")
    return methods[interpolation]


def load_img(path, color_mode: str = "rgb", target_size=None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False):
    """Load an image file as a PIL Image.

    Args:
        path: path (str/bytes/Path) or ``io.BytesIO``.
        color_mode: "grayscale", "rgb" or "rgba".
        target_size: ``(height, width)`` or None.
        interpolation: resampling for ``target_size`` ("nearest", "bilinear", "bicubic",
            "lanczos", "box", "hamming").
        keep_aspect_ratio: crop the centre to the target aspect ratio before resizing.
    """
    image_module = _pil()
    if isinstance(path, io.BytesIO):
        img = image_module.open(path)
    elif isinstance(path, (str, bytes, pathlib.Path)):
        with open(path, "rb") as f:
            img = image_module.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode not in _MODES:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    keep = ("L", "I;16", "I") if color_mode == "grayscale" else (_MODES[color_mode],)
    if img.mode not in keep:
        img = img.convert(_MODES[color_mode])
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    resample = _resample(interpolation)
    if not keep_aspect_ratio:
        return img.resize(size, resample)
    width, height = img.size
    crop_h = min(height, width * size[1] // size[0])
    crop_w = min(width, height * size[0] // size[1])
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return img.resize(size, resample, box=[left, top, left + crop_w, top + crop_h])


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """A PIL Image -> a rank-3 array (``(h, w, c)``, or ``(c, h, w)`` channels-first),
    float32 unless ``dtype``."""
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 2:
        x = x[..., None]
    elif x.ndim != 3:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x.transpose(2, 0, 1) if _data_format(data_format) == "channels_first" else x


def array_to_img(x, data_format=None, scale: bool = True, dtype=None):
    """A rank-3 array -> a PIL Image (RGBA, RGB, or L/I for one channel); ``scale`` maps the
    array's range to [0, 255]."""
    x = np.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}")
    if _data_format(data_format) == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    image_module = _pil()
    if x.shape[2] in _CHANNELS:
        return image_module.fromarray(x.astype("uint8"), _CHANNELS[x.shape[2]])
    if x.shape[2] == 1:
        if np.max(x) > 255:  # 32-bit integer grayscale
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {x.shape[2]}")


def save_img(path, x, data_format=None, file_format=None, scale: bool = True, **kwargs) -> None:
    """Save a rank-3 array as an image file (format from the extension unless
    ``file_format``; an RGBA image saved as JPEG is converted to RGB with a warning).
    ``kwargs`` go to ``PIL.Image.save``."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.",
                      stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
