"""Re-export of :mod:`mini_keras.common.stateless` (the stateless scope lives on the ground floor)."""

from mini_keras.common.stateless import StatelessScope, current_scope

__all__ = ["StatelessScope", "current_scope"]
