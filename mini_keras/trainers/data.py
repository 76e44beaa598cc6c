"""Host-side data handling for fit/evaluate/predict: validation, splitting, batching.

Data stays in numpy on the host; each batch is sliced (a view when not shuffled) and converted
to the model's backend once, right before the step.
"""

from __future__ import annotations

import numpy as np

from mini_keras.core.keras_tensor import flatten, map_structure


def is_string_array(array) -> bool:
    """A numpy array of text (str/bytes dtypes, or objects that are str/bytes)."""
    if not isinstance(array, np.ndarray):
        return False
    return array.dtype.kind in "US" or (array.dtype == object and array.size > 0
                                        and isinstance(array.flat[0], (str, bytes)))


def _to_array(x, name: str):
    if x is None:
        return None
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    array = np.asarray(x)
    if is_string_array(array) and array.ndim:
        return array  # text stays on the host, for the model's text/lookup layers
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a numeric array, received dtype {array.dtype}"
                        + (" (check for strings or ragged lists)" if array.dtype == object else ""))
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    if array.ndim == 0:
        raise ValueError(f"{name}: expected an array with a batch dimension, received a scalar.")
    return array


def to_arrays(x, name: str):
    """Convert a nest of array-likes to numpy arrays (float64 -> float32), checking dtypes."""
    return map_structure(lambda a: _to_array(a, name), x)


def check_finite(structure, name: str) -> None:
    """Raise ValueError if any float array holds NaN or inf (checked once per fit call)."""
    for a in flatten(structure):
        # min/max propagate NaN and inf without an x-sized boolean temporary (peak memory).
        if (a is not None and a.dtype.kind == "f" and a.size
                and not (np.isfinite(a.min()) and np.isfinite(a.max()))):
            bad = np.argwhere(~np.isfinite(a))[0]
            raise ValueError(f"{name} contains NaN or inf (first at index {tuple(bad)}); "
                             "clean or impute the data before fit().")


def num_samples(x, y=None, sample_weight=None) -> int:
    """Common length of all arrays; raise ValueError naming the mismatch."""
    sizes = {}
    for label, s in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        for i, a in enumerate(flatten(s)):
            if a is not None:
                sizes[f"{label}[{i}]" if len(flatten(s)) > 1 else label] = len(a)
    if not sizes:
        raise ValueError("No data: x is None.")
    if len(set(sizes.values())) > 1:
        detail = ", ".join(f"{k}: {v}" for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous: make sure all arrays contain the same "
                         f"number of samples. Received sizes {detail}.")
    n = next(iter(sizes.values()))
    if n == 0:
        raise ValueError("The dataset is empty: x has 0 samples.")
    return n


def take(structure, index):
    """Index every array in a nest (``index`` a slice -> views, an array -> copies)."""
    return map_structure(lambda a: None if a is None else a[index], structure)


def split_validation(x, y, sample_weight, validation_split: float):
    """Hold out the last ``validation_split`` fraction (before shuffling), as Keras does."""
    if not 0 < validation_split < 1:
        raise ValueError(f"validation_split must be in (0, 1), received {validation_split}")
    n = num_samples(x, y, sample_weight)
    cut = int(n * (1 - validation_split))
    if cut == 0 or cut == n:
        raise ValueError(f"validation_split={validation_split} leaves an empty training or "
                         f"validation set for {n} samples.")
    head, tail = slice(0, cut), slice(cut, n)
    return ((take(x, head), take(y, head), take(sample_weight, head)),
            (take(x, tail), take(y, tail), take(sample_weight, tail)))


def has_host_layers(model) -> bool:
    """Whether ``model`` holds a layer that computes on the host (text and lookup layers mark
    themselves ``host_only``): its steps then run eagerly, as strings cannot enter a jit."""
    stack = [model]
    while stack:
        layer = stack.pop()
        if getattr(layer, "host_only", False):
            return True
        stack.extend(getattr(layer, "_layers", ()))
    return False
