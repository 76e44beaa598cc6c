"""TensorFlow's export writers: SavedModel (tf.Module + tf.function) and LiteRT (tf.lite).

``mini_keras.export`` decides *what* to export (endpoints, signatures, which variables) and
runs the model on this backend while these functions trace it; the functions here only speak
TensorFlow. Inputs are framework-free specs (``shape``/``dtype``/``name``) and Python callables.
"""

from __future__ import annotations

import os
import tempfile

import tensorflow as tf


def _tf_spec(spec) -> tf.TensorSpec:
    return tf.TensorSpec(spec.shape, tf.as_dtype(spec.dtype), name=spec.name)


def _map(fn, structure):
    if isinstance(structure, dict):
        return {k: _map(fn, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(fn, v) for v in structure)
    return fn(structure)


def trace(fn, input_signature: list):
    """``fn`` as a ``tf.function`` with a fixed signature, traced now (a ConcreteFunction too).

    Args:
        fn: Python callable taking one argument per signature entry, returning tensors.
        input_signature: list of spec structures (``shape`` with None for any size).

    Returns:
        ``(function, concrete_function)``.
    """
    tf_signature = [_map(_tf_spec, arg) for arg in input_signature]
    function = tf.function(fn, input_signature=tf_signature, autograph=False)
    return function, function.get_concrete_function()


def _flat_signature(concrete) -> bool:
    return all(isinstance(s, tf.TensorSpec) for s in concrete.structured_input_signature[0])


def write_saved_model(filepath: str, endpoints: dict, variable_collections: dict,
                      tracked_variables: list, options=None) -> None:
    """Write a SavedModel whose attributes are the endpoints and the variable collections.

    Args:
        filepath: directory to write.
        endpoints: ``{name: tf.function}`` (already traced by :func:`trace`). As in Keras 3,
            each is also a signature (for TF Serving) when its inputs are flat tensors, and the
            first one is also ``serving_default`` unless an endpoint has that name.
        variable_collections: ``{name: [tf.Variable, ...]}`` saved as list attributes.
        tracked_variables: every tf.Variable the endpoints read (kept alive in the file).
        options: a ``tf.saved_model.SaveOptions`` or None.
    """
    module = tf.Module()
    module._mini_keras_variables = list(tracked_variables)
    signatures = {}
    for name, function in endpoints.items():
        setattr(module, name, function)
        concrete = function.get_concrete_function()
        if _flat_signature(concrete):
            signatures[name] = concrete
    first = next(iter(endpoints))
    if "serving_default" not in endpoints and first in signatures:
        signatures["serving_default"] = signatures[first]
    for name, variables in variable_collections.items():
        setattr(module, name, list(variables))
    tf.saved_model.save(module, filepath, signatures=signatures or None, options=options)


def write_litert(filepath: str, function, tracked_variables: list,
                 converter_options: dict | None = None) -> None:
    """Convert a traced ``tf.function`` to a ``.tflite`` file with LiteRT's built-in ops only.

    The function goes through a temporary SavedModel (the converter freezes its variables).

    Args:
        converter_options: ``tf.lite.TFLiteConverter`` attributes to set (``optimizations``,
            ``representative_dataset``...), as Keras 3's litert export takes them.

    Raises:
        TypeError: a converter option that ``tf.lite.TFLiteConverter`` does not have.
        ValueError: an op has no LiteRT built-in kernel (the converter's message names it).
    """
    with tempfile.TemporaryDirectory() as tmp:
        write_saved_model(tmp, {"serve": function}, {}, tracked_variables)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        for key, value in (converter_options or {}).items():
            if key.startswith("_") or not hasattr(converter, key):
                raise TypeError(f"export(format='litert'): unrecognized argument {key!r}; it is "
                                "not an attribute of tf.lite.TFLiteConverter.")
            setattr(converter, key, value)
        try:
            flatbuffer = converter.convert()
        except Exception as e:  # the converter raises ConverterError with the op list
            raise ValueError(
                "LiteRT export: the model uses ops that LiteRT's built-in op set cannot "
                f"express (Flex/select TF ops are not enabled). Converter said: {e}") from e
    with open(filepath, "wb") as f:
        f.write(flatbuffer)


def load_saved_model(filepath: str):
    """``tf.saved_model.load`` (used by TFSMLayer)."""
    if not os.path.isdir(filepath):
        raise FileNotFoundError(f"No SavedModel directory at {filepath!r}.")
    return tf.saved_model.load(filepath)


def endpoint_variables(loaded) -> tuple[list, list]:
    """The (trainable, non-trainable) tf.Variables of a loaded SavedModel."""
    found = getattr(loaded, "_mini_keras_variables", None)
    if found is None:  # a SavedModel from elsewhere: every variable the module tracks
        found = getattr(loaded, "variables", [])
    found = list(found)
    return [v for v in found if v.trainable], [v for v in found if not v.trainable]
