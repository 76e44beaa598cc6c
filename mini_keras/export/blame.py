"""Which layer holds the op a format cannot express: asked only after a conversion failed.

Converters report the op (``aten::linalg_inv``, ``tf.MatrixInverse``), not the layer: the
graph they see is flat. :func:`find_layer` runs the model once eagerly to record what every
leaf layer receives, then converts each leaf layer alone with the same writer; the first one
that fails is the culprit. This costs one small conversion per layer, on the error path only.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile

import numpy as np

from mini_keras import ops
from mini_keras.export import rebind
from mini_keras.export.signature import TensorSpec, flatten_specs, pack

# how each converter names the op it could not convert
_OP_PATTERNS = (r"operator '([^']+)'", r"'(tf\.\w+)' op is neither", r"op type '(\w+)'")


def op_names(message: str) -> list[str]:
    """The op names a converter's error message reports, in order, each once."""
    found = [m for pattern in _OP_PATTERNS for m in re.findall(pattern, message)]
    return list(dict.fromkeys(found))


def _leaves(model) -> list:
    return [layer for layer in rebind.all_layers([model])[1:] if not layer._layers]


@contextlib.contextmanager
def _recording(layers):
    """Record the spec of the first argument each of ``layers`` is called with."""
    seen: dict = {}
    for layer in layers:
        def call(*args, _layer=layer, _call=layer.call, **kwargs):
            x = args[0]
            if id(_layer) not in seen and not isinstance(x, (list, tuple, dict)):
                seen[id(_layer)] = TensorSpec((None,) + tuple(ops.shape(x)[1:]), ops.dtype(x))
            return _call(*args, **kwargs)
        object.__setattr__(layer, "call", functools.wraps(layer.call)(call))
    try:
        yield seen
    finally:
        for layer in layers:
            layer.__dict__.pop("call", None)


def find_layer(model, sig: list, convert) -> tuple | None:
    """``(layer, error)`` for the first leaf layer that ``convert`` fails on alone, or None.

    Args:
        model: the model whose conversion failed (on its own backend).
        sig: the normalized input signature of that conversion.
        convert: ``convert(layer, filepath, layer_signature)``, the failed format's writer.
    """
    layers = _leaves(model)
    flat = [np.zeros([2 if d is None else d for d in s.shape], s.dtype)
            for s in flatten_specs(sig[0])]
    try:
        with _recording(layers) as seen:
            model(pack(sig[0], flat), training=False)
    except Exception:  # noqa: BLE001 - the original error is the one to report
        return None
    with tempfile.TemporaryDirectory() as tmp:
        for i, layer in enumerate(layer for layer in layers if id(layer) in seen):
            try:
                convert(layer, os.path.join(tmp, f"layer_{i}"), [seen[id(layer)]])
            except Exception as e:  # noqa: BLE001 - this is the answer
                return layer, e
    return None


def unsupported_op_error(fmt: str, model, sig: list, error: Exception, convert) -> ValueError:
    """The error to raise when ``fmt``'s converter failed: names the op(s) and the layer."""
    found = find_layer(model, sig, convert)
    message = str(error)
    names = op_names(message)
    where = f"model '{model.name}'"
    if found is not None:
        layer, layer_error = found
        names = op_names(str(layer_error)) or names
        where = f"layer '{layer.name}' ({type(layer).__name__}) of model '{model.name}'"
    what = (f"op {', '.join(repr(n) for n in names)}" if names
            else f"an op (converter said: {message[:500]})")
    return ValueError(f"export(format={fmt!r}): {where} uses {what}, which the {fmt} format "
                      "cannot express. Replace that op in the layer, or export to another "
                      "format.")
