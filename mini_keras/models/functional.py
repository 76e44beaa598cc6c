"""Functional models: a graph of layer calls from ``Input`` tensors to outputs."""

from __future__ import annotations

import inspect

import numpy as np

from mini_keras import ops
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

    _convert_input_args = False  # mixed precision: inner layers cast their own inputs

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
        ordered = self._keras_layer_order()  # assigning the lists above may have tracked some
        self._layers[:] = ordered + [layer for layer in self._layers if layer not in ordered]
        self.built = True

    def _keras_layer_order(self) -> list:
        """The layers in Keras 3's order (its ``map_graph``): by decreasing depth (distance
        to the outputs), ties by the order a depth-first walk from the outputs first meets
        them. ``model.layers``, ``model.weights`` and legacy ``.h5`` files (loaded by layer
        order) depend on it."""
        input_ids = {id(t) for t in self.inputs}
        first_seen, walk, done = {}, [], set()

        def key(tensor):
            return ("input", id(tensor)) if id(tensor) in input_ids else id(tensor.node)

        stack = [(t, False) for t in reversed(self.outputs)]
        while stack:  # iterative pre/post-order walk: deep graphs (NASNet) need no recursion
            tensor, finished = stack.pop()
            is_input = id(tensor) in input_ids
            layer = getattr(tensor, "_input_layer", None) if is_input else tensor.node.layer
            parents = [] if is_input else list(tensor.node.input_tensors)
            if layer is None or key(tensor) in done:
                continue
            if finished:
                done.add(key(tensor))
                walk.append((key(tensor), layer, parents))
                continue
            first_seen.setdefault(id(layer), len(first_seen))
            stack.append((tensor, True))
            stack.extend((p, False) for p in reversed(parents))
        node_depth, layer_depth = {}, {}
        for node_key, layer, parents in reversed(walk):
            depth = max(node_depth.setdefault(node_key, 0), layer_depth.get(id(layer), 0))
            layer_depth[id(layer)] = node_depth[node_key] = depth
            for parent in parents:
                if id(parent) in input_ids or parent.node is not None:
                    node_depth[key(parent)] = max(depth + 1, node_depth.get(key(parent), 0))
        layers = list({id(layer): layer for _, layer, _ in walk}.values())
        return sorted(layers, key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)]))

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
        flat = flatten(inputs) if not isinstance(inputs, dict) else [
            inputs[t.name] for t in self.inputs]
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model '{self.name}' expects {len(self.inputs)} input(s) "
                             f"{[t.name for t in self.inputs]}, received {len(flat)}.")
        values = {}
        for t, value in zip(self.inputs, flat):
            shape = value.shape if isinstance(value, np.ndarray) else tuple(ops.shape(value))
            if len(shape) != len(t.shape) or any(
                    e is not None and e != r for e, r in zip(t.shape, shape)):
                raise ValueError(f"Input '{t.name}' of model '{self.name}' is incompatible: "
                                 f"expected shape {t.shape}, received {shape}.")
            values[id(t)] = value
        resolve = lambda v: values[id(v)] if isinstance(v, KerasTensor) else v
        masks = {}  # id(KerasTensor) -> mask, carried like Keras' _keras_mask
        for node in self._nodes:
            args = map_structure(resolve, node.args)
            kwargs = map_structure(resolve, node.kwargs)
            # As Keras 3: the call's `training` wins over one recorded in the node (a Keras
            # file records `training=True` for layers whose call defaults to it).
            if node.layer._call_has_training and (training is not None
                                                  or kwargs.get("training") is None):
                kwargs["training"] = training
            in_mask = self._input_mask(node.args[0], masks)
            # a mask given as None is filled from the input's, as Keras 3's Layer.__call__ does
            # (its files write `"mask": null` where the mask appears only at run time)
            if in_mask is not None and node.layer._call_has_mask and kwargs.get("mask") is None:
                kwargs["mask"] = in_mask
            value = node.args[1] if len(node.args) > 1 else node.kwargs.get("value")
            if (isinstance(value, KerasTensor) and id(value) in masks
                    and kwargs.get("value_mask") is None
                    and "value_mask" in inspect.signature(node.layer.call).parameters):
                kwargs["value_mask"] = masks[id(value)]  # attention layers: mask the keys/values
            out = node.layer(*args, **kwargs)
            out_mask = node.layer.compute_mask(args[0], in_mask)
            for kt, value in zip(flatten(node.outputs), flatten(out)):
                values[id(kt)] = value
                if out_mask is not None:
                    masks[id(kt)] = out_mask
        return map_structure(lambda t: values[id(t)], self._outputs_struct)

    @staticmethod
    def _input_mask(first_arg, masks):
        """Mask for a node's first argument: one mask, or a list for a list of inputs."""
        if isinstance(first_arg, (list, tuple)):
            found = [masks.get(id(t)) if isinstance(t, KerasTensor) else None for t in first_arg]
            return None if all(m is None for m in found) else found
        return masks.get(id(first_arg)) if isinstance(first_arg, KerasTensor) else None

    @property
    def input(self):
        """The model's inputs, in the structure they were given (one tensor, a list, a dict)."""
        return self._inputs_struct

    @property
    def output(self):
        """The model's outputs, in the structure they were given."""
        return self._outputs_struct

    @property
    def input_shape(self):
        """The inputs' shapes (batch axis None), in the structure of ``input`` (a list of one
        gives one shape, as Keras)."""
        return _shapes(self._inputs_struct)

    @property
    def output_shape(self):
        """The outputs' shapes (batch axis None), in the structure of ``output`` (a list of
        one gives one shape, as Keras)."""
        return _shapes(self._outputs_struct)

    def compute_output_shape(self, input_shape):
        check_input_shapes(self.name, self._inputs_struct, input_shape)
        return map_structure(lambda t: t.shape, self._outputs_struct)

    # ------------------------------------------------------------------ config (Keras 3 schema)
    def get_config(self) -> dict:
        """Layers with their ``inbound_nodes`` (calls) plus ``input_layers``/``output_layers``.

        A tensor is referenced by ``[layer name, node index, tensor index]``, where the node
        index counts only this model's calls of that layer.
        """
        from mini_keras.saving.serialization import serialize_keras_object
        node_index, counts = {}, {}
        for node in self._nodes:
            node_index[id(node)] = counts.get(id(node.layer), 0)
            counts[id(node.layer)] = node_index[id(node)] + 1

        def history(t):
            if t.node is None:
                return [t._input_layer.name, 0, 0]
            index = next(i for i, o in enumerate(flatten(t.node.outputs)) if o is t)
            return [t.node.layer.name, node_index[id(t.node)], index]

        def arg(v):
            if isinstance(v, KerasTensor):
                return {"class_name": "__keras_tensor__",
                        "config": {"shape": list(v.shape), "dtype": v.dtype,
                                   "keras_history": history(v)}}
            return serialize_keras_object(v)

        layers = []
        for layer in self._layers:
            config = serialize_keras_object(layer)
            config["name"] = layer.name
            config["inbound_nodes"] = [
                {"args": map_structure(arg, list(node.args)),
                 "kwargs": map_structure(arg, dict(node.kwargs))}
                for node in self._nodes if node.layer is layer]
            layers.append(config)
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": map_structure(history, self._inputs_struct),
                "output_layers": map_structure(history, self._outputs_struct)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Rebuild the graph by calling the deserialized layers in dependency order."""
        from mini_keras.saving.serialization import deserialize_keras_object
        created, outputs, pending = {}, {}, {}
        for data in config["layers"]:
            layer = deserialize_keras_object(
                {k: v for k, v in data.items() if k not in ("name", "inbound_nodes")},
                custom_objects, build=False)
            created[data["name"]] = layer
            pending[data["name"]] = list(data.get("inbound_nodes") or [])
            if hasattr(layer, "batch_shape") and hasattr(layer, "output"):  # an InputLayer
                outputs[(data["name"], 0)] = [layer.output]

        def tensor(history):
            name, node, index = history
            if (name, node) not in outputs:
                raise LookupError(history)
            return outputs[(name, node)][index]

        def revive(v):
            if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                return tensor(v["config"]["keras_history"])
            if isinstance(v, dict) and "class_name" in v and "config" in v:
                return deserialize_keras_object(v, custom_objects)
            if isinstance(v, list):
                return [revive(x) for x in v]
            if isinstance(v, dict):
                return {k: revive(x) for k, x in v.items()}
            return v

        while any(pending.values()):
            progressed = False
            for name, nodes in pending.items():
                while nodes:
                    try:
                        args, kwargs = revive(nodes[0].get("args", [])), revive(
                            nodes[0].get("kwargs", {}))
                    except LookupError:
                        break
                    if kwargs.get("mask", 0) is None and not created[name]._call_has_mask:
                        kwargs.pop("mask")  # Keras records mask=None for its masked poolings
                    out = created[name](*args, **kwargs)
                    done = sum(1 for key in outputs if key[0] == name)
                    outputs[(name, done)] = flatten(out)
                    nodes.pop(0)
                    progressed = True
            if not progressed:
                raise ValueError(f"Functional config '{config.get('name')}': the graph has "
                                 "cycles or references missing layers; unresolved calls of "
                                 f"{[n for n, v in pending.items() if v]}.")

        def structure(spec):
            if isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str):
                return tensor(spec)
            if isinstance(spec, dict):
                return {k: structure(v) for k, v in spec.items()}
            return [structure(v) for v in spec]

        return cls(structure(config["input_layers"]), structure(config["output_layers"]),
                   name=config.get("name"), trainable=config.get("trainable", True))


_SUBCLASSES: dict = {}


def functional_subclass(cls: type) -> type:
    """``cls`` (a Model subclass) with Functional mixed in, so ``CustomModel(inputs, outputs)``
    is a graph model keeping the subclass's methods (``train_step``...), as in Keras 3.

    The class keeps ``cls``'s name and module, so it serializes under the user's class name.
    """
    if issubclass(cls, Functional):
        return cls
    if cls not in _SUBCLASSES:
        _SUBCLASSES[cls] = type(cls.__name__, (cls, Functional),
                                {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                 "_functional_base": cls})
    return _SUBCLASSES[cls]


def _shapes(structure):
    if isinstance(structure, (list, tuple)) and len(structure) == 1:
        structure = structure[0]
    return map_structure(lambda t: tuple(t.shape), structure)


def check_input_shapes(model_name, inputs, input_shape) -> None:
    """Refuse symbolic input shapes that do not fit a model's inputs (Keras 3's error), so a
    graph never gets silently wrong output shapes. ``inputs``: the model's input KerasTensor,
    or a list or dict of them; the batch axis and unknown sizes match anything."""
    if isinstance(inputs, dict):
        if not isinstance(input_shape, dict):
            return
        pairs = [(k, inputs[k], input_shape[k]) for k in inputs if k in input_shape]
    elif isinstance(inputs, (list, tuple)):
        if len(inputs) == 1 and input_shape and not isinstance(input_shape[0], (list, tuple)):
            input_shape = [input_shape]
        pairs = list(zip(range(len(inputs)), inputs, input_shape))
    else:
        pairs = [(0, inputs, input_shape)]
    for index, expected, shape in pairs:
        if shape is None or not isinstance(shape, (list, tuple)):
            continue
        want, got = tuple(expected.shape), tuple(shape)
        if len(want) != len(got) or any(a is not None and b is not None and a != b
                                        for a, b in zip(want[1:], got[1:])):
            raise ValueError(f"Input {index!r} of model '{model_name}' is incompatible with "
                             f"the model: expected shape={want}, found shape={got}")
