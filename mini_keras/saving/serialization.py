"""Objects to JSON-able dicts and back, in Keras 3's schema.

A serialized object is ``{"module", "class_name", "config", "registered_name"}`` plus, where
they apply, ``"build_config"`` (shapes to build it with) and ``"compile_config"``. Built-in
classes are written under Keras' public module names (``"keras.layers"``...), so files move
between mini_keras and Keras 3 in both directions; custom classes are written under their
registered name (see :func:`register_keras_serializable`).
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import importlib
import inspect
import marshal
import types

import numpy as np

from mini_keras import config_flags
from mini_keras.saving import allowlist
from mini_keras.saving.object_registration import get_registered_name, get_registered_object

# Keras 3 public namespace -> mini_keras package holding the same classes.
_NAMESPACES = ("layers", "models", "optimizers", "losses", "metrics", "initializers",
               "regularizers", "activations", "constraints", "callbacks")
# Keys Keras 3 writes that mini_keras does not model; dropped when they hold their default.
_KERAS_ONLY_DEFAULTS = {"quantization_config": None, "ragged": False, "optional": False,
                        "input_axes": None, "output_axes": None, "lora_rank": None,
                        "lora_alpha": None, "synchronized": False, "use_gate": False,
                        "sliding_window": None}
_PLAIN = (str, int, float, bool)
_safe_mode: contextvars.ContextVar = contextvars.ContextVar("mini_keras_safe_mode",
                                                           default=None)


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool = True):
    """Within the block, loading refuses (True) or allows (False) Python-bytecode lambdas."""
    token = _safe_mode.set(bool(safe_mode))
    try:
        yield
    finally:
        _safe_mode.reset(token)


def in_safe_mode() -> bool:
    """Whether the current load refuses to run serialized lambdas (the default)."""
    scoped = _safe_mode.get()
    return not config_flags.unsafe_deserialization_enabled() if scoped is None else scoped


# ---------------------------------------------------------------------------- serialize
def serialize_keras_object(obj):
    """Return a JSON-able description of ``obj`` that :func:`deserialize_keras_object` reverses.

    Args:
        obj: a layer, model, optimizer, loss, metric, initializer, function, or a nest of
            plain values (None, str, numbers, lists, tuples, dicts, numpy arrays).

    Returns:
        Plain values unchanged (tuples become lists), otherwise a dict in Keras 3's schema.

    Raises:
        TypeError: ``obj`` has no ``get_config`` and is not a plain value or a function.
    """
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, slice):  # an index key of get_item (x[1:, 0]), as Keras 3 writes it
        return {"class_name": "__slice__", "config": {
            "start": serialize_keras_object(obj.start), "stop": serialize_keras_object(obj.stop),
            "step": serialize_keras_object(obj.step)}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__",
                "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.item()
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        return {"class_name": "__lambda__", "config": {"value": func_dump(obj)}}
    if isinstance(obj, types.FunctionType):
        return _serialize_function(obj)
    if isinstance(obj, type):
        return {"module": obj.__module__, "class_name": "__type__", "config": obj.__name__,
                "registered_name": get_registered_name(obj)}
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
                        "get_config(). Implement get_config() (and register the class with "
                        "mini_keras.saving.register_keras_serializable()).")
    cls = getattr(type(obj), "_functional_base", type(obj))  # CustomModel(inputs, outputs)
    builtin = _keras_module(cls)
    # a built-in exported under another name than its class's (GroupQueryAttention) says so
    name = cls.__dict__.get("_keras_export_name", cls.__name__) if builtin else cls.__name__
    config = {"module": builtin or cls.__module__, "class_name": name,
              "config": serialize_keras_object(obj.get_config()),
              "registered_name": None if builtin else get_registered_name(cls)}
    if builtin == "keras.src.models.functional":
        config["registered_name"] = "Functional"
    build_config = _build_config(obj)
    if build_config is not None:
        config["build_config"] = serialize_keras_object(build_config)
    compile_config = obj.get_compile_config() if hasattr(obj, "get_compile_config") else None
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def _build_config(obj) -> dict | None:
    if hasattr(obj, "get_build_config"):
        return obj.get_build_config()
    shapes = getattr(obj, "_build_shapes", None)
    if shapes is None or not getattr(obj, "built", False):
        return None
    return {"input_shape": shapes}


def _keras_module(cls) -> str | None:
    """Keras' public module for a mini_keras built-in class, None for user classes."""
    if ">" in get_registered_name(cls):  # registered by the user: keep its own module
        return None
    parts = cls.__module__.split(".")
    if parts[0] != "mini_keras" or len(parts) < 2 or parts[1] not in _NAMESPACES:
        return None
    if len(parts) > 2 and parts[2] == "schedules":
        return "keras.optimizers.schedules"
    if parts[1] == "models":
        return "keras.src.models.functional" if cls.__name__ == "Functional" else "keras"
    return f"keras.{parts[1]}"


def _serialize_function(fn) -> dict:
    parts = fn.__module__.split(".")
    if parts[0] == "mini_keras" and len(parts) > 1 and parts[1] in _NAMESPACES:
        module = f"keras.{parts[1]}"
        registered = None
    else:
        module, registered = fn.__module__, get_registered_name(fn)
    return {"module": module, "class_name": "function", "config": fn.__name__,
            "registered_name": registered}


def func_dump(fn) -> list:
    """``[base64 bytecode, defaults, closure]`` of a lambda (Keras' format; unsafe to load)."""
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    closure = [c.cell_contents for c in fn.__closure__] if fn.__closure__ else None
    return [code, list(fn.__defaults__) if fn.__defaults__ else None, closure]


def func_load(code, defaults=None, closure=None):
    """Rebuild a function from :func:`func_dump`'s output. Only call on trusted files."""
    if in_safe_mode():
        raise ValueError(_LAMBDA_REFUSED)
    raw = base64.b64decode(code.encode("ascii"))
    cells = tuple(types.CellType(v) for v in closure) if closure else None
    import mini_keras
    globs = {"ops": mini_keras.ops, "np": np, "keras": mini_keras}
    return types.FunctionType(marshal.loads(raw), globs, None,
                              tuple(defaults) if defaults else None, cells)


_LAMBDA_REFUSED = (
    "Requested the deserialization of a Python lambda (e.g. in a `Lambda` layer). Its bytecode "
    "could run arbitrary code, so this is refused by default. If you trust the file, pass "
    "`safe_mode=False` to the loading function (load_model / model_from_json / "
    "deserialize_keras_object).")


# ---------------------------------------------------------------------------- deserialize
def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Recreate an object from :func:`serialize_keras_object`'s output (or Keras 3's).

    Args:
        config: the serialized object (plain values are returned unchanged).
        custom_objects: dict ``name -> class or function`` for user-defined objects.
        safe_mode: refuse to load serialized lambdas. As Keras 3, an enclosing
            ``safe_mode_scope`` (a load in progress) or
            ``config.enable_unsafe_deserialization()`` takes precedence over the argument.

    Returns:
        The object.

    Raises:
        TypeError: the class is unknown; the message names it and how to register it.
        ValueError: a lambda in safe mode.
    """
    if _safe_mode.get() is None and not config_flags.unsafe_deserialization_enabled():
        with safe_mode_scope(safe_mode):
            return deserialize_keras_object(config, custom_objects, **kwargs)
    if config is None or isinstance(config, _PLAIN):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        raise TypeError(f"deserialize_keras_object: cannot parse config {config!r}")
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects) for k, v in config.items()}
    class_name = config["class_name"]
    inner = config["config"] if config["config"] is not None else {}
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__slice__":
        return slice(*(deserialize_keras_object(inner.get(k), custom_objects)
                       for k in ("start", "stop", "step")))
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__lambda__":
        value = inner["value"] if "value" in inner else [inner["code"], inner.get("defaults"),
                                                          inner.get("closure")]
        return func_load(*value)
    if class_name == "__keras_tensor__":
        raise ValueError("deserialize_keras_object: a symbolic tensor can only be revived "
                         "inside a functional model config.")
    if class_name == "function":
        return _resolve(inner, config.get("registered_name"), config.get("module"),
                        custom_objects, kind="function", full=config)
    if class_name == "__type__":
        return _resolve(inner, config.get("registered_name"), config.get("module"),
                        custom_objects, kind="class", full=config)
    if class_name == "DTypePolicy":
        return inner.get("name", "float32")
    cls = _resolve(class_name, config.get("registered_name"), config.get("module"),
                   custom_objects, kind="class", full=config)
    inner = sanitize_config(inner, custom_objects)
    obj = _call_from_config(cls, inner, custom_objects)
    build_config = config.get("build_config")
    if kwargs.get("build", True) and build_config and not getattr(obj, "built", True):
        if hasattr(obj, "build_from_config"):
            obj.build_from_config(build_config)
        elif build_config.get("input_shape") is not None and hasattr(obj, "_maybe_build"):
            obj._maybe_build(_to_shape(build_config["input_shape"]))
    if kwargs.get("compile", True) and config.get("compile_config") \
            and hasattr(obj, "compile_from_config"):
        obj.compile_from_config(config["compile_config"], custom_objects=custom_objects)
    return obj


def _to_shape(shape):
    """JSON lists back to shape tuples (a list of shapes stays a list of tuples)."""
    if shape and isinstance(shape[0], (list, tuple)):
        return [tuple(s) for s in shape]
    return tuple(shape)


def _call_from_config(cls, inner, custom_objects):
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        return cls(**inner)
    try:
        params = inspect.signature(from_config).parameters
    except (TypeError, ValueError):
        params = {}
    if "custom_objects" in params:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)


def sanitize_config(config, custom_objects=None):
    """Adapt a Keras 3 config for mini_keras classes.

    DTypePolicy dicts become dtype names, nested regularizer/initializer/constraint configs
    become objects, and Keras-only keys still at their default values are dropped.
    """
    if isinstance(config, list):
        return [sanitize_config(c, custom_objects) for c in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "DTypePolicy":
        return (config.get("config") or {}).get("name", "float32")
    if "class_name" in config and str(config.get("module", "")).startswith(
            ("keras.regularizers", "keras.initializers", "keras.constraints",
             "keras.optimizers.schedules")):
        return deserialize_keras_object(config, custom_objects)
    out = {}
    for key, value in config.items():
        if key in _KERAS_ONLY_DEFAULTS and value == _KERAS_ONLY_DEFAULTS[key]:
            continue
        if key == "dtype" or isinstance(value, dict):
            value = sanitize_config(value, custom_objects)
        out[key] = value
    return out


def _resolve(name, registered_name, module, custom_objects, kind, full):
    """Find a class or function: custom objects and the registry first, then built-ins."""
    for key in (registered_name, name):
        obj = get_registered_object(key, custom_objects)
        if obj is not None:
            return obj
    module = module or ""
    if module.startswith("keras.src.ops."):  # an op node of a functional model
        from mini_keras.layers.op_layer import keras_op_class
        obj = keras_op_class(name)
        if obj is not None:
            return obj
    if module == "builtins" or module == "keras" or module.startswith(("keras.", "mini_keras")):
        for namespace in _namespaces_for(module):
            obj = getattr(_import(namespace), name, None) if _import(namespace) else None
            if obj is not None and (kind == "function" or isinstance(obj, type)):
                if in_safe_mode() and not allowlist.is_allowed(obj, namespace, name, kind):
                    raise allowlist.refuse(f"mini_keras.{namespace}.{name}", module, kind)
                return obj
    what = "class" if kind == "class" else "function"
    raise TypeError(
        f"Could not locate {what} '{name}' (module '{module}', registered name "
        f"'{registered_name}'). If it is a custom {what}, decorate it with "
        f"`@mini_keras.saving.register_keras_serializable()` (and import it before loading), "
        f"or pass it in `custom_objects={{'{registered_name or name}': {name}}}`. "
        f"Full object config: {_short(full)}")


def _namespaces_for(module: str) -> list[str]:
    """mini_keras modules to search, most specific first (``keras.optimizers.schedules`` ->
    ``optimizers.schedules``, ``optimizers``, then the others)."""
    parts = module.split(".")
    exact = [".".join(parts[1:])] if parts[0] in ("keras", "mini_keras") and len(parts) > 1 \
        and parts[1] != "src" else []
    first = [p for p in parts if p in _NAMESPACES][:1]
    rest = [n for n in ("models", "layers", "activations", "losses", "metrics", "optimizers",
                        "initializers", "regularizers") if n not in first]
    return exact + first + rest + ["layers.lambda_layer"]


def _import(namespace: str):
    try:
        return importlib.import_module(f"mini_keras.{namespace}")
    except ImportError:
        return None


def _short(config, limit: int = 300) -> str:
    text = str(config)
    return text if len(text) <= limit else text[:limit] + "..."
