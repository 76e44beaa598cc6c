"""Integer indices -> one-hot / multi-hot / count vectors, on the host (Keras 3's
``encode_categorical_inputs`` semantics, shared by the lookup, hashing, category-encoding and
discretization layers)."""

from __future__ import annotations

import numpy as np

#: Keras' output modes for categorical layers (``tf_idf`` is ``count`` times idf weights)
CATEGORICAL_MODES = ("int", "one_hot", "multi_hot", "count")


def check_mode(layer: str, output_mode, allowed=CATEGORICAL_MODES) -> str:
    """Validate ``output_mode`` against ``allowed`` (ValueError naming the layer)."""
    if output_mode not in allowed:
        raise ValueError(f"{layer}: `output_mode` must be one of {list(allowed)}, received "
                         f"output_mode={output_mode!r}.")
    return output_mode


def encode(indices, output_mode: str, depth: int, dtype="float32",
           count_weights=None) -> np.ndarray:
    """Encode integer ``indices`` (a numpy array, or ``(flat, lengths)`` for ragged rows).

    Negative indices are dropped (masked entries). ``one_hot`` adds a ``depth`` axis (a
    trailing axis of size 1 is replaced); ``multi_hot``/``count`` reduce the last axis (a
    rank-1 input is one sample, as in Keras). Indices ``>= depth`` raise ValueError.
    """
    if isinstance(indices, tuple):  # ragged rows: (all indices, row lengths)
        flat, lengths = indices
        row_ids = np.repeat(np.arange(len(lengths)), lengths)
        lead = (len(lengths),)
        weights = None if count_weights is None else np.concatenate(
            [np.asarray(w, dtype="float64").ravel() for w in count_weights])
    else:
        indices = np.asarray(indices, dtype=np.int64)
        if indices.ndim == 0:
            indices = indices[None]
        if output_mode == "one_hot":
            if indices.ndim > 1 and indices.shape[-1] == 1:
                indices = indices[..., 0]
            lead = indices.shape
            flat = indices.ravel()
            row_ids = np.arange(flat.size)
        else:
            lead = indices.shape[:-1]
            flat = indices.ravel()
            row_ids = np.repeat(np.arange(int(np.prod(lead, dtype=np.int64))), indices.shape[-1])
        weights = None if count_weights is None else np.asarray(
            count_weights, dtype="float64").ravel()
    if flat.size and flat.max() >= depth:
        raise ValueError(f"received index {int(flat.max())} for a depth of {depth}: every "
                         f"index must be in [0, {depth}).")
    keep = flat >= 0
    out = np.zeros((int(np.prod(lead, dtype=np.int64)), depth), dtype="float64")
    values = 1.0 if weights is None else weights[keep]
    if output_mode == "count":
        np.add.at(out, (row_ids[keep], flat[keep]), values)
    else:
        out[row_ids[keep], flat[keep]] = 1.0
    return out.reshape(tuple(lead) + (depth,)).astype(dtype)


def encoded_shape(input_shape, output_mode: str, depth) -> tuple:
    """Static output shape of :func:`encode` for ``input_shape``."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (depth,)
    return shape[:-1] + (depth,)


def pad_rows(flat: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    """Ragged rows ``(flat, lengths)`` -> a zero-padded ``(rows, width)`` array (longer rows
    are truncated), without a Python loop over the rows."""
    starts = np.cumsum(lengths) - lengths
    position = np.arange(flat.size) - np.repeat(starts, lengths)
    keep = position < width
    out = np.zeros((lengths.size, width), dtype=flat.dtype)
    out[np.repeat(np.arange(lengths.size), lengths)[keep], position[keep]] = flat[keep]
    return out
