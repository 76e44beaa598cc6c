"""KerasTensor: a symbolic tensor (shape, dtype, and the layer call that made it) for the functional API."""

from __future__ import annotations

from mini_keras.common.nest import flatten, map_structure  # re-exported: the nest lives below

__all__ = ["KerasTensor", "Node", "flatten", "is_symbolic", "map_structure"]


class KerasTensor:
    """A placeholder for a tensor in a functional model graph.

    Attributes:
        shape: tuple with ``None`` for unknown dimensions (the batch).
        dtype: dtype name.
        node: the :class:`Node` (layer call) that produced it; None for model inputs.
        name: optional name (inputs only).
    """

    def __init__(self, shape, dtype="float32", node=None, name=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.node = node
        self.name = name

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __hash__(self):
        return id(self)

    def __getitem__(self, key):
        """``x[key]``: a graph node of :func:`mini_keras.ops.get_item` (Keras 3's ``GetItem``)."""
        from mini_keras import ops  # the op layer sits above core/
        return ops.get_item(self, key)

    # Python operators build graph nodes of the matching op, as in Keras 3 (``inputs / 255.0``).
    # Comparisons for (in)equality and truthiness keep Python's meaning (identity, True): the
    # graph code tests KerasTensors that way; use ops.equal / ops.not_equal for the op.
    __array_priority__ = 1000  # numpy arrays defer to these methods (array * x -> __rmul__)

    def _op(name, reverse=False):
        def method(self, other):
            from mini_keras import ops
            fn = getattr(ops, name)
            return fn(other, self) if reverse else fn(self, other)
        method.__name__ = f"__{'r' if reverse else ''}{name}__"
        return method

    __add__, __radd__ = _op("add"), _op("add", True)
    __sub__, __rsub__ = _op("subtract"), _op("subtract", True)
    __mul__, __rmul__ = _op("multiply"), _op("multiply", True)
    __truediv__, __rtruediv__ = _op("true_divide"), _op("true_divide", True)
    __floordiv__, __rfloordiv__ = _op("floor_divide"), _op("floor_divide", True)
    __mod__, __rmod__ = _op("mod"), _op("mod", True)
    __pow__, __rpow__ = _op("power"), _op("power", True)
    __matmul__, __rmatmul__ = _op("matmul"), _op("matmul", True)
    __and__, __rand__ = _op("logical_and"), _op("logical_and", True)
    __or__, __ror__ = _op("logical_or"), _op("logical_or", True)
    __xor__, __rxor__ = _op("logical_xor"), _op("logical_xor", True)
    __lt__, __le__ = _op("less"), _op("less_equal")
    __gt__, __ge__ = _op("greater"), _op("greater_equal")
    del _op

    def __neg__(self):
        from mini_keras import ops
        return ops.negative(self)

    def __abs__(self):
        from mini_keras import ops
        return ops.absolute(self)

    def __invert__(self):
        from mini_keras import ops
        return ops.logical_not(self)

    def __round__(self, ndigits=None):
        from mini_keras import ops
        return ops.round(self, decimals=ndigits or 0)

    def __iter__(self):
        # __getitem__ alone would make Python iterate x[0], x[1], ... : refuse, as before
        raise TypeError(f"A KerasTensor is not iterable (shape {self.shape}); index it "
                        "(x[0]) or use ops.unstack.")


class Node:
    """One call of a layer inside a functional graph: its (symbolic) arguments and outputs."""

    def __init__(self, layer, args: tuple, kwargs: dict, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs

    @property
    def input_tensors(self) -> list[KerasTensor]:
        """The KerasTensors among the call's arguments, in order."""
        return [t for t in flatten((self.args, self.kwargs)) if isinstance(t, KerasTensor)]


def is_symbolic(structure) -> bool:
    """True if any leaf is a KerasTensor."""
    return any(isinstance(t, KerasTensor) for t in flatten(structure))
