"""Global numeric settings: default float dtype, epsilon, image data format.

``mini_keras.config`` re-exports these; backends read them here, so they never import upward.
"""

from __future__ import annotations

__all__ = ["epsilon", "floatx", "image_data_format", "set_epsilon", "set_floatx",
           "set_image_data_format"]

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"


def floatx() -> str:
    """Return the default float dtype name (``"float32"``)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float dtype (one of float16, bfloat16, float32, float64)."""
    global _FLOATX
    if value not in FLOAT_DTYPES:
        raise ValueError(f"set_floatx: expected one of {FLOAT_DTYPES}, received {value!r}")
    _FLOATX = value


def epsilon() -> float:
    """Return the fuzz factor used in numeric expressions (``1e-7``)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Return the default image layout, ``"channels_last"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Set the default image layout: ``"channels_last"`` or ``"channels_first"``."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "set_image_data_format: expected 'channels_last' or 'channels_first', "
            f"received {data_format!r}"
        )
    _IMAGE_DATA_FORMAT = data_format
