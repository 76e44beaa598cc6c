"""``keras.utils.get_source_inputs``: the model inputs a symbolic tensor was computed from."""

from __future__ import annotations

from mini_keras.core.keras_tensor import KerasTensor


def get_source_inputs(tensor) -> list:
    """Return the input tensors (``keras.Input``) that ``tensor`` depends on, in the order a
    depth-first walk of the graph meets them; a value that is not a KerasTensor is returned
    as is, as in Keras 3."""
    if not isinstance(tensor, KerasTensor):
        return tensor
    if tensor.node is None:
        return [tensor]
    sources: list = []
    for parent in tensor.node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not seen for seen in sources):
                sources.append(source)
    return sources
