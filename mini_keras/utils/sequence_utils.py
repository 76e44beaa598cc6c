"""``keras.utils.pad_sequences``: a list of sequences -> one padded numpy array."""

from __future__ import annotations

import numpy as np


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pad (or truncate) every sequence to ``maxlen`` (Keras 3's signature and output).

    Args:
        sequences: list of sequences (lists/arrays, each of shape ``(len, ...)``).
        maxlen: output length; default: the longest sequence.
        dtype: output dtype (strings allowed, e.g. ``"object"``/``"str"``).
        padding: "pre" or "post": where padding goes.
        truncating: "pre" or "post": which end of a longer sequence is dropped.
        value: the padding value.

    Returns:
        An array of shape ``(len(sequences), maxlen, ...)``.

    Raises:
        ValueError: a non-iterable entry, an unknown padding/truncating mode, or inner shapes
            that differ between sequences.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be iterable.")
    for name, mode in (("padding", padding), ("truncating", truncating)):
        if mode not in ("pre", "post"):
            raise ValueError(f'pad_sequences: {name} must be "pre" or "post", received {mode!r}')
    lengths, sample_shape = [], ()
    for i, seq in enumerate(sequences):
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError(f"pad_sequences: `sequences` must be a list of iterables; found "
                             f"non-iterable {seq!r} at index {i}") from None
        if len(seq) and not sample_shape:
            sample_shape = np.asarray(seq).shape[1:]
    maxlen = int(np.max(lengths)) if maxlen is None and lengths else (maxlen or 0)
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.object_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(f"pad_sequences: dtype {dtype} cannot hold the string padding value "
                         f"{value!r}; use dtype=object.")
    out = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen], dtype=dtype)
        if maxlen == 0:
            continue
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: shape of sample {kept.shape[1:]} of sequence {i} "
                             f"differs from the expected shape {sample_shape}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
