"""Out-of-range values that backends would otherwise turn into silently wrong numbers.

An index outside its table is undefined behaviour that every framework resolves its own way:
for a sparse categorical cross-entropy label outside ``[0, classes)`` torch and jax return a
finite, wrong loss and TensorFlow NaN; for an ``Embedding`` id outside ``[0, input_dim)`` jax
returns NaN rows inside its jitted step, TensorFlow raises eagerly on CPU but returns a made-up
row inside an XLA-compiled step (zeros on GPU), numpy and torch raise an IndexError. And
the jax backend keeps 64-bit types disabled, so an int64 input beyond the int32 range wraps.

Two levels of checking:

- **Once per call, on the host (always on).** :func:`check_fit_data` scans the numpy arrays
  ``fit`` and ``evaluate`` received (training and validation data): labels of every output
  trained with sparse categorical cross-entropy, ids fed straight from a model input into an
  ``Embedding``, and int64 values the backend would truncate; ``predict`` checks its inputs
  the same way (:func:`check_inputs`). It raises ValueError with the first bad value and
  its position. It costs one vectorised pass, like the NaN check.
- **Inside every step (debug switch).** Values computed inside the model (ids from a
  preprocessing layer, labels from a generator's transform) are only known inside the
  compiled step, where a check would cost a host sync per batch. ``config.enable_value_checks()``
  makes ``fit``/``evaluate``/``predict`` run their steps uncompiled on every backend, and
  ``Embedding`` and sparse cross-entropy then check their actual indices every call
  (:func:`check_in_step`). Without it, in-step behaviour is the framework's, as listed above.
"""

from __future__ import annotations

import numpy as np

from mini_keras import backends, ops
from mini_keras.core.keras_tensor import KerasTensor, flatten, map_structure
from mini_keras.core.stateless import StatelessScope

_enabled = False
_INT32 = np.iinfo(np.int32)


def enable_value_checks(enabled: bool = True) -> None:
    """Check indices inside every step (Embedding ids, sparse labels) on every backend.

    Steps then run uncompiled (like ``run_eagerly=True``), so use it to debug, not to train.
    """
    global _enabled
    _enabled = bool(enabled)


def disable_value_checks() -> None:
    """Turn the in-step checks of :func:`enable_value_checks` off again (the default)."""
    enable_value_checks(False)


def value_checks_enabled() -> bool:
    """Whether in-step value checks are on (steps then run uncompiled)."""
    return _enabled


def check_range(values, upper: int, what: str, where: str, valid_extra=None) -> None:
    """Raise ValueError if an integer-valued array has an entry outside ``[0, upper)``.

    Args:
        values: host array of ids or labels.
        upper: the exclusive upper bound (number of classes, vocabulary size).
        what: what the values are, e.g. ``"Embedding 'embedding' ids"``.
        where: where they came from, e.g. ``"fit(x)"``.
        valid_extra: one more allowed value (a loss's ``ignore_class``).
    """
    a = np.asarray(values)
    if a.size == 0 or a.dtype.kind not in "biuf":
        return
    bad = (a < 0) | (a >= upper)
    if valid_extra is not None:
        bad &= a != valid_extra
    if a.dtype.kind == "f":
        bad |= a != np.floor(a)
    if not bad.any():
        return
    position = tuple(int(i) for i in np.argwhere(bad)[0])
    raise ValueError(f"{where}: {what} must be integers in [0, {upper}), but the value "
                     f"{a[position].item()!r} at index {position} is out of range "
                     f"({int(bad.sum())} bad value(s) in all). Backends disagree on such "
                     "values (a wrong finite result, NaN, a clamp or an error), so fix the "
                     "data or the layer size.")


def check_in_step(tensor, upper: int, what: str) -> None:
    """Check concrete ``tensor`` values against ``[0, upper)`` when the debug switch is on.

    Symbolic values (a functional model being built, a step traced by jit) are skipped: with
    the switch on, the trainer runs its steps uncompiled, so every batch is concrete there.
    """
    if not _enabled or isinstance(tensor, KerasTensor):
        return
    try:
        values = ops.convert_to_numpy(tensor)
    except Exception:  # noqa: BLE001 - each framework raises its own type for a traced value
        return
    check_range(values, upper, what, "value check")


def check_epochs(epochs, initial_epoch, verbose) -> None:
    """``fit``'s counters: ``epochs``/``initial_epoch`` ints >= 0, ``verbose`` 0, 1, 2 or
    "auto" (anything else would be ignored or loop over negative epoch numbers)."""
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"fit({name}=...): expected an int >= 0, received {value!r}")
    if verbose not in (0, 1, 2, "auto"):  # True/False are 1/0, as in Keras
        raise ValueError(f"fit(verbose=...): expected 0, 1, 2 or 'auto', received {verbose!r}")


def check_fit_data(model, train, validation=None, method: str = "fit") -> None:
    """The once-per-call host checks: labels, Embedding ids, int64 values (see the module doc).

    Args:
        model: the compiled model.
        train: the DataAdapter of ``fit``/``evaluate``; only in-memory arrays
            (``ArrayAdapter``) are scanned, a generator's batches are made later, in the loop.
        validation: the validation DataAdapter, or None.
        method: the calling method, for messages.
    """
    sets = [(method, train), (f"{method}(validation_data)", validation)]
    for where, adapter in sets:  # ids first: a bad id would crash the forward pass of labels
        if getattr(adapter, "kind", None) != "arrays":
            continue
        xs, ys = adapter.x, adapter.y
        check_inputs(model, xs, f"{where}(x)" if where == method else where)
        if ys is not None:
            _check_labels(model, xs, ys, f"{where}(y)" if where == method else where)


def check_inputs(model, x, where: str) -> None:
    """The input half of the host checks (Embedding ids, int64 values), for ``predict`` too:
    one vectorised pass over integer arrays, nothing for float ones."""
    if not any(isinstance(a, np.ndarray) and a.dtype.kind in "iu" for a in flatten(x)):
        return
    _check_embedding_ids(model, x, where)
    _check_int64(model, x, where)


def _output_shapes(model, x) -> list:
    """Static output shapes: from the functional/Sequential graph, else one eager sample."""
    spec = getattr(model, "outputs_spec", None) or getattr(model, "outputs", None)
    if spec is None:
        with backends.backend_scope(model._backend_name), StatelessScope():
            spec = model(map_structure(lambda a: a[:1], x), training=False)
    return [tuple(t.shape) for t in flatten(spec)]


def _check_labels(model, x, y, where: str) -> None:
    from mini_keras.losses.losses import sparse_categorical_crossentropy
    outputs = None
    losses = getattr(model, "_losses_per_output", None)
    if losses is None:  # the first fit: resolve the compiled losses as fit will
        outputs = _output_shapes(model, x)
        losses = model._resolve_losses(len(outputs))
    sparse = [i for i, pair in enumerate(losses)
              if pair and getattr(pair[0], "fn", None) is sparse_categorical_crossentropy]
    if not sparse:
        return
    outputs = outputs or _output_shapes(model, x)
    for i, (loss_and_weight, labels) in enumerate(zip(losses, flatten(y))):
        if i not in sparse:
            continue
        loss = loss_and_weight[0]
        shape = outputs[i] if i < len(outputs) else None
        if labels is None or not shape or shape[-1] is None:
            continue
        check_range(labels, shape[-1], f"sparse categorical cross-entropy labels (output {i} "
                    f"has {shape[-1]} classes)", where,
                    valid_extra=getattr(loss, "ignore_class", None))


def _embedding_inputs(model):
    """``(input index, Embedding)`` pairs for Embeddings fed straight from a model input."""
    from mini_keras.layers.embedding import Embedding
    nodes = getattr(model, "_nodes", None)
    if nodes is not None:  # functional
        inputs = {id(t): i for i, t in enumerate(flatten(getattr(model, "inputs", None)))}
        for node in nodes:
            if isinstance(node.layer, Embedding) and node.args and id(node.args[0]) in inputs:
                yield inputs[id(node.args[0])], node.layer
        return
    stack = getattr(model, "_stack", None)  # Sequential: the first layer reads the input
    if stack and isinstance(stack[0], Embedding):
        yield 0, stack[0]


def _check_embedding_ids(model, x, where: str) -> None:
    arrays = flatten(x)
    for index, layer in _embedding_inputs(model):
        if index < len(arrays) and arrays[index] is not None:
            name = f"{where}[{index}]" if len(arrays) > 1 else where
            check_range(arrays[index], layer.input_dim,
                        f"ids of Embedding '{layer.name}' (input_dim={layer.input_dim})", name)


_truncates: dict[str, bool] = {}


def _truncates_int64(backend_name: str) -> bool:
    """Whether the backend stores int64 inputs as int32 (jax with 64-bit types disabled)."""
    if backend_name not in _truncates:
        with backends.backend_scope(backend_name):
            probe = ops.convert_to_numpy(ops.convert_to_tensor(np.array([2**40], "int64")))
        _truncates[backend_name] = int(np.asarray(probe)[0]) != 2**40
    return _truncates[backend_name]


def _check_int64(model, x, where: str) -> None:
    big = [a for a in flatten(x) if isinstance(a, np.ndarray) and a.dtype.kind in "iu"
           and a.itemsize == 8
           and a.size and (a.max() > _INT32.max or a.min() < _INT32.min)]
    if not big or not _truncates_int64(model._backend_name):
        return
    a = big[0]
    position = tuple(int(i) for i in np.argwhere((a > _INT32.max) | (a < _INT32.min))[0])
    raise ValueError(f"{where}: the int64 value {a[position].item()} at index {position} does "
                     f"not fit in int32, and the '{model._backend_name}' backend computes in "
                     "32 bits (64-bit types disabled), so it would be silently truncated. "
                     "Rescale or re-encode the values (e.g. hash ids into a smaller range).")
