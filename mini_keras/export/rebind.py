"""Run a model of any backend on the framework an export format needs, for the export only.

Weights and layer code are portable across our backends: a layer's math is written with
``mini_keras.ops``, and only its variables hold framework tensors. So to trace a numpy, torch or
JAX model with ``tf.function`` (or a TensorFlow model with ``torch.onnx``), :func:`running_on`
copies every variable's value into a new variable of the target backend and points the model's
layers and variables at those copies while the ``with`` block runs; on exit everything is put
back, so the user's model is unchanged. Unlike a rebuild from ``get_config()``, this also works
for subclassed models without a config and for any function a user hands to
``ExportArchive.add_endpoint`` that closes over the model.
"""

from __future__ import annotations

import contextlib

from mini_keras import backends
from mini_keras.core.variable import Variable


def all_layers(objects) -> list:
    """Every layer reachable from ``objects`` (layers/models), each once, parents first."""
    out, seen, todo = [], set(), list(objects)
    while todo:
        layer = todo.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        todo.extend(getattr(layer, "_layers", []))
    return out


def all_variables(objects) -> list[Variable]:
    """Every variable of ``objects`` (weights and seed states), each once."""
    out, seen = [], set()
    for obj in objects:
        found = obj.variables if hasattr(obj, "variables") else list(obj)
        for v in found:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


def foreign(objects, backend: str) -> list[str]:
    """Names of the backends other than ``backend`` that ``objects`` were built on."""
    names = {layer.backend for layer in all_layers(objects)}
    return sorted(names - {backend})


@contextlib.contextmanager
def running_on(objects, backend: str, variables=(), layer_overrides=None):
    """Inside the block, ``objects`` (and ``variables``) compute on ``backend``.

    Args:
        objects: layers or models.
        backend: the backend name to run on (``"tensorflow"``, ``"torch"``...).
        variables: extra free variables to move as well.
        layer_overrides: ``{attribute: value}`` set on every layer that has the attribute
            (e.g. ``{"unroll": True}`` for a static RNN loop), restored on exit.

    Yields:
        The moved variables (in ``objects``' order); their handles are ``backend``'s tensors.
    """
    layers = all_layers(objects)
    moved = all_variables(list(objects) + [list(variables)])
    saved_layers = [(layer, layer._backend_name) for layer in layers]
    saved_attrs = [(layer, key, getattr(layer, key)) for layer in layers
                   for key in (layer_overrides or {}) if hasattr(layer, key)]
    saved_vars = []
    try:
        for v in moved:
            if v.backend == backend:
                continue
            twin = Variable(v.numpy(), dtype=v.dtype, trainable=v.trainable, name=v.name,
                            backend=backend, path=v.path, autocast=v.autocast)
            saved_vars.append((v, v._backend, v._handle, v._dtype))
            v._backend, v._handle, v._dtype = twin._backend, twin._handle, twin._dtype
        for layer, _ in saved_layers:
            layer._backend_name = backend
        for layer, key, _ in saved_attrs:
            setattr(layer, key, layer_overrides[key])
        with backends.backend_scope(backend):
            yield moved
    finally:
        for v, module, handle, dtype in saved_vars:
            v._backend, v._handle, v._dtype = module, handle, dtype
        for layer, name in saved_layers:
            layer._backend_name = name
        for layer, key, value in saved_attrs:
            object.__setattr__(layer, key, value)
