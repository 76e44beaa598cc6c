"""Host-side data helpers."""

from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer class labels into a float32 numpy array (Keras' ``to_categorical``).

    Args:
        x: array-like of ints (a trailing dimension of size 1 is dropped).
        num_classes: number of classes; defaults to ``max(x) + 1``.
    """
    x = np.asarray(x)
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.size and (x.dtype.kind not in "iu" and not np.all(np.mod(x, 1) == 0)):
        raise ValueError(f"to_categorical: expected integer labels, received dtype {x.dtype}")
    x = x.astype(np.int64)
    num_classes = int(x.max()) + 1 if num_classes is None else int(num_classes)
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(
            f"to_categorical: labels must be in [0, {num_classes}), received range "
            f"[{x.min()}, {x.max()}]")
    return np.eye(num_classes, dtype="float32")[x]


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis`` (Keras' ``normalize``; zero vectors stay
    zero). Returns a numpy array. Unlike Keras 3 (which reads ``axis=0`` as -1 and fails to
    broadcast), ``axis=0`` normalizes columns."""
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
