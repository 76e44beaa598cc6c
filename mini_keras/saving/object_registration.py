"""The custom-object registry: ``register_keras_serializable`` and ``custom_object_scope``.

A registered class is saved under the key ``"package>name"`` (its ``registered_name``) and
found again by that key when a file is loaded, without passing ``custom_objects``.
"""

from __future__ import annotations

import contextvars

_GLOBAL_CUSTOM_OBJECTS: dict[str, object] = {}
_GLOBAL_CUSTOM_NAMES: dict[object, str] = {}
_scope_objects: contextvars.ContextVar = contextvars.ContextVar(
    "mini_keras_custom_objects", default=None)


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator registering a class or function for saving and loading.

    Args:
        package: the namespace part of the key.
        name: the object's name in the key (default: its ``__name__``).

    Returns:
        The decorator; it returns the object unchanged.

    Raises:
        ValueError: a class without ``get_config``, or the key is already taken by another object.

    Example:
        >>> @register_keras_serializable(package="my_pkg")
        ... class Scale(Layer): ...
        >>> get_registered_name(Scale)
        'my_pkg>Scale'
    """

    def decorator(obj):
        key = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: class {obj.__name__} must implement "
                             "get_config() to be serializable.")
        existing = _GLOBAL_CUSTOM_OBJECTS.get(key)
        if existing is not None and existing is not obj and (
                getattr(existing, "__qualname__", None) != getattr(obj, "__qualname__", None)):
            raise ValueError(f"register_keras_serializable: {key!r} is already registered to "
                             f"{existing!r}.")
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = key
        return obj

    return decorator


def get_registered_name(obj) -> str:
    """The key ``obj`` is saved under: ``"package>name"`` if registered, else its ``__name__``."""
    return _GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Find ``name`` in ``custom_objects``, the active ``custom_object_scope``, the registry,
    then ``module_objects``.

    Args:
        name: a registered name (``"package>name"``) or a plain class/function name.
        custom_objects: optional dict ``name -> object``.
        module_objects: optional dict ``name -> object`` searched last (a module's own names).

    Returns:
        The object, or None when it is not known.
    """
    if name is None:
        return None
    for table in (custom_objects or {}, _scope_objects.get() or {}, _GLOBAL_CUSTOM_OBJECTS,
                  module_objects or {}):
        if name in table:
            return table[name]
    return None


def get_custom_objects() -> dict:
    """The global registry (a live dict: adding to it registers objects)."""
    return _GLOBAL_CUSTOM_OBJECTS


class custom_object_scope:
    """Context manager making ``custom_objects`` visible to every load inside it.

    Args:
        custom_objects: dict ``name -> class or function``.
    """

    def __init__(self, custom_objects: dict):
        self.custom_objects = dict(custom_objects or {})
        self._token = None

    def __enter__(self):
        merged = {**(_scope_objects.get() or {}), **self.custom_objects}
        self._token = _scope_objects.set(merged)
        return self

    def __exit__(self, *exc):
        _scope_objects.reset(self._token)


CustomObjectScope = custom_object_scope
