"""StatelessScope: run stateful layer/optimizer code as a pure function.

Inside a scope, reading a :class:`~mini_keras.core.variable.Variable` returns the value the scope
maps it to, and ``assign`` records the new value in the scope instead of touching the variable.
This is how one piece of stateful code (``optimizer.apply``, BatchNorm's moving-average update,
metric updates) becomes the pure function that ``jax.jit`` needs, and how every backend's
``value_and_grad`` substitutes differentiable leaves for variables.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from typing import Any, Self

_current: contextvars.ContextVar[StatelessScope | None] = contextvars.ContextVar(
    "mini_keras_stateless_scope", default=None)


class StatelessScope:
    """Map variables to values for the duration of a ``with`` block.

    Args:
        mapping: pairs ``(variable, value)``; reads of those variables see ``value``.

    Example:
        >>> with StatelessScope([(v, new_value)]) as scope:
        ...     y = layer(x)              # reads v as new_value
        >>> scope.value_of(v)            # latest value, including assigns inside the block
    """

    def __init__(self, mapping: Iterable[tuple[Any, Any]] = ()):
        self._values: dict[int, Any] = {id(v): val for v, val in mapping}
        self._assigned: dict[int, Any] = {}
        self._parent: StatelessScope | None = None
        self._token = None

    def __enter__(self) -> Self:
        self._parent = _current.get()
        self._token = _current.set(self)
        return self

    def __exit__(self, *exc) -> None:
        _current.reset(self._token)

    def lookup(self, variable) -> tuple[bool, Any]:
        """Return ``(found, value)`` for ``variable`` in this scope or an enclosing one."""
        scope = self
        while scope is not None:
            key = id(variable)
            if key in scope._values:
                return True, scope._values[key]
            scope = scope._parent
        return False, None

    def assign(self, variable, value) -> None:
        """Record ``value`` as the variable's new value inside this scope."""
        self._values[id(variable)] = value
        self._assigned[id(variable)] = (variable, value)

    def value_of(self, variable) -> Any:
        """Return the variable's value as seen inside this scope (falls back to the variable)."""
        found, value = self.lookup(variable)
        return value if found else variable._read_handle()

    def assignments(self) -> list[tuple[Any, Any]]:
        """Return ``(variable, value)`` for every variable assigned inside this scope."""
        return list(self._assigned.values())


def current_scope() -> StatelessScope | None:
    """Return the innermost active StatelessScope, or None."""
    return _current.get()
