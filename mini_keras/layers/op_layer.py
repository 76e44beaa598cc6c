"""``keras.ops`` on symbolic tensors: each call becomes a layer in the functional graph.

``y = keras.ops.mean(x, axis=1)`` on a KerasTensor creates an :class:`OpLayer` node, as Keras 3
records an ``Operation``. Saved models name the node the way Keras 3 does (module
``keras.src.ops.numpy``, class ``Mean``, config ``{"name": ..., "axis": 1}``), so functional
models with op nodes (e.g. the ``NotEqual`` mask Keras writes for ``Embedding(mask_zero=True)``)
load in both libraries.
"""

from __future__ import annotations

from mini_keras.core.keras_tensor import KerasTensor, Node, flatten
from mini_keras.layers.layer import Layer

_classes: dict[str, type] = {}


class OpLayer(Layer):
    """A ``mini_keras.ops`` function applied in a functional graph (one node per call).

    Args:
        op_kwargs: the op's keyword arguments (``axis=1`` ...); positional arguments come with
            each call.
        name: layer name (default: the op's name, made unique: ``mean``, ``mean_1``...).
    """

    op_name = ""
    _convert_input_args = False  # an op sees its arguments as given (no mixed-precision cast)

    def __init__(self, op_kwargs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)  # default: unique snake case of the class
        self.op_kwargs = dict(op_kwargs or {})
        self.built = True

    def call(self, *args):
        from mini_keras.ops.declare import REGISTRY, call_with
        from mini_keras.ops.symbolic import bind_call
        info = REGISTRY[self.op_name]
        return call_with(info, bind_call(info, args, self.op_kwargs))

    def _symbolic_call(self, args, kwargs):
        outputs = self.compute_output_spec(*args, **kwargs)
        node = Node(self, args, kwargs, outputs)
        for t in flatten(outputs):
            if isinstance(t, KerasTensor):
                t.node = node
        self._inbound_nodes.append(node)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """Output KerasTensors, inferred by running the op on numpy stand-ins (ops.symbolic)."""
        from mini_keras.ops.declare import REGISTRY
        from mini_keras.ops.symbolic import bind_call, output_spec
        probed = output_spec(self.call, args, self.op_name)
        info = REGISTRY[self.op_name]
        if info.spec is None:
            return probed
        return info.spec(probed, *bind_call(info, args, self.op_kwargs))  # value-dependent sizes

    def get_config(self):
        return {"name": self.name, **self.op_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        name = config.pop("name", None)
        config.pop("trainable", None)
        from mini_keras.ops.declare import REGISTRY
        op_params = {p.name for p in REGISTRY[cls.op_name].params}
        if "dtype" not in op_params or isinstance(config.get("dtype"), dict):
            config.pop("dtype", None)  # the layer's dtype policy, not the op's `dtype=` argument
        return cls(op_kwargs=config, name=name)


def op_layer_class(op_name: str) -> type:
    """The :class:`OpLayer` subclass for ``op_name``, named and placed as Keras 3's class."""
    cls = _classes.get(op_name)
    if cls is None:
        from mini_keras.ops.declare import REGISTRY
        info = REGISTRY[op_name]
        cls = type(info.keras_class, (OpLayer,), {"op_name": op_name,
                                                  "__doc__": OpLayer.__doc__})
        cls.__module__ = f"keras.src.ops.{info.family}"
        _classes[op_name] = cls
    return cls


def keras_op_class(class_name: str):
    """The layer class for a Keras 3 op class name (``NotEqual`` -> ``not_equal``), or None."""
    from mini_keras import ops  # noqa: F401 - declares every op
    from mini_keras.ops.declare import REGISTRY
    for name, info in REGISTRY.items():
        if info.keras_class == class_name:
            return op_layer_class(name)
    return None
