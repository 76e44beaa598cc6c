"""``mini_keras.models``: Model, Sequential, the functional API, and model loading."""

from __future__ import annotations

import json

from mini_keras.common.tracebacks import filter_traceback
from mini_keras.models.cloning import clone_model
from mini_keras.models.functional import Functional
from mini_keras.models.model import Model
from mini_keras.models.sequential import Sequential

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
]


@filter_traceback
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True, **limits):
    """Load a ``.keras`` model (see ``mini_keras.saving.load_model``; ``limits`` are its
    ``max_config_bytes`` / ``max_weights_bytes``)."""
    from mini_keras.saving import saving_lib
    return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode, **limits)


@filter_traceback
def save_model(model, filepath, overwrite=True, **kwargs) -> None:
    """Save ``model`` to a ``.keras`` file (same as ``model.save``)."""
    model.save(filepath, overwrite=overwrite, **kwargs)


def model_from_json(json_string: str, custom_objects=None, safe_mode=True):
    """Recreate a model (fresh weights) from ``model.to_json()``.

    Args:
        json_string: the JSON text.
        custom_objects: dict ``name -> class or function`` for user-defined objects.
        safe_mode: refuse serialized Python lambdas.
    """
    from mini_keras.saving.file_limits import check_config_depth
    from mini_keras.saving.serialization import deserialize_keras_object
    check_config_depth(json_string.encode() if isinstance(json_string, str) else json_string,
                       "model_from_json(json_string)")
    return deserialize_keras_object(json.loads(json_string), custom_objects,
                                    safe_mode=safe_mode)
