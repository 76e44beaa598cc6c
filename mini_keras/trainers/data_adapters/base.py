"""The interface every data source implements, and the host-side helpers they share.

A ``DataAdapter`` turns one kind of source into batches of numpy nests in Keras' tuple form,
``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``. The trainer only ever sees adapters. Tensors of
a framework are recognized by the module name of their type and converted with their own
methods (``.numpy()``, ``np.asarray``), so no framework is imported here.
"""

from __future__ import annotations

import numpy as np

from mini_keras.core.keras_tensor import flatten
from mini_keras.trainers import data as data_mod
from mini_keras.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight


class DataAdapter:
    """One kind of data source, seen as a sequence of batches.

    Attributes:
        kind: what the source is, for messages ("numpy arrays", "a Python generator", ...).
        num_batches: batches in one pass, or None when unknown or infinite.
        batch_size: samples per batch when the adapter batches itself, else None.
        num_samples: total samples when known, else None.
    """

    kind = "data"
    num_batches: int | None = None
    batch_size: int | None = None
    num_samples: int | None = None

    def get_iterator(self):
        """Return an iterator over one pass of batches (Keras tuples of numpy nests)."""
        raise NotImplementedError

    def first_batch(self):
        """The first batch, used to build the model; it is still yielded by the next pass."""
        raise NotImplementedError

    def on_epoch_begin(self) -> None:
        """Called before each epoch."""

    def on_epoch_end(self) -> None:
        """Called after each epoch."""

    def close(self) -> None:
        """Release threads, processes or files held by the source."""


def framework_of(value) -> str | None:
    """The framework a value belongs to ("torch", "tensorflow", "jax", "pandas"), by its type's
    module name, without importing anything."""
    root = type(value).__module__.split(".")[0]
    if root == "jaxlib":
        return "jax"
    return root if root in ("torch", "tensorflow", "jax", "pandas") else None


def _is_numeric_list(value) -> bool:
    """A (nested) Python list/tuple of numbers: one array, not a structure of inputs."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    first = value[0]
    if isinstance(first, (list, tuple)):
        return all(_is_numeric_list(v) for v in value)
    return all(isinstance(v, (bool, int, float, np.number)) for v in value)


def leaf_to_numpy(value, where: str):
    """One leaf (numpy array, list of numbers, pandas object or framework tensor) -> ndarray."""
    if value is None or isinstance(value, np.ndarray):
        return data_mod.to_arrays(value, where)
    framework = framework_of(value)
    if framework == "torch":
        value = value.detach()
        if str(value.dtype) == "torch.bfloat16":
            value = value.float()
        value = value.cpu().numpy()
    elif framework == "tensorflow" and hasattr(value, "numpy"):
        value = value.numpy()
    elif framework == "pandas":
        value = value.to_numpy()
    if isinstance(value, (bool, int, float, np.number)):
        raise ValueError(f"{where}: expected an array with a batch dimension, received the "  # noqa: TRY004
                         f"scalar {value!r}.")
    return data_mod.to_arrays(np.asarray(value), where)


def structure_to_numpy(structure, where: str):
    """A nest (dicts/lists/tuples) of array-likes -> the same nest of numpy arrays.

    A list or tuple of plain numbers is one array (rows of a table); a list of arrays is a
    structure (several inputs), as in Keras.
    """
    if _is_numeric_list(structure):
        return leaf_to_numpy(np.asarray(structure), where)
    if isinstance(structure, dict):
        return {k: structure_to_numpy(v, f"{where}[{k!r}]") for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(structure_to_numpy(v, f"{where}[{i}]")
                               for i, v in enumerate(structure))
    return leaf_to_numpy(structure, where)


def batch_to_numpy(raw, where: str) -> tuple:
    """One batch from a source (any framework, any Keras form) -> a Keras tuple of numpy nests,
    checking that x, y and sample_weight agree on the batch size."""
    x, y, sample_weight = unpack_x_y_sample_weight(raw)
    if x is None:
        raise ValueError(f"{where}: the batch holds no inputs (x is None); expected `x`, "
                         "`(x, y)` or `(x, y, sample_weight)`.")
    x = structure_to_numpy(x, f"{where} x")
    y = structure_to_numpy(y, f"{where} y")
    sample_weight = structure_to_numpy(sample_weight, f"{where} sample_weight")
    try:
        data_mod.num_samples(x, y, sample_weight)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None
    return pack_x_y_sample_weight(x, y, sample_weight)


def signature(data) -> list:
    """Structure, rank and dtype kind of a batch: what must not change from batch to batch."""
    leaves = []

    def visit(node, path):
        if isinstance(node, dict):
            for k in sorted(node, key=str):
                visit(node[k], f"{path}[{k!r}]")
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                visit(v, f"{path}[{i}]")
        else:
            leaves.append((path, None if node is None else (node.ndim, node.dtype.kind)))

    for part, name in zip(data, ("x", "y", "sample_weight")):
        visit(part, name)
    return leaves


def describe_signature(leaves) -> str:
    """Human-readable form of :func:`signature`."""
    return ", ".join(f"{path}: {'None' if s is None else f'rank {s[0]} {_KINDS[s[1]]}'}"
                     for path, s in leaves)


_KINDS = {"f": "float", "i": "int", "u": "uint", "b": "bool"}


def check_batch_size(batch_size, where: str, name: str = "batch_size") -> None:
    """``batch_size`` must be None or a positive int."""
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, (int, np.integer))
                                   or batch_size <= 0):
        raise ValueError(f"{where}({name}=...): expected a positive int or None, received "
                         f"{batch_size!r}")


# ---------------------------------------------------------------------------------- class_weight
def class_weight_table(class_weight) -> np.ndarray | None:
    """``{class: weight}`` or a list of weights -> a lookup array (unlisted classes weigh 1).

    Raises:
        ValueError: keys that are not non-negative integers, or non-numeric weights.
    """
    if class_weight is None:
        return None
    if isinstance(class_weight, (list, tuple, np.ndarray)):
        class_weight = dict(enumerate(np.asarray(class_weight, dtype="float64").tolist()))
    if not isinstance(class_weight, dict) or not class_weight:
        raise ValueError("class_weight: expected a non-empty dict {class_index: weight} or a list "
                         f"of weights, received {class_weight!r}")
    for key, value in class_weight.items():
        if not isinstance(key, (int, np.integer)) or isinstance(key, bool) or key < 0:
            raise ValueError(f"class_weight: keys must be class indices (ints >= 0), received "
                             f"{key!r}")
        if not isinstance(value, (int, float, np.number)):
            raise TypeError(f"class_weight[{key}]: expected a number, received {value!r}")
    table = np.ones(int(max(class_weight)) + 1, dtype="float32")
    for key, value in class_weight.items():
        table[int(key)] = value
    return table


def apply_class_weight(data: tuple, table: np.ndarray, where: str) -> tuple:
    """Keras' rule: the weight of a sample is ``class_weight[class of y]``, where the class is
    the argmax of a one-hot ``y`` or the rounded value of a sparse one."""
    x, y, sample_weight = unpack_x_y_sample_weight(data)
    if y is None:
        raise ValueError(f"{where}: class_weight needs targets y, the batch has none.")
    if sample_weight is not None:
        raise ValueError("You cannot `class_weight` and `sample_weight` at the same time.")
    if isinstance(y, (list, tuple, dict)):
        if len(flatten(y)) != 1:
            raise ValueError("`class_weight` is only supported for Models with a single output.")
        y_leaf = flatten(y)[0]
    else:
        y_leaf = y
    classes = y_leaf
    if classes.ndim > 1:
        classes = classes.argmax(-1) if classes.shape[-1] != 1 else classes[..., 0]
    classes = np.round(classes).astype("int64")
    weights = np.ones(classes.shape, dtype="float32")
    known = (classes >= 0) & (classes < len(table))
    weights[known] = table[classes[known]]
    return (x, y, weights)
