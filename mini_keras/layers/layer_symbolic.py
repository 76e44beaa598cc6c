"""A layer called on KerasTensors: a node of the functional graph, with inferred outputs."""

from __future__ import annotations

import numpy as np

from mini_keras import backends, ops
from mini_keras.core.keras_tensor import KerasTensor, Node, flatten, map_structure
from mini_keras.core.stateless import StatelessScope


class SymbolicCallMixin:
    """The functional-API side of :class:`~mini_keras.layers.Layer`: symbolic calls and
    output shape/spec inference."""

    def _symbolic_call(self, args, kwargs):
        inputs = args[0]
        self._maybe_build(shape_of(inputs))
        self._check_input(inputs)
        outputs = self.compute_output_spec(*args, **kwargs)
        node = Node(self, args, kwargs, outputs)
        for t in flatten(outputs):
            t.node = node
        self._inbound_nodes.append(node)
        return outputs

    @property
    def input(self):
        """The input of the layer's first call on KerasTensors (Keras 3's ``layer.input``)."""
        return self._first_node("input").args[0]

    @property
    def output(self):
        """The output of the layer's first call on KerasTensors (Keras 3's ``layer.output``:
        e.g. ``Model(model.inputs, model.get_layer("conv").output)`` extracts features)."""
        fixed = self.__dict__.get("_output_tensor")
        return fixed if fixed is not None else self._first_node("output").outputs

    @output.setter
    def output(self, value):  # InputLayer holds its tensor
        object.__setattr__(self, "_output_tensor", value)

    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 f"defined {what}.")
        return self._inbound_nodes[0]

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape`` (batch dim may be None), computed without real data."""
        spec = self.compute_output_spec(_shapes_to_tensors(input_shape, self.compute_dtype))
        return map_structure(lambda t: t.shape, spec)

    def compute_output_spec(self, *args, **kwargs):
        """Symbolic outputs for symbolic inputs.

        Uses ``compute_output_shape`` when a subclass overrides it; otherwise runs the layer on
        small zero tensors twice (unknown dims as 2, then 3) and marks the output dims that
        changed as unknown.
        """
        if type(self).compute_output_shape is not SymbolicCallMixin.compute_output_shape:
            shapes = map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
            out = self.compute_output_shape(shapes)
            return _shapes_to_tensors(out, self.compute_dtype)
        def merge(a, c):
            sa, sc = tuple(ops.shape(a)), tuple(ops.shape(c))
            shape = tuple(x if x == y else None for x, y in zip(sa, sc))
            return KerasTensor(shape, ops.dtype(a))

        results = []
        with backends.backend_scope(self._backend_name):
            for fill in (2, 3):
                def concrete(t, fill=fill):
                    if not isinstance(t, KerasTensor):
                        return t
                    return ops.zeros(tuple(fill if d is None else d for d in t.shape),
                                     dtype=t.dtype)
                c_args = map_structure(concrete, args)
                c_kwargs = map_structure(concrete, kwargs)
                c_kwargs.setdefault("training", False)
                with StatelessScope():  # swallow state updates made while probing
                    results.append(self(*c_args, **c_kwargs))
            return _zip_map(merge, results[0], results[1])


def shape_of(x):
    """Shape (tuple) of a tensor/KerasTensor, or a list of shapes for a list of them."""
    if isinstance(x, (list, tuple)):
        return [shape_of(e) for e in x]
    if isinstance(x, dict):
        return {k: shape_of(v) for k, v in x.items()}
    if isinstance(x, KerasTensor):
        return x.shape
    if x is None:
        return None
    if isinstance(x, np.ndarray):  # also host string arrays, which no backend can hold
        return x.shape
    return tuple(ops.shape(x))


def _shapes_to_tensors(out, dtype):
    if isinstance(out, (list, tuple)) and out and isinstance(out[0], (list, tuple)):
        return [KerasTensor(s, dtype) for s in out]
    if isinstance(out, dict):
        return {k: KerasTensor(s, dtype) for k, s in out.items()}
    return KerasTensor(out, dtype)


def _zip_map(fn, a, c):
    if isinstance(a, (list, tuple)):
        return type(a)(_zip_map(fn, x, y) for x, y in zip(a, c))
    if isinstance(a, dict):
        return {k: _zip_map(fn, a[k], c[k]) for k in a}
    return fn(a, c)
