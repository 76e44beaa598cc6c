"""IMDB movie reviews: 25,000 + 25,000 reviews labelled positive (1) or negative (0).

Each review is a list of word indices (index ``i`` is the ``i``-th most frequent word, shifted
by ``index_from``); 0 is padding, 1 the start marker and 2 out-of-vocabulary.
"""

from __future__ import annotations

import json

import numpy as np

from mini_keras.datasets import _sequences as seq
from mini_keras.datasets._files import get_file
from mini_keras.datasets._safe_pickle import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words=None, skip_top: int = 0, maxlen=None,
              seed: int = 113, start_char=1, oov_char=2, index_from: int = 3, **kwargs):
    """Load IMDB (downloaded once, checksum-verified), with Keras 3's arguments.

    Args:
        path: file name in the cache.
        num_words: keep the ``num_words`` most frequent words; others become ``oov_char``.
        skip_top: also treat the ``skip_top`` most frequent words as out-of-vocabulary.
        maxlen: drop reviews with ``maxlen`` or more words.
        seed: shuffling seed.
        start_char, oov_char, index_from: the special indices described in the module doc.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ints, and int
        label arrays, 25,000 each.
    """
    if kwargs:
        raise TypeError(f"imdb.load_data: unrecognized arguments {sorted(kwargs)}")
    f = load_npz(get_file(path, ORIGIN_FOLDER + "imdb.npz", FILE_HASH))
    rng = np.random.RandomState(seed)
    x_train, y_train = seq.shuffle(rng, f["x_train"], f["y_train"])
    x_test, y_test = seq.shuffle(rng, f["x_test"], f["y_test"])
    x_train = seq.encode(x_train, start_char, index_from)
    x_test = seq.encode(x_test, start_char, index_from)
    y_train, y_test = list(y_train), list(y_test)
    if maxlen:
        x_train, y_train = seq.drop_long(maxlen, x_train, y_train)
        x_test, y_test = seq.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"imdb.load_data: no review is shorter than maxlen={maxlen}; "
                             "increase maxlen.")
    xs = seq.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    n = len(x_train)
    return ((seq.as_object_array(xs[:n]), np.asarray(y_train)),
            (seq.as_object_array(xs[n:]), np.asarray(y_test)))


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """Return the dict word -> index (before the ``index_from`` shift); downloaded once."""
    with open(get_file(path, ORIGIN_FOLDER + "imdb_word_index.json", WORD_INDEX_HASH)) as f:
        return json.load(f)
