"""Wrapper: the abstract base class of layers that hold and augment another layer."""

from __future__ import annotations

from mini_keras.layers.layer import Layer

__all__ = ["Wrapper"]


class Wrapper(Layer):
    """Base class of wrappers (``TimeDistributed``, ``Bidirectional``, ``SpectralNormalization``).

    A wrapper holds one layer as ``self.layer``, builds it with its own input shape when it is
    not built yet, and serializes it under the ``"layer"`` key of its config. Subclasses write
    ``call``; the base class itself cannot be called.

    Args:
        layer: the wrapped Layer.

    Weights: the wrapped layer's (and any the subclass adds).
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):  # ValueError, as Keras 3 raises
            message = (f"{type(self).__name__}: `layer` must be a Layer, received "
                       f"{type(layer).__name__} ({layer!r})")
            raise ValueError(message)  # noqa: TRY004
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        """Build the wrapped layer for ``input_shape`` (when it is not built yet)."""
        if not self.layer.built:
            self.layer._maybe_build(input_shape)

    def call(self, *args, **kwargs):
        """Abstract: a subclass says how the wrapped layer is used."""
        raise NotImplementedError(f"{type(self).__name__} '{self.name}': Wrapper is an abstract "
                                  "base class; subclass it and implement `call`.")

    def get_config(self):
        from mini_keras.saving.serialization import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreate the wrapper, deserializing its ``"layer"`` entry first."""
        from mini_keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return super().from_config({**config, "layer": layer})
