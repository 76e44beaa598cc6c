"""Backend registry: discovers, selects, imports and checks the backends.

The backends are the sub-packages of ``mini_keras/backends/`` and the entry points of the group
``mini_keras.backends`` (:mod:`.discovery`); each implements every function listed in
:mod:`mini_keras.backends.contract` and is checked against it when loaded (:mod:`.validation`). The *current* backend is the default chosen by
``MINI_KERAS_BACKEND`` / ``set_backend`` unless a ``backend_scope`` is active; layers and models
enter a scope for the backend they were built with, so switching the default never affects them.
"""

from __future__ import annotations

import contextvars
import importlib
import os
from types import ModuleType

from mini_keras.backends import discovery, validation
from mini_keras.backends.validation import BackendContractError

__all__ = ["BackendContractError", "available", "backend_scope", "current", "current_name",
           "default_name", "facts", "get", "names", "optional_hook", "scoped_name",
           "set_default", "supports"]

_loaded: dict[str, ModuleType] = {}
_default_name: str | None = None
_scoped: contextvars.ContextVar[ModuleType | None] = contextvars.ContextVar(
    "mini_keras_backend", default=None)


def names() -> tuple[str, ...]:
    """Every discovered backend: the built-in folders, then the installed plugins."""
    return tuple(discovery.discover())


def __getattr__(attr: str):
    if attr == "VALID_BACKENDS":  # the old constant, now derived from discovery
        return names()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def _check_name(name: str) -> str:
    found = names()
    if isinstance(name, str) and name not in found and name.lower() in found:
        name = name.lower()
    if not isinstance(name, str) or name not in found:
        raise ValueError(
            f"Unknown backend {name!r}. Valid backends: {', '.join(found)} "
            "(set MINI_KERAS_BACKEND or call mini_keras.config.set_backend; a plugin registers "
            f"an entry point in the group {discovery.ENTRY_POINT_GROUP!r})."
        )
    return name


def facts(name: str | None = None) -> discovery.Facts:
    """What backend ``name`` (default: the current one) declares: framework, pip extra,
    capabilities. For a plugin, its module is imported to read them."""
    name = current_name() if name is None else _check_name(name)
    found = discovery.discover()[name]
    if found.plugin:
        found = discovery.plugin_facts(found, get(name))
    return found


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
    declared = discovery.discover()[name]
    if declared.framework is not None:
        try:
            importlib.import_module(declared.framework)
        except ImportError as e:
            raise ImportError(
                f"Backend {name!r} needs the '{declared.framework}' package, which is not "
                f"installed: pip install \"{declared.pip_extra}\". Valid backends: "
                f"{', '.join(names())}; installed: {', '.join(available()) or 'numpy'}."
            ) from e
    try:
        module = importlib.import_module(declared.module)
    except ImportError as e:
        if not declared.plugin:
            raise
        raise ImportError(
            f"Backend {name!r} (entry point {discovery.ENTRY_POINT_GROUP!r} -> "
            f"{declared.module!r}) could not be imported: {e}. Installed backends: "
            f"{', '.join(available())}.") from e
    validation.check(name, module)
    module.name = name
    _loaded[name] = module
    return module


def available() -> list[str]:
    """Return the names of the backends whose framework can be imported."""
    return [name for name, found in discovery.discover().items() if found.available()]


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


def supports(capability: str, name: str | None = None) -> bool:
    """True if backend ``name`` (default: the current one) has ``capability``.

    Capabilities: "float64", "float16", "bfloat16" (computes in bfloat16), "bfloat16_storage",
    "autodiff", "accelerators", "jit". Each backend declares its own (``CAPABILITIES``).
    """
    return capability in facts(name).capabilities


def optional_hook(name: str):
    """Return the current backend's optional fast-path ``name`` (e.g. "adam_update", "lstm"),
    or None when the backend does not provide it (callers then run the generic code)."""
    return getattr(current(), name, None)
