"""Word-index sequence processing shared by IMDB and Reuters (Keras 3's conventions)."""

from __future__ import annotations

import numpy as np


def shuffle(rng: np.random.RandomState, *arrays):
    """Shuffle parallel arrays with one permutation drawn from ``rng`` (as Keras does)."""
    indices = np.arange(len(arrays[0]))
    rng.shuffle(indices)
    return [a[indices] for a in arrays]


def encode(xs, start_char, index_from) -> list[list[int]]:
    """Prepend ``start_char`` and shift every word index by ``index_from``."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def drop_long(maxlen, xs, labels):
    """Keep only the sequences shorter than ``maxlen`` (and their labels)."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char) -> list[list[int]]:
    """Replace (or, with ``oov_char=None``, drop) words outside ``[skip_top, num_words)``."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs) -> np.ndarray:
    """A 1-D numpy object array of lists (ragged sequences)."""
    out = np.empty(len(xs), dtype="object")
    out[:] = [list(x) for x in xs]
    return out
