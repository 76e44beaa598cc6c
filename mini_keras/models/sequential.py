"""Sequential: a plain stack of layers, each with one input and one output."""

from __future__ import annotations

from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.core import InputLayer
from mini_keras.layers.layer import Layer
from mini_keras.models.functional import check_input_shapes
from mini_keras.models.model import Model
from mini_keras.models.stack_plan import StackPlan, remember, signature

_UNSEEN = object()


class Sequential(Model):
    """A linear stack of layers.

    Args:
        layers: list of layers (an ``Input``/``InputLayer`` first fixes the input shape).
        trainable: whether the weights are trainable.
        name: model name.

    Example:
        >>> model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1)])
    """

    _convert_input_args = False  # mixed precision: inner layers cast their own inputs

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._input_layer: InputLayer | None = None
        self._stack: list[Layer] = []
        self._plans: dict = {}  # input signature -> StackPlan (or None: no plan for it)
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._build_if_shape_known()

    def add(self, layer, rebuild=True) -> None:
        """Append a layer (or an ``Input`` tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            if layer.node is not None or not hasattr(layer, "_input_layer"):
                raise ValueError("Sequential.add: only Input() tensors can be added, received "
                                 f"{layer!r}")
            layer = layer._input_layer
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add: expected a Layer, received {type(layer).__name__}")
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("Sequential.add: an InputLayer must come first.")
            self._input_layer = layer
            return
        if any(existing.name == layer.name for existing in self._stack):
            raise ValueError(f"Sequential '{self.name}': all layers must have unique names; "
                             f"'{layer.name}' is already used.")
        self._stack.append(layer)
        self._layers.append(layer)
        self._plans.clear()
        if rebuild:
            self._build_if_shape_known()

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise IndexError(f"Sequential '{self.name}' has no layers to pop.")
        layer = self._stack.pop()
        self._layers.remove(layer)
        self._plans.clear()
        self.built = False
        self._build_if_shape_known()
        return layer

    @property
    def layers(self) -> list[Layer]:
        """The layers, without the InputLayer (as in Keras 3)."""
        return list(self._stack)

    # The functional view of a built stack (Keras 3: ``model.inputs``, ``model.output``...).
    def _graph_end(self, what):
        if not self.built or getattr(self, "_graph_input", None) is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet: "
                                 "give it an Input first, or build or call it.")
        return self._graph_input if what == "input" else self.outputs_spec

    @property
    def inputs(self) -> list:
        """``[input KerasTensor]`` of the built stack."""
        return [self._graph_end("input")]

    @property
    def outputs(self) -> list:
        """``[output KerasTensor]`` of the built stack."""
        return [self._graph_end("output")]

    @property
    def input(self):
        """The input KerasTensor of the built stack."""
        return self._graph_end("input")

    @property
    def output(self):
        """The output KerasTensor of the built stack."""
        return self._graph_end("output")

    @property
    def input_shape(self) -> tuple:
        """The input shape, batch axis None."""
        return tuple(self._graph_end("input").shape)

    @property
    def output_shape(self) -> tuple:
        """The output shape, batch axis None."""
        return tuple(self._graph_end("output").shape)

    def _build_if_shape_known(self) -> None:
        if self._input_layer is not None:
            shape = self._input_layer.batch_shape
        elif self._stack and self._stack[0]._input_shape_arg is not None:
            shape = (None,) + self._stack[0]._input_shape_arg
        else:
            return
        self._maybe_build(shape)

    def build(self, input_shape) -> None:
        """Create every layer's weights by passing a symbolic input through the stack."""
        if not self._stack:
            raise ValueError(f"Sequential '{self.name}' has no layers to build.")
        input_shape = (None,) + tuple(input_shape[1:])
        reference = self._input_layer
        if reference is not None and tuple(reference.batch_shape[1:]) == input_shape[1:]:
            x = reference.output  # model.inputs / layer.input are the user's Input
        else:
            x = KerasTensor(input_shape, self.dtype)
        self._graph_input = x
        for layer in self._stack:
            x = layer(x)
        self._build_input_shape = tuple(input_shape)
        self.outputs_spec = x
        self.built = True

    def call(self, inputs, training=None, mask=None):
        key = signature(inputs) if mask is None else None
        if key is not None:  # a signature seen before: each layer's call, nothing around it
            plan = self._plans.get(key, _UNSEEN)
            if plan is not None and plan is not _UNSEEN and plan.applies(training):
                return plan.run(inputs, training)
        x, seen = inputs, []
        for layer in self._stack:
            extra = {"mask": mask} if mask is not None and layer._call_has_mask else {}
            seen.append(x)
            y = layer(x, training=training, **extra)
            mask = layer.compute_mask(x, mask)
            x = y
        if key is not None and key not in self._plans:
            remember(self._plans, key, StackPlan.record(self._stack, seen, x)
                     if mask is None else None)
        return x

    def compute_output_shape(self, input_shape):
        if self._input_layer is not None:
            check_input_shapes(self.name, self._input_layer.output, input_shape)
        shape = input_shape
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self) -> dict:
        """Keras 3 schema: name plus the serialized layers (InputLayer first when known)."""
        from mini_keras.saving.serialization import serialize_keras_object
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers += [serialize_keras_object(layer) for layer in self._stack]
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype,
                  "layers": layers}
        if self.built and getattr(self, "_build_input_shape", None) is not None:
            config["build_input_shape"] = list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Recreate from :meth:`get_config` (or Keras 3's Sequential config)."""
        from mini_keras.saving.serialization import deserialize_keras_object
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_keras_object(layer_config, custom_objects, build=False),
                      rebuild=False)
        model._build_if_shape_known()
        shape = config.get("build_input_shape")
        if not model.built and shape:
            model._maybe_build(tuple(shape))
        return model
