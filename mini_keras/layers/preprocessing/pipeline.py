"""``Pipeline``: apply preprocessing layers in sequence (Keras 3's ``keras.layers.Pipeline``),
passing ``training`` to those that take it; unlike a Sequential model it is a plain layer,
usable inside ``tf.data`` when its layers are."""

from __future__ import annotations

from mini_keras.layers.layer import Layer

__all__ = ["Pipeline"]


class Pipeline(Layer):
    """Apply ``layers`` one after the other.

    Args:
        layers: the preprocessing layers, in order.
        name: layer name.
    """

    _string_inputs = True  # its first layer may be a text layer

    def __init__(self, layers, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer)
                                                            for x in layers):
            raise ValueError(f"Pipeline: `layers` must be a list of layers, received "
                             f"{layers!r}.")
        self._pipeline_layers = list(layers)

    @property
    def layers(self) -> list[Layer]:
        """The layers, in order."""
        return list(self._pipeline_layers)

    @property
    def host_only(self) -> bool:
        """Whether a layer of the pipeline computes on the host (strings)."""
        return any(getattr(layer, "host_only", False) for layer in self._pipeline_layers)

    def call(self, inputs, training=True):
        for layer in self._pipeline_layers:
            if layer._call_has_training and training is not None:
                inputs = layer(inputs, training=training)
            else:
                inputs = layer(inputs)
        return inputs

    def compute_output_spec(self, inputs, *args, **kwargs):
        for layer in self._pipeline_layers:
            inputs = layer.compute_output_spec(inputs)
        return inputs

    def get_config(self):
        from mini_keras.saving.serialization import serialize_keras_object
        base = super().get_config()
        return {"name": base["name"], "trainable": base["trainable"],
                "layers": [serialize_keras_object(layer) for layer in self._pipeline_layers]}

    @classmethod
    def from_config(cls, config):
        from mini_keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        layers = config.pop("layers", None)
        if not isinstance(layers, (list, tuple)):
            raise TypeError("Pipeline config must map `layers` to a list of serialized "
                            f"layers, received {layers!r}.")
        trainable = config.pop("trainable", True)
        pipeline = cls([deserialize_keras_object(x) for x in layers], **config)
        pipeline.trainable = trainable
        return pipeline
