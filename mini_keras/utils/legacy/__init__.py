"""``keras.utils.legacy``: the Keras 2 (tf.keras) serialization format.

``serialize_keras_object`` gives ``{"class_name": ..., "config": ...}`` (no ``module`` or
``registered_name`` entries, functions as their registered name);
``deserialize_keras_object`` reads that format back with the caller's ``module_objects``.
Keras 2's shared-object ids (``shared_object_id``) are not kept: each config entry gives a new
object.
"""

from __future__ import annotations

import inspect

from mini_keras.saving import custom_object_scope, get_registered_name, get_registered_object


def serialize_keras_object(instance):
    """The legacy (Keras 2) serialized form of ``instance``.

    Args:
        instance: an object with ``get_config()``, a function/class (its registered name), or
            None.

    Returns:
        ``{"class_name": name, "config": config}`` (config values that are objects serialized
        the same way and marked ``"__passive_serialization__": True``), a name, or None.

    Raises:
        ValueError: ``instance`` has neither ``get_config`` nor a ``__name__``.
    """
    instance = inspect.unwrap(instance) if callable(instance) else instance
    if instance is None:
        return None
    if hasattr(instance, "get_config") and not inspect.isclass(instance):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
            except ValueError:
                config[key] = item
                continue
            if isinstance(serialized, dict) and not isinstance(item, dict):
                serialized["__passive_serialization__"] = True
            config[key] = serialized
        return {"class_name": get_registered_name(type(instance)), "config": config}
    if hasattr(instance, "__name__"):
        return get_registered_name(instance)
    raise ValueError(f"legacy.serialize_keras_object: cannot serialize {instance!r} of type "
                     f"{type(instance).__name__}: it has no get_config() and no __name__")


def _class_and_config(config, module_objects, custom_objects, printable_module_name):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"legacy.deserialize_keras_object: improper config format {config!r}; "
                         "expected a dict with 'class_name' and 'config' keys")
    cls = get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise ValueError(f"Unknown {printable_module_name}: '{config['class_name']}'. Pass it "
                         "in `custom_objects`/`module_objects` or use "
                         "keras.utils.custom_object_scope.")
    cls_config = config["config"]
    if isinstance(cls_config, list):  # Keras 2.0 Sequential: a list of layer configs
        return cls, cls_config
    cls_config = dict(cls_config)
    for key, item in cls_config.items():
        if key == "name":
            continue
        if isinstance(item, dict) and "__passive_serialization__" in item:
            cls_config[key] = deserialize_keras_object(
                {k: v for k, v in item.items() if k != "__passive_serialization__"},
                module_objects, custom_objects, "config_item")
        elif isinstance(item, str) and inspect.isfunction(
                get_registered_object(item, custom_objects, module_objects)):
            cls_config[key] = get_registered_object(item, custom_objects, module_objects)
    return cls, cls_config


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The object a legacy (Keras 2) serialized form describes.

    Args:
        identifier: a ``{"class_name", "config"}`` dict, a name, a function, or None.
        module_objects: dict ``name -> class/function`` to look names up in.
        custom_objects: dict of user objects, looked up first.
        printable_module_name: what the object is, for error messages.

    Returns:
        The object: ``cls.from_config(config)`` for a dict (or ``cls(**config)`` when the
        class has no ``from_config``), a new instance for a class name, the function for a
        function name.

    Raises:
        ValueError: an unknown name or an unreadable identifier.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, cls_config = _class_and_config(identifier, module_objects, custom_objects,
                                            printable_module_name)
        with custom_object_scope(custom_objects or {}):
            if not hasattr(cls, "from_config"):
                return cls(**cls_config)
            if "custom_objects" in inspect.signature(cls.from_config).parameters:
                return cls.from_config(cls_config, custom_objects=custom_objects or {})
            return cls.from_config(cls_config)
    if isinstance(identifier, str):
        obj = get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise ValueError(f"Unknown {printable_module_name}: '{identifier}'. Pass it in "
                             "`custom_objects`/`module_objects` or use "
                             "keras.utils.custom_object_scope.")
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier!r}")


__all__ = ["deserialize_keras_object", "serialize_keras_object"]
