"""What ``safe_mode`` lets a file name: registered objects and the library's modeling built-ins.

A config names classes and functions by module and name, and loading imports them. Without a
rule, any importable function of the library could be named (``mini_keras.compare.plot_losses``
writes files; ``mini_keras.config.set_epsilon`` changes global state) and would be called with
arguments the file chooses. In safe mode (the default) a name resolves only to

- an object in ``custom_objects``, a ``custom_object_scope`` or the registry
  (``register_keras_serializable``), which the user vouched for;
- a serializable class (one with ``get_config``) of a modeling package (layers, models,
  optimizers, losses, metrics, initializers, regularizers, constraints, activations);
- a public function of ``activations``, ``losses`` or ``metrics`` (each package's
  ``__all__``, without its ``get``/``serialize``/``deserialize`` helpers).

Everything else raises :class:`UnsafeObjectError`, which names the object and says how to opt in.
"""

from __future__ import annotations

import importlib

# Packages whose serializable classes a model config may name.
CLASS_PACKAGES = ("layers", "layers.lambda_layer", "models", "optimizers",
                  "optimizers.schedules", "losses", "metrics", "initializers", "regularizers",
                  "constraints", "activations", "utils.feature_space")
# Packages whose public functions a model config may name (activations, loss functions...).
FUNCTION_PACKAGES = ("activations", "losses", "metrics")
# Lookup helpers every package exports; they are not modeling functions.
_HELPERS = frozenset({"get", "serialize", "deserialize"})


class UnsafeObjectError(ValueError):
    """A file names an object that safe_mode does not load (a ValueError, as in Keras 3)."""


def is_allowed(obj, namespace: str, name: str, kind: str) -> bool:
    """Whether ``obj``, found as ``mini_keras.<namespace>.<name>``, may load in safe mode.

    Args:
        obj: the resolved class or function.
        namespace: the mini_keras package it was found in (``"layers"``, ``"compare"``...).
        name: the attribute name the file used.
        kind: ``"class"`` or ``"function"``.
    """
    if isinstance(obj, type):
        return namespace in CLASS_PACKAGES and hasattr(obj, "get_config")
    if kind != "function" or namespace not in FUNCTION_PACKAGES or name in _HELPERS:
        return False
    module = importlib.import_module(f"mini_keras.{namespace}")
    return name in getattr(module, "__all__", ()) and callable(obj)


def refuse(obj_name: str, module: str, kind: str) -> UnsafeObjectError:
    """The error for a name safe mode refuses: what it is and how to opt in."""
    return UnsafeObjectError(
        f"Refusing to deserialize {kind} '{obj_name}' (module '{module}') in safe_mode: it is "
        "neither a registered serializable object nor a built-in layer, loss, metric, "
        "activation or other modeling object, and a file from an untrusted source could use it "
        "to run code with arguments it chooses. If you trust this file, pass `safe_mode=False` "
        "to the loading function (load_model / model_from_json / deserialize_keras_object), or "
        "register the object with `@mini_keras.saving.register_keras_serializable()` or pass it "
        f"in `custom_objects={{'{obj_name.rpartition('.')[2]}': ...}}`.")
