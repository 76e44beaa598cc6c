"""Build a public op from a contract function: same signature and docstring, backend dispatch."""

from __future__ import annotations

import inspect

from mini_keras.backends import contract, current
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.variable import Variable


def unwrap(x):
    """Replace Variables (also inside a list/tuple) by their values."""
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (list, tuple)) and x and any(isinstance(e, Variable) for e in x):
        return type(x)(e.value if isinstance(e, Variable) else e for e in x)
    return x


def _has_keras_tensor(args) -> bool:
    """True if a positional argument is (or, in a list/tuple, holds) a KerasTensor."""
    for a in args:
        if type(a) is KerasTensor:
            return True
        if isinstance(a, (list, tuple)) and any(type(e) is KerasTensor for e in a):
            return True
    return False


def make_op(name: str):
    """Return ``mini_keras.ops.<name>``: calls the current backend's ``name``."""
    proto = getattr(contract, name)

    def op(*args, **kwargs):
        if _has_keras_tensor(args):  # functional-model construction: record a graph node
            from mini_keras.layers.op_layer import op_layer_class
            return op_layer_class(name)(op_kwargs=kwargs)(*args)
        return getattr(current(), name)(*[unwrap(a) for a in args], **kwargs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = proto.__doc__
    op.__signature__ = inspect.signature(proto)
    op.__module__ = "mini_keras.ops"
    return op
