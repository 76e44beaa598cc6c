"""Input signatures for export: what each endpoint accepts, as framework-free specs.

An endpoint's ``input_signature`` is a list with one entry per positional argument; an entry is
a spec or a structure (list, tuple, dict) of specs. A spec is anything with ``shape`` and
``dtype`` (``keras.Input`` tensors, ``keras.InputSpec(shape=..., dtype=...)``,
``tf.TensorSpec``, :class:`TensorSpec`), so a user may pass
TensorFlow's specs without this module importing TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TensorSpec:
    """Shape (None = any size), dtype and name of one endpoint input.

    Args:
        shape: tuple of ints or None; the first entry is usually the batch, None.
        dtype: dtype name, e.g. ``"float32"``.
        name: the input's name in the exported file (ONNX input name, SavedModel argument).
    """

    shape: tuple
    dtype: str = "float32"
    name: str | None = None


def _dtype_name(dtype) -> str:
    name = getattr(dtype, "name", dtype)  # tf.DType and np.dtype both have .name
    try:
        return np.dtype(name).name
    except TypeError as e:
        raise TypeError(f"export: input_signature dtype {dtype!r} is not a dtype name.") from e


def to_spec(obj, where: str) -> TensorSpec:
    """Turn one spec-like object (shape + dtype) into a :class:`TensorSpec`."""
    if isinstance(obj, TensorSpec):
        return obj
    if not (hasattr(obj, "shape") and hasattr(obj, "dtype")):
        raise TypeError(f"export: {where} must be a spec with `shape` and `dtype` (keras.Input, "
                        f"tf.TensorSpec, mini_keras.export.TensorSpec), received {obj!r}.")
    shape = obj.shape
    if shape is None:  # e.g. keras.InputSpec(ndim=2): a rank, not a shape
        raise TypeError(f"export: {where} has no shape; give InputSpec a shape= "
                        f"(None for the batch), received {obj!r}.")
    shape = tuple(None if d is None else int(d) for d in
                  (shape.as_list() if hasattr(shape, "as_list") else shape))
    name = getattr(obj, "name", None)
    return TensorSpec(shape, _dtype_name(obj.dtype or "float32"), name or None)


def map_specs(fn, structure, where: str = "input_signature"):
    """Apply ``fn(spec, where)`` to every leaf of a list/tuple/dict structure of specs."""
    if isinstance(structure, dict):
        return {k: map_specs(fn, v, f"{where}[{k!r}]") for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_specs(fn, v, f"{where}[{i}]") for i, v in enumerate(structure))
    return fn(structure, where)


def flatten_specs(structure) -> list[TensorSpec]:
    """The leaves of a structure of specs, depth first (dict keys sorted, as tf.nest does)."""
    if isinstance(structure, dict):
        return [s for k in sorted(structure) for s in flatten_specs(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [s for v in structure for s in flatten_specs(v)]
    return [structure]


def normalize(input_signature) -> list:
    """A user's ``input_signature`` as a list (one entry per argument) of TensorSpec structures."""
    if not isinstance(input_signature, (list, tuple)):
        input_signature = [input_signature]
    return [map_specs(to_spec, arg, f"input_signature[{i}]")
            for i, arg in enumerate(input_signature)]


def model_signature(model) -> list:
    """The signature of ``model(inputs)``: ``[structure of its inputs]`` with a None batch.

    Raises:
        ValueError: the model is not built and has no known input shape.
    """
    struct = getattr(model, "_inputs_struct", None)
    if struct is None and getattr(model, "_input_layer", None) is not None:
        struct = model._input_layer.output
    if struct is not None:
        spec = map_specs(lambda t, _: to_spec(t, "model input"), struct)
    else:
        config = model.get_build_config() if getattr(model, "built", False) else None
        shape = (config or {}).get("input_shape")
        if shape is None or not all(isinstance(d, (int, type(None))) for d in shape):
            raise ValueError(
                f"export: model '{model.name}' is not built (or was built with several inputs "
                "of unknown structure). Call it on data, build it, or pass input_signature=.")
        dtype = getattr(model, "input_dtype", "float32")
        spec = TensorSpec(tuple(shape), dtype)
    return [map_specs(lambda s, _: TensorSpec((None,) + tuple(s.shape[1:]), s.dtype, s.name),
                      spec)]


def unique_names(flat: list[TensorSpec]) -> list[str]:
    """Names for the flat inputs: their spec names, or ``input_<i>``; made unique."""
    names, used = [], set()
    for i, spec in enumerate(flat):
        name = spec.name or f"input_{i}"
        base, n = name, 1
        while name in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name)
        names.append(name)
    return names


def pack(structure, flat: list):
    """Rebuild ``structure``'s shape from ``flat`` leaves (inverse of :func:`flatten_specs`)."""
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            values = {k: build(s[k]) for k in sorted(s)}
            return {k: values[k] for k in s}
        if isinstance(s, (list, tuple)):
            return type(s)(build(v) for v in s)
        return next(it)

    return build(structure)


def flatten_outputs(outputs) -> list:
    """The leaves of a model's output structure (dict keys sorted), e.g. for ONNX outputs."""
    if isinstance(outputs, dict):
        return [t for k in sorted(outputs) for t in flatten_outputs(outputs[k])]
    if isinstance(outputs, (list, tuple)):
        return [t for v in outputs for t in flatten_outputs(v)]
    return [outputs]
