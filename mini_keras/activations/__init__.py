"""Activation functions by name (Keras 3 names), each a thin wrapper over ``mini_keras.ops``."""

from __future__ import annotations

from mini_keras.activations import activations as _activations
from mini_keras.activations.activations import *  # the names of ALL and ALIASES
from mini_keras.activations.activations import ALIASES, ALL, linear

_BY_NAME = {**{f.__name__: f for f in ALL}, **ALIASES}

__all__ = [*_activations.__all__, "deserialize", "get", "serialize"]  # noqa: PLE0604


def get(identifier):
    """Return the activation for a name ("relu"), a serialized config, None (linear) or a callable.

    Raises:
        ValueError: the name is not an activation (the message lists the valid ones).
    """
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown activation {identifier!r}. Valid names: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return _BY_NAME[identifier]
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r} "
                     "(expected a name, a config dict, None or a callable).")


def serialize(activation):
    """Return a built-in activation's name (Keras 3 writes the bare name), else its config."""
    for name, fn in _BY_NAME.items():
        if fn is activation:
            return name
    from mini_keras.saving import serialize_keras_object
    return serialize_keras_object(activation)


def deserialize(config, custom_objects=None):
    """Return the activation a name or a serialized config (Keras 3's schema) describes."""
    if isinstance(config, str) and config in _BY_NAME:
        return _BY_NAME[config]
    if isinstance(config, str) and custom_objects and config in custom_objects:
        return custom_objects[config]
    from mini_keras.saving import deserialize_keras_object
    if isinstance(config, str):
        return get(config)
    return deserialize_keras_object(config, custom_objects=custom_objects)
