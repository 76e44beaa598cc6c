"""``keras.layers.serialize`` / ``deserialize``: a layer to its Keras 3 config and back."""

from __future__ import annotations

from mini_keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["deserialize", "serialize"]


def serialize(layer) -> dict:
    """The Keras 3 config of ``layer`` (``{"module", "class_name", "config", ...}``)."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer from its Keras 3 config (``custom_objects``: the user's classes by name)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("layers.deserialize: expected a layer config dict with 'class_name' "
                         f"and 'config', received {config!r}")
    return deserialize_keras_object(config, custom_objects=custom_objects)
