"""The data side of ``fit``/``evaluate``/``predict``: from the user's arguments to EpochIterators.

Keeps every argument check in one place, with Keras 3's rules: ``validation_split`` needs arrays,
``class_weight`` needs a single output, ``validation_batch_size`` defaults to ``batch_size``,
``validation_freq`` is an int (every n epochs) or a list of epochs (1-based).
"""

from __future__ import annotations

import numpy as np

from mini_keras.core.keras_tensor import flatten, map_structure
from mini_keras.trainers import data as data_mod
from mini_keras.trainers import data_adapters as adapters
from mini_keras.trainers.data_adapters.array_adapter import ArrayAdapter
from mini_keras.trainers.data_adapters.base import (
    apply_class_weight,
    class_weight_table,
    structure_to_numpy,
)
from mini_keras.utils.packing import unpack_x_y_sample_weight
from mini_keras.utils.rng import host_rng


def _positive_int(value, name: str, where: str, allow_none: bool = True) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}({name}=...): expected a positive int"
                         + (" or None" if allow_none else "") + f", received {value!r}")


def check_validation_freq(validation_freq) -> None:
    """An int >= 1 or a list/tuple of epoch numbers (1-based)."""
    if isinstance(validation_freq, (list, tuple)):
        for epoch in validation_freq:
            _positive_int(epoch, "validation_freq", "fit", allow_none=False)
        return
    _positive_int(validation_freq, "validation_freq", "fit", allow_none=False)


def should_validate(epoch: int, validation_freq) -> bool:
    """Whether epoch ``epoch`` (0-based) runs validation."""
    if isinstance(validation_freq, (list, tuple)):
        return epoch + 1 in validation_freq
    return (epoch + 1) % validation_freq == 0


def _array_fit_data(x, y, sample_weight, validation_split, validation_data):
    """Arrays: convert once, check values, cut ``validation_split`` off the end."""
    x = structure_to_numpy(x, "fit(x)")
    y = structure_to_numpy(y, "fit(y)")
    sample_weight = structure_to_numpy(sample_weight, "fit(sample_weight)")
    if y is None:
        raise ValueError("fit(): y is None; pass targets to train with a compiled loss.")
    data_mod.num_samples(x, y, sample_weight)
    data_mod.check_finite(x, "fit(x)")
    data_mod.check_finite(y, "fit(y)")
    if validation_data is None and validation_split:
        (x, y, sample_weight), validation_data = data_mod.split_validation(
            x, y, sample_weight, validation_split)
    return x, y, sample_weight, validation_data


def fit_iterators(x, y, sample_weight, *, batch_size, steps_per_epoch, shuffle, class_weight,
                  validation_split, validation_data, validation_steps, validation_batch_size,
                  validation_freq):
    """Return ``(train, validation)`` EpochIterators for ``fit`` (validation may be None)."""
    _positive_int(steps_per_epoch, "steps_per_epoch", "fit")
    _positive_int(validation_steps, "validation_steps", "fit")
    adapters.check_batch_size(validation_batch_size, "fit", "validation_batch_size")
    check_validation_freq(validation_freq)
    if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
        raise ValueError(f"fit(validation_split=...): expected a float in [0, 1), received "
                         f"{validation_split!r}")
    is_arrays = not isinstance(x, adapters.DataAdapter) and adapters.is_array_source(
        x, y, sample_weight)
    if is_arrays:
        x, y, sample_weight, validation_data = _array_fit_data(x, y, sample_weight,
                                                               validation_split, validation_data)
        adapter = ArrayAdapter(x, y, sample_weight, batch_size, steps_per_epoch, shuffle,
                               host_rng(), "fit", convert=False)
    else:
        if validation_split:
            raise ValueError("fit(validation_split=...) is only supported for arrays (it cuts "
                             f"the last samples off x/y); x is {type(x).__name__}. Pass "
                             "validation_data=... instead.")
        adapter = adapters.get_data_adapter(x, y, sample_weight, batch_size, steps_per_epoch,
                                            shuffle, host_rng(), "fit")
    train = adapters.EpochIterator(adapter, steps_per_epoch, class_weight, "fit")
    validation = None
    if validation_data is not None:
        vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
        if validation_batch_size is None and adapters.is_array_source(vx, vy, vsw):
            validation_batch_size = batch_size
        val_adapter = adapters.get_data_adapter(
            vx, vy, vsw, validation_batch_size, validation_steps, False, None,
            "fit(validation_data)", batch_size_name="validation_batch_size")
        validation = adapters.EpochIterator(val_adapter, validation_steps, None,
                                            "fit(validation_data)")
    elif validation_steps is not None or validation_batch_size is not None:
        given = "validation_steps" if validation_steps is not None else "validation_batch_size"
        raise ValueError(f"fit({given}=...) was given without validation data; pass "
                         "validation_data=... or validation_split=...")
    return train, validation


def eval_iterator(x, y, sample_weight, batch_size, steps):
    """The EpochIterator of ``evaluate``."""
    _positive_int(steps, "steps", "evaluate")
    adapter = adapters.get_data_adapter(x, y, sample_weight, batch_size, steps, False, None,
                                        "evaluate")
    return adapters.EpochIterator(adapter, steps, None, "evaluate")


def predict_iterator(x, batch_size, steps):
    """The EpochIterator of ``predict`` (a source's ``y``/``sample_weight`` are ignored)."""
    _positive_int(steps, "steps", "predict")
    adapter = adapters.get_data_adapter(x, None, None, batch_size, steps, False, None,
                                        "predict")
    return adapters.EpochIterator(adapter, steps, None, "predict")


def batch_arrays(x, y, sample_weight, method: str):
    """One batch given as arrays (``train_on_batch``...) -> numpy nests of equal length."""
    x = structure_to_numpy(x, f"{method}(x)")
    y = structure_to_numpy(y, f"{method}(y)")
    sample_weight = structure_to_numpy(sample_weight, f"{method}(sample_weight)")
    data_mod.num_samples(x, y, sample_weight)
    return x, y, sample_weight


def whole_batch(x, y, sample_weight) -> ArrayAdapter:
    """The arrays as one batch (for the distribution check)."""
    n = data_mod.num_samples(x, y, sample_weight)
    return ArrayAdapter(x, y, sample_weight, n, convert=False)


def class_weighted(x, y, class_weight, method: str):
    """``(x, y, sample_weight)`` with the weights ``class_weight`` gives the samples of ``y``."""
    x, y, _ = batch_arrays(x, y, None, method)
    table = class_weight_table(class_weight)
    return unpack_x_y_sample_weight(apply_class_weight((x, y), table, f"{method}(class_weight)"))


def concatenate_outputs(outputs: list):
    """Per-batch predict outputs (arrays, or lists/tuples/dicts of them) joined on axis 0."""
    if len(outputs) == 1:  # one batch: no concatenation copy
        return outputs[0]
    first = outputs[0]
    if isinstance(first, (list, tuple)):
        return type(first)(np.concatenate([o[i] for o in outputs]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: np.concatenate([o[k] for o in outputs]) for k in first}
    return np.concatenate(outputs)


def pad_to_replicas(x, replicas: int):
    """Pad a short last batch (repeating its last row) so it splits over ``replicas`` devices;
    returns the batch and its real length."""
    n = len(flatten(x)[0])
    pad = -n % replicas
    if pad:
        x = map_structure(lambda a: np.concatenate([a, np.repeat(a[-1:], pad, axis=0)]), x)
    return x, n


def one_small_batch(x, batch_size, steps, callbacks, verbose) -> bool:
    """``predict`` on one float32/int array that fits one batch, with nothing to report: the
    fast path that skips batching."""
    if not isinstance(x, np.ndarray) or x.ndim == 0 or x.dtype.kind not in "biuf":
        return False
    adapters.check_batch_size(batch_size, "predict")
    return (x.dtype != np.float64 and steps is None and not callbacks
            and verbose in (0, "auto") and len(x) <= (batch_size or 32))


def evaluate_kwargs(kwargs: dict):
    """``evaluate``'s private arguments from ``fit`` (``_from_fit``, ``_iterator``); anything
    else is refused, never ignored."""
    from_fit, iterator = kwargs.pop("_from_fit", False), kwargs.pop("_iterator", None)
    if kwargs:
        raise TypeError(f"evaluate() got unexpected keyword arguments {sorted(kwargs)}")
    return from_fit, iterator
