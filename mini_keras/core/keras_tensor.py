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
