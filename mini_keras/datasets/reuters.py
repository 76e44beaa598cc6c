"""Reuters newswires: 11,228 newswires labelled with one of 46 topics."""

from __future__ import annotations

import json

import numpy as np

from mini_keras.datasets import _sequences as seq
from mini_keras.datasets._files import get_file
from mini_keras.datasets._safe_pickle import load_npz

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"


def load_data(path: str = "reuters.npz", num_words=None, skip_top: int = 0, maxlen=None,
              test_split: float = 0.2, seed: int = 113, start_char=1, oov_char=2,
              index_from: int = 3):
    """Load Reuters (downloaded once, checksum-verified), with Keras 3's arguments.

    Args:
        path: file name in the cache.
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in
            :func:`mini_keras.datasets.imdb.load_data`.
        test_split: fraction of the (shuffled) newswires kept for the test set.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of word indices and
        int topic labels (0-45).
    """
    f = load_npz(get_file(path, ORIGIN_FOLDER + "reuters.npz", FILE_HASH))
    xs, labels = seq.shuffle(np.random.RandomState(seed), f["x"], f["y"])
    xs, labels = seq.encode(xs, start_char, index_from), list(labels)
    if maxlen:
        xs, labels = seq.drop_long(maxlen, xs, labels)
    xs = seq.limit_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return ((seq.as_object_array(xs[:idx]), labels[:idx]),
            (seq.as_object_array(xs[idx:]), labels[idx:]))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """Return the dict word -> index (before the ``index_from`` shift); downloaded once."""
    with open(get_file(path, ORIGIN_FOLDER + "reuters_word_index.json", WORD_INDEX_HASH)) as f:
        return json.load(f)
