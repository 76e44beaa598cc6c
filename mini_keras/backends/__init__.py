"""Backend registry: selects, imports and checks the four backends.

Each backend is a sub-package (``mini_keras.backends.numpy`` ...) that implements every function
listed in :mod:`mini_keras.backends.contract`. The *current* backend is the default chosen by
``MINI_KERAS_BACKEND`` / ``set_backend`` unless a ``backend_scope`` is active; layers and models
enter a scope for the backend they were built with, so switching the default never affects them.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import os
from types import ModuleType

VALID_BACKENDS = ("numpy", "torch", "jax", "tensorflow", "mlx")
_FRAMEWORK_MODULE = {"numpy": "numpy", "torch": "torch", "jax": "jax", "tensorflow": "tensorflow", "mlx": "mlx"}
_PIP_EXTRA = {"numpy": "mini_keras", "torch": "mini_keras[torch]", "jax": "mini_keras[jax]",
              "tensorflow": "mini_keras[tensorflow]", "mlx": "mini_keras[mlx]"}

_loaded: dict[str, ModuleType] = {}
_default_name: str | None = None
_scoped: contextvars.ContextVar[ModuleType | None] = contextvars.ContextVar(
    "mini_keras_backend", default=None)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or name.lower() not in VALID_BACKENDS:
        raise ValueError(
            f"Unknown backend {name!r}. Valid backends: {', '.join(VALID_BACKENDS)} "
            "(set MINI_KERAS_BACKEND or call mini_keras.config.set_backend)."
        )
    return name.lower()


def get(name: str) -> ModuleType:
    """Return the backend module ``name``, importing it on first use.

    Raises:
        ValueError: unknown name (the message lists the valid ones).
        ImportError: the framework is missing (the message names the pip extra).
    """
    module = _loaded.get(name)
    if module is not None:
        return module
    name = _check_name(name)
    try:
        importlib.import_module(_FRAMEWORK_MODULE[name])
    except ImportError as e:
        raise ImportError(
            f"Backend {name!r} needs the '{_FRAMEWORK_MODULE[name]}' package, which is not "
            f"installed: pip install \"{_PIP_EXTRA[name]}\". Valid backends: "
            f"{', '.join(VALID_BACKENDS)}; installed: {', '.join(available()) or 'numpy'}."
        ) from e
    module = importlib.import_module(f"mini_keras.backends.{name}")
    module.name = name
    _loaded[name] = module
    return module


def available() -> list[str]:
    """Return the names of the backends whose framework can be imported."""
    found = []
    for name in VALID_BACKENDS:
        if importlib.util.find_spec(_FRAMEWORK_MODULE[name]) is not None:
            found.append(name)
    return found


def default_name() -> str:
    """Return the default backend name (from ``MINI_KERAS_BACKEND`` unless changed)."""
    global _default_name
    if _default_name is None:
        _default_name = _check_name(os.environ.get("MINI_KERAS_BACKEND", "numpy"))
    return _default_name


def set_default(name: str) -> None:
    """Make ``name`` the default backend (imports it now so errors surface here)."""
    global _default_name
    get(_check_name(name))
    _default_name = _check_name(name)


def current() -> ModuleType:
    """Return the backend module that ops dispatch to right now."""
    module = _scoped.get()
    if module is not None:
        return module
    return get(default_name())


def scoped_name() -> str | None:
    """Name of the backend of the innermost ``backend_scope``, or None outside any scope."""
    module = _scoped.get()
    return module.name if module is not None else None


def current_name() -> str:
    """Return the name of the backend ops dispatch to right now."""
    module = _scoped.get()
    return module.name if module is not None else default_name()


class backend_scope:  # lower case: used like a function, ``with backend_scope(name):``
    """Make ``name`` the current backend inside a ``with`` block (used by layers and models).

    A class rather than a ``@contextmanager`` generator: every top-level layer call enters
    one, and this costs a quarter of the generator's time.
    """

    __slots__ = ("_module", "_token")

    def __init__(self, name: str):
        self._module = get(name)

    def __enter__(self) -> None:
        self._token = _scoped.set(self._module)

    def __exit__(self, *exc) -> None:
        _scoped.reset(self._token)


# Capability facts. The structure work moves these into each backend module (CAPABILITIES);
# callers already ask through ``supports`` so no code above the backends checks a name.
_CAPABILITIES = {
    "numpy": {"float64", "float16", "bfloat16_storage", "autodiff"},
    "torch": {"float64", "float16", "bfloat16", "bfloat16_storage", "autodiff", "accelerators"},
    "jax": {"float16", "bfloat16", "bfloat16_storage", "autodiff", "accelerators", "jit"},
    "tensorflow": {"float64", "float16", "bfloat16", "bfloat16_storage", "autodiff",
                   "accelerators", "jit"},
    "mlx": {"float64", "float16", "bfloat16", "bfloat16_storage", "autodiff", "accelerators"},
}


def supports(capability: str, name: str | None = None) -> bool:
    """True if backend ``name`` (default: the current one) has ``capability``.

    Capabilities: "float64", "float16", "bfloat16" (computes in bfloat16), "bfloat16_storage",
    "autodiff", "accelerators", "jit".
    """
    name = current_name() if name is None else _check_name(name)
    return capability in _CAPABILITIES.get(name, set())


def optional_hook(name: str):
    """Return the current backend's optional fast-path ``name`` (e.g. "adam_update", "lstm"),
    or None when the backend does not provide it (callers then run the generic code)."""
    return getattr(current(), name, None)
