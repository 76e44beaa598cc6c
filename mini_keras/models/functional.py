"""Functional models: a graph of layer calls from ``Input`` tensors to outputs."""

from __future__ import annotations

from mini_keras import backends
from mini_keras.core.keras_tensor import KerasTensor, flatten, map_structure
from mini_keras.models.model import Model


class Functional(Model):
    """A model defined by connecting layers: ``Model(inputs, outputs)``.

    Args:
        inputs: an ``Input`` tensor, or a list/dict of them.
        outputs: a KerasTensor produced from the inputs, or a list/dict of them.
        name: model name.

    Raises:
        ValueError: an output does not depend on the inputs, or an input is not connected
            to any output.
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._inputs_struct, self._outputs_struct = inputs, outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise TypeError(f"Model '{self.name}': inputs and outputs must be KerasTensors "
                                f"(from keras.Input and layer calls), received {type(t).__name__}")
        self._nodes = self._topological_nodes()
        self._input_layers = [t._input_layer for t in self.inputs
                              if hasattr(t, "_input_layer")]
        for layer in self._input_layers:
            self._layers.append(layer)
        for node in self._nodes:
            if node.layer not in self._layers:
                self._layers.append(node.layer)
        self.built = True

    def _topological_nodes(self):
        input_ids = {id(t) for t in self.inputs}
        order, done, reached = [], set(), set()

        def visit(tensor, path):
            if id(tensor) in input_ids:
                reached.add(id(tensor))
                return
            node = tensor.node
            if node is None:
                raise ValueError(
                    f"Model '{self.name}': output depends on input {tensor.name or tensor!r}, "
                    f"which is not among the model inputs {[t.name for t in self.inputs]}.")
            if id(node) in done:
                return
            for t in node.input_tensors:
                visit(t, path + [node.layer.name])
            done.add(id(node))
            order.append(node)

        for out in self.outputs:
            visit(out, [])
        unused = [t.name for t in self.inputs if id(t) not in reached]
        if unused:
            raise ValueError(f"Model '{self.name}': input(s) {unused} are not connected to any "
                             f"output. Every input must be used to compute the outputs.")
        return order

    def call(self, inputs, training=None):
        b = backends.current()
        flat = flatten(inputs) if not isinstance(inputs, dict) else [
            inputs[t.name] for t in self.inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                             f"{[t.name for t in self.inputs]}, received {len(flat)}.")
        values = {}
        for t, value in zip(self.inputs, flat):
            shape = tuple(b.shape(value))
            if len(shape) != len(t.shape) or any(
                    e is not None and e != r for e, r in zip(t.shape, shape)):
                raise ValueError(f"Input '{t.name}' of model '{self.name}' is incompatible: "
                                 f"expected shape {t.shape}, received {shape}.")
            values[id(t)] = value
        resolve = lambda v: values[id(v)] if isinstance(v, KerasTensor) else v  # noqa: E731
        for node in self._nodes:
            args = map_structure(resolve, node.args)
            kwargs = map_structure(resolve, node.kwargs)
            if node.layer._call_has_training and kwargs.get("training") is None:
                kwargs["training"] = training
            out = node.layer(*args, **kwargs)
            for kt, value in zip(flatten(node.outputs), flatten(out)):
                values[id(kt)] = value
        return map_structure(lambda t: values[id(t)], self._outputs_struct)

    def compute_output_shape(self, input_shape):
        return map_structure(lambda t: t.shape, self._outputs_struct)
