"""Global configuration: which backend new objects use, default float type, device.

The backend is chosen by the ``MINI_KERAS_BACKEND`` environment variable (default ``numpy``)
and can be changed at run time with :func:`set_backend`. Objects remember the backend they were
created with, so changing the default never breaks an existing model.
"""

from __future__ import annotations

from mini_keras import backends as _backends
from mini_keras.common.settings import (  # the settings live on the ground floor
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)
from mini_keras.common.tracebacks import (
    disable_traceback_filtering,
    enable_traceback_filtering,
    is_traceback_filtering_enabled,
)
from mini_keras.config_flags import (
    disable_flash_attention,
    disable_interactive_logging,
    enable_flash_attention,
    enable_interactive_logging,
    enable_unsafe_deserialization,
    is_flash_attention_enabled,
    is_interactive_logging_enabled,
    is_nnx_enabled,
    max_epochs,
    max_steps_per_epoch,
    set_max_epochs,
    set_max_steps_per_epoch,
)
from mini_keras.trainers.value_checks import (
    disable_value_checks,
    enable_value_checks,
    value_checks_enabled,
)

__all__ = [
    "available_backends",
    "backend",
    "device",
    "disable_flash_attention",
    "disable_interactive_logging",
    "disable_traceback_filtering",
    "disable_value_checks",
    "dtype_policy",
    "enable_flash_attention",
    "enable_interactive_logging",
    "enable_traceback_filtering",
    "enable_unsafe_deserialization",
    "enable_value_checks",
    "epsilon",
    "floatx",
    "image_data_format",
    "is_flash_attention_enabled",
    "is_interactive_logging_enabled",
    "is_nnx_enabled",
    "is_traceback_filtering_enabled",
    "max_epochs",
    "max_steps_per_epoch",
    "set_backend",
    "set_dtype_policy",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "set_max_epochs",
    "set_max_steps_per_epoch",
    "value_checks_enabled",
]


def backend() -> str:
    """Return the name of the backend new layers and ops use ("numpy", "torch", "jax" or "tensorflow")."""
    return _backends.current_name()


def set_backend(backend: str) -> None:
    """Make ``backend`` (a name) the default backend for everything created from now on.

    Existing models and layers keep the backend they were built with.

    Raises:
        ValueError: if ``backend`` is not one of the valid backends.
        ImportError: if the backend's framework is not installed (names the pip extra).
    """
    _backends.set_default(backend)


def available_backends() -> list[str]:
    """Return the backends whose framework is importable on this machine."""
    return _backends.available()


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
