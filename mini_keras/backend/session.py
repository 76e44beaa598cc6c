"""Keras 3's ``clear_session`` and ``get_uid``: the process-wide naming state."""

from __future__ import annotations

import gc

from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.variable import next_uid, reset_uids


def get_uid(prefix: str = "") -> int:
    """Return 1 the first time ``prefix`` is asked for, then 2, 3... (shared with the counter
    that names layers: after one ``Dense``, ``get_uid("dense")`` is 2)."""
    return next_uid(prefix)


def clear_session(free_memory: bool = True) -> None:
    """Reset the naming state, so new layers are named ``dense``, ``dense_1``... again.

    Args:
        free_memory: also run Python's garbage collector, releasing unreferenced tensors.
    """
    reset_uids()
    if free_memory:
        gc.collect()


def is_keras_tensor(x) -> bool:
    """True for a symbolic tensor of the functional API (``keras.Input`` and what layers
    return on it)."""
    return isinstance(x, KerasTensor)
