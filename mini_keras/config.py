"""Global configuration: which backend new objects use, default float type, device.

The backend is chosen by the ``MINI_KERAS_BACKEND`` environment variable (default ``numpy``)
and can be changed at run time with :func:`set_backend`. Objects remember the backend they were
created with, so changing the default never breaks an existing model.
"""

from __future__ import annotations

from mini_keras import backends as _backends
from mini_keras.trainers.value_checks import (
    disable_value_checks,
    enable_value_checks,
    value_checks_enabled,
)

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"

__all__ = [
    "available_backends",
    "backend",
    "device",
    "disable_value_checks",
    "dtype_policy",
    "enable_value_checks",
    "epsilon",
    "floatx",
    "image_data_format",
    "set_backend",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "value_checks_enabled",
]


def backend() -> str:
    """Return the name of the backend new layers and ops use ("numpy", "torch", "jax" or "tensorflow")."""
    return _backends.current_name()


def set_backend(name: str) -> None:
    """Make ``name`` the default backend for everything created from now on.

    Existing models and layers keep the backend they were built with.

    Raises:
        ValueError: if ``name`` is not one of the valid backends.
        ImportError: if the backend's framework is not installed (names the pip extra).
    """
    _backends.set_default(name)


def available_backends() -> list[str]:
    """Return the backends whose framework is importable on this machine."""
    return _backends.available()


def floatx() -> str:
    """Return the default float dtype name (``"float32"``)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float dtype (one of float16, bfloat16, float32, float64)."""
    global _FLOATX
    valid = ("float16", "bfloat16", "float32", "float64")
    if value not in valid:
        raise ValueError(f"set_floatx: expected one of {valid}, received {value!r}")
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


def set_image_data_format(value: str) -> None:
    """Set the default image layout: ``"channels_last"`` or ``"channels_first"``."""
    global _IMAGE_DATA_FORMAT
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "set_image_data_format: expected 'channels_last' or 'channels_first', "
            f"received {value!r}"
        )
    _IMAGE_DATA_FORMAT = value


def device(backend_name: str | None = None) -> str:
    """Return the device the given (default: current) backend places tensors on, e.g. ``"cpu"``, ``"cuda:0"``."""
    return _backends.get(backend_name or backend()).device()


def set_dtype_policy(policy) -> None:
    """Set the global dtype policy ("float32", "mixed_float16", "mixed_bfloat16", ...); Keras 3's
    ``keras.config.set_dtype_policy``, the same as ``mixed_precision.set_dtype_policy``."""
    from mini_keras import mixed_precision
    mixed_precision.set_dtype_policy(policy)


def dtype_policy():
    """The global :class:`~mini_keras.dtype_policies.DTypePolicy`."""
    from mini_keras import mixed_precision
    return mixed_precision.dtype_policy()
