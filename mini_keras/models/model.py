"""Model: a Layer that can be trained; ``Model(inputs, outputs)`` builds a functional model."""

from __future__ import annotations

from mini_keras.layers.layer import Layer
from mini_keras.trainers.trainer import Trainer
from mini_keras.utils.summary import print_summary


class Model(Trainer, Layer):
    """A trainable group of layers.

    Use it three ways, as in Keras 3:
    - functional: ``Model(inputs, outputs)`` with KerasTensors from ``Input``;
    - subclassing: define layers in ``__init__`` and the forward pass in ``call``;
    - ``Sequential`` (a subclass) for a plain stack.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or ("inputs" in kwargs and "outputs" in kwargs)
                             or (len(args) == 1 and "outputs" in kwargs)):
            from mini_keras.models.functional import Functional
            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        Layer.__init__(self, trainable=kwargs.pop("trainable", True),
                       name=kwargs.pop("name", None), dtype=kwargs.pop("dtype", None))
        self._init_trainer()
        if args or kwargs:
            raise TypeError(f"Model: unrecognized arguments {args} {sorted(kwargs)}")

    @property
    def layers(self) -> list[Layer]:
        """The model's direct sub-layers, in the order they were created or connected."""
        return list(self._layers)

    def get_layer(self, name=None, index=None) -> Layer:
        """Return a sub-layer by name or index (ValueError listing the names if not found)."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}")

    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs) -> None:
        """Print a table of layers, output shapes and parameter counts."""
        print_summary(self, line_length=line_length, print_fn=print_fn)
