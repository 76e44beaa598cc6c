"""A cap on the bytes of variables created inside a block (used while loading untrusted files).

A ``.keras`` config chooses every layer's size, so without a cap a 1 KB file could make the
loader allocate all of RAM (``Dense(units=10**9)``) before any weight is read. While
:func:`allocation_budget` is active, every :class:`~mini_keras.core.variable.Variable` created
from an initializer first calls :func:`charge`, which raises once the block's total would pass
the limit, before the memory is allocated.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Callable, Iterator

import numpy as np

_budget: contextvars.ContextVar = contextvars.ContextVar("mini_keras_allocation_budget",
                                                         default=None)
_ITEMSIZE = {"bfloat16": 2}


@contextlib.contextmanager
def allocation_budget(limit: int, explain: Callable[[str, int, int], str]) -> Iterator[None]:
    """Within the block, variables may hold at most ``limit`` bytes in all.

    Args:
        limit: the byte budget.
        explain: ``explain(variable, bytes_needed, limit) -> str``, the error message
            (it names the file and the option that raises the limit).
    """
    token = _budget.set({"limit": int(limit), "used": 0, "explain": explain})
    try:
        yield
    finally:
        _budget.reset(token)


def charge(shape, dtype: str, name: str) -> None:
    """Count a variable of ``shape``/``dtype`` against the active budget (no-op without one).

    Raises:
        ValueError: the block's variables would exceed the budget.
    """
    budget = _budget.get()
    if budget is None:
        return
    size = math.prod(max(int(d), 0) for d in shape)
    itemsize = _ITEMSIZE.get(str(dtype)) or np.dtype(str(dtype)).itemsize
    budget["used"] += size * itemsize
    if budget["used"] > budget["limit"]:
        detail = f"'{name}' of shape {tuple(int(d) for d in shape)} and dtype {dtype}"
        raise ValueError(budget["explain"](detail, budget["used"], budget["limit"]))
