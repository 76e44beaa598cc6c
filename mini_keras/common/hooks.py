"""Types and functions that upper floors register for the floors below them.

A backend must recognise a mini_keras ``Variable`` handed straight to a framework op (a user's
``tf_tensor * variable``) without importing ``core``: ``core.variable`` registers the class here
when it is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["is_variable", "on_variable_class", "register_variable_class", "variable_classes"]

_variable_classes: list[type] = []
_listeners: list[Callable[[type], None]] = []


def register_variable_class(cls: type) -> None:
    """Record ``cls`` (``mini_keras.Variable``) so backends can unwrap its instances."""
    if cls not in _variable_classes:
        _variable_classes.append(cls)
        for listener in _listeners:
            listener(cls)


def on_variable_class(listener: Callable[[type], None]) -> None:
    """Call ``listener(cls)`` for every Variable class, registered already or later.

    TensorFlow uses it to register a tensor conversion for mini_keras Variables.
    """
    _listeners.append(listener)
    for cls in _variable_classes:
        listener(cls)


def variable_classes() -> tuple[type, ...]:
    """The registered Variable classes (empty until ``mini_keras.core.variable`` is imported)."""
    return tuple(_variable_classes)


def is_variable(x: Any) -> bool:
    """True if ``x`` is an instance of a registered Variable class."""
    return bool(_variable_classes) and isinstance(x, tuple(_variable_classes))

