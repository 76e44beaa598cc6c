"""``serialize`` / ``deserialize`` of one package (``losses``, ``metrics``...), Keras 3 style.

A package's ``deserialize`` accepts a serialized config (Keras 3's schema) or a bare name: a
function's name gives the function, a class's name an instance made with its defaults (as
``keras.losses.deserialize("MeanSquaredError")`` does).
"""

from __future__ import annotations

from mini_keras.saving.serialization import deserialize_keras_object, serialize_keras_object


def serialize(obj):
    """The Keras 3 config of ``obj`` (``{"module", "class_name", "config", ...}``)."""
    return serialize_keras_object(obj)


def deserialize(config, module_objects: dict, what: str, custom_objects=None):
    """Recreate an object of a package from a config or a name.

    Args:
        config: a serialized config, or a name of ``module_objects`` / ``custom_objects``.
        module_objects: the package's ``name -> class or function``.
        what: the kind of object, for the error message ("loss", "metric"...).
        custom_objects: the user's ``name -> class or function``.

    Raises:
        ValueError: an unknown name (the message lists the valid ones).
    """
    if isinstance(config, str):
        obj = (custom_objects or {}).get(config, module_objects.get(config))
        if obj is None:
            raise ValueError(f"Unknown {what} {config!r}. Valid names: "
                             f"{', '.join(sorted(module_objects))}")
        return obj() if isinstance(obj, type) else obj
    return deserialize_keras_object(config, custom_objects=custom_objects)
