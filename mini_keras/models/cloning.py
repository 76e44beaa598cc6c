"""``keras.models.clone_model``: the same architecture with new layers (fresh weights), as
Keras 3 clones Sequential, Functional and subclassed models."""

from __future__ import annotations

from mini_keras.core.keras_tensor import KerasTensor, flatten, map_structure
from mini_keras.layers.core import Input
from mini_keras.models.functional import Functional
from mini_keras.models.sequential import Sequential


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, *, custom_objects=None, **kwargs):
    """A new model with the same architecture and freshly initialized weights.

    Args:
        model: a Sequential, Functional or subclassed model.
        input_tensors: KerasTensors (same structure as ``model.input``) to build the clone on
            (Sequential and Functional models only); new Inputs by default.
        clone_function: ``layer -> new layer`` for every layer (default:
            ``layer.__class__.from_config(layer.get_config())``); return the layer itself to
            share it. Sequential and Functional models only.
        call_function: ``(layer, *args, **kwargs) -> outputs``, called instead of
            ``layer(*args, **kwargs)`` while the graph is rebuilt (Functional models only).
        recursive: also clone nested Sequential/Functional models layer by layer (with the
            same functions) instead of passing them whole to ``clone_function``.
        custom_objects: classes to resolve when cloning a subclassed model from its config.

    Returns:
        The clone, compiled like ``model`` when ``model`` is compiled.

    Raises:
        ValueError: an argument the model's kind does not support, or ``input_tensors`` that
            are not KerasTensors of ``model.input``'s structure.
    """
    cache = kwargs.pop("cache", None)
    if kwargs:
        raise TypeError(f"clone_model: unrecognized arguments {sorted(kwargs)}")
    kind = type(model).__name__
    if isinstance(model, (Sequential, Functional)):
        clone = _wrap(clone_function, call_function, recursive, {} if cache is None else cache)
        if isinstance(model, Sequential):
            if call_function is not None:
                raise ValueError("clone_model: `call_function` is not supported with Sequential "
                                 "models (their layers are listed, not called, at construction);"
                                 f" use it with Functional models. Received a {kind}.")
            new = _clone_sequential(model, clone, input_tensors)
        else:
            new = _clone_functional(model, clone, call_function, input_tensors)
        _compile_like(model, new)
        return new
    if clone_function is not None or input_tensors is not None:
        raise ValueError("clone_model: `clone_function` and `input_tensors` are only supported "
                         f"for Sequential and Functional models. Received a {kind}.")
    if call_function is not None:
        raise ValueError("clone_model: `call_function` is only supported for Functional "
                         f"models. Received a {kind}.")
    from mini_keras.saving.serialization import deserialize_keras_object, serialize_keras_object
    return deserialize_keras_object(serialize_keras_object(model),
                                    {type(model).__name__: type(model), **(custom_objects or {})})


def _wrap(clone_function, call_function, recursive, cache):
    """``clone_function`` made to clone each layer once (shared layers stay shared) and, with
    ``recursive``, to descend into nested models."""
    def default(layer):
        return layer.__class__.from_config(layer.get_config())

    base = clone_function or default
    if not callable(base):
        raise ValueError("clone_model: `clone_function` must be a callable. Received: "  # noqa: TRY004 (Keras 3 raises ValueError)
                         f"clone_function={clone_function!r}")

    def wrapped(layer):
        if id(layer) not in cache:
            if recursive and isinstance(layer, (Sequential, Functional)):
                cache[id(layer)] = clone_model(
                    layer, clone_function=clone_function, recursive=True, cache=cache,
                    call_function=call_function if isinstance(layer, Functional) else None)
            else:
                cache[id(layer)] = base(layer)
        return cache[id(layer)]
    return wrapped


def _clone_sequential(model, clone, input_tensors):
    layers = [clone(layer) for layer in model.layers]
    reference = model._input_layer
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError("clone_model: `input_tensors` of a Sequential model must "
                                 f"hold a single tensor, received {len(input_tensors)}.")
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ValueError("clone_model: `input_tensors` must be a KerasTensor. Received: "
                             f"{type(input_tensors).__name__}")
        layers = [Input(tensor=input_tensors)] + layers
    elif reference is not None:
        layers = [Input(batch_shape=reference.batch_shape, dtype=reference.dtype,
                        name=reference.name)] + layers
    return Sequential(layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, clone, call_function, input_tensors):
    if input_tensors is None:
        input_tensors = map_structure(
            lambda t: Input(batch_shape=t.shape, dtype=t.dtype, name=t.name),
            model._inputs_struct)
    else:
        given = flatten(input_tensors)
        if not all(isinstance(t, KerasTensor) for t in given):
            raise ValueError("clone_model: every entry of `input_tensors` must be a KerasTensor."
                             f" Received: {input_tensors!r}")
        if len(given) != len(model.inputs):
            raise ValueError("clone_model: `input_tensors` must have the structure of "
                             f"model.input ({len(model.inputs)} tensors); received "
                             f"{len(given)}.")
    new_of = {id(old): new for old, new in zip(model.inputs, flatten(input_tensors))}

    def rewire(value):
        return new_of.get(id(value), value) if isinstance(value, KerasTensor) else value

    for node in model._nodes:
        layer = clone(node.layer)
        args, kwargs = map_structure(rewire, (tuple(node.args), dict(node.kwargs)))
        outputs = (call_function(layer, *args, **kwargs) if call_function is not None
                   else layer(*args, **kwargs))
        for old, new in zip(flatten(node.outputs), flatten(outputs)):
            new_of[id(old)] = new
    outputs = map_structure(lambda t: new_of[id(t)], model._outputs_struct)
    cls = getattr(type(model), "_functional_base", None) or Functional
    return cls(input_tensors, outputs, name=model.name)


def _compile_like(model, new) -> None:
    if getattr(model, "compiled", False):
        config = model.get_compile_config()
        if config is not None:
            new.compile_from_config(config)
