"""``TextVectorization``: strings -> token indices or bag-of-words vectors, on the host.

Standardize (ASCII lower-casing and punctuation stripping, as ``tf.strings.lower`` and
Keras' punctuation regex), split (ASCII whitespace, or characters), n-grams joined by a
space, then a :class:`StringLookup` with mask token ``""``. Everything is Python string work
on numpy arrays, so the layer behaves the same on every backend and inside ``tf.data``.
"""

from __future__ import annotations

import re
import string

import numpy as np

from mini_keras import config as mk_config
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.preprocessing import encoding as enc
from mini_keras.layers.preprocessing.host import (
    HostLayer,
    host_array,
    is_text,
    iterate_batches,
    to_text_list,
)
from mini_keras.layers.preprocessing.index_lookup import StringLookup
from mini_keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["TextVectorization"]

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_LOWER = {ord(c): c.lower() for c in string.ascii_uppercase}
_STRIP = dict.fromkeys(map(ord, string.punctuation))
_TABLES = {"lower": _LOWER, "strip_punctuation": _STRIP,
           "lower_and_strip_punctuation": {**_LOWER, **_STRIP}}
# Whitespace that Python's str.split() splits on but TensorFlow's ASCII split does not.
_NON_ASCII_SPACE = re.compile("[\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
                              "\u205f\u3000]")
_ASCII_SPACE = re.compile("[ \t\n\v\f\r]+")


_MARK = "\x00"  # row separator inside one whole-batch split (only used when absent)


class _Marked(list):
    """All tokens of a batch from one ``str.split``, rows separated by ``_MARK`` tokens."""


def _rows(tokens):
    """Token rows (lists) from :class:`_Marked` tokens (or rows, unchanged)."""
    if not isinstance(tokens, _Marked):
        return tokens
    rows, row = [], []
    for token in tokens:
        if token == _MARK:
            rows.append(row)
            row = []
        else:
            row.append(token)
    rows.append(row)
    return rows


def _check_choice(name, value, allowed):
    if value is None or callable(value) or value in allowed:
        return value
    raise ValueError(f"TextVectorization: `{name}` must be None, a callable or one of "
                     f"{list(allowed)}, received {name}={value!r}.")


class TextVectorization(HostLayer):
    """Turn strings into token indices (``int``) or vectors (``multi_hot``, ``count``,
    ``tf_idf``), with a vocabulary given or learned by :meth:`adapt` (Keras 3's layer).

    Args:
        max_tokens: largest vocabulary size, the mask ``""`` and OOV ``[UNK]`` included.
        standardize: "lower_and_strip_punctuation", "lower", "strip_punctuation", None or
            a callable (numpy array of str -> array of str).
        split: "whitespace", "character", None, or a callable (array of str -> lists of
            tokens).
        ngrams: None, an int n (all 1..n-grams) or a tuple of widths.
        output_mode: "int", "multi_hot", "count" or "tf_idf" (also "one_hot" with
            ``split=None``).
        output_sequence_length: ``int`` mode: pad/trim the last axis to this length.
        pad_to_max_tokens: non-int modes: output ``max_tokens`` columns.
        vocabulary: list of terms or a file path; idf_weights: with ``tf_idf`` mode.
        encoding: encoding of bytes inputs.

    Inputs: strings of shape ``(batch,)`` or ``(batch, 1)`` (numpy, list, ``tf.string``).
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None,
                 **kwargs):
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        super().__init__(name=name, **kwargs)
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        enc.check_mode("TextVectorization", output_mode, enc.CATEGORICAL_MODES + ("tf_idf",))
        self._standardize = _check_choice("standardize", standardize, _STANDARDIZE)
        self._split = _check_choice("split", split, _SPLIT)
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError("TextVectorization: `ngrams` must be None, an integer or a tuple "
                             f"of integers, received ngrams={ngrams!r}.")
        if output_mode == "int" and not (output_sequence_length is None
                                         or isinstance(output_sequence_length, int)):
            raise ValueError("TextVectorization: `output_sequence_length` must be None or an "
                             f"int, received {output_sequence_length!r}.")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("TextVectorization: `output_sequence_length` must not be set if "
                             f"`output_mode` is not 'int', received {output_mode!r}.")
        if sparse or ragged:
            raise ValueError("TextVectorization: `sparse`/`ragged` outputs need TensorFlow's "
                             "composite tensors, which mini_keras does not have; use the "
                             "dense output (default).")
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            encoding=encoding, has_input_vocabulary=has_input_vocabulary,
            vocabulary_size=vocabulary_size)

    # ------------------------------------------------------------------ vocabulary
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary from strings: an array/list of sentences, a
        ``tf.data.Dataset`` or an iterable of batches. Ties in frequency are broken by the
        token, both descending, as Keras 3 does."""
        if batch_size is not None:
            raise ValueError("TextVectorization.adapt: `batch_size` is not used by Keras 3's "
                             "adapt either; batch a dataset instead.")
        lookup = self._lookup_layer
        lookup.reset_state()
        for batch in iterate_batches(f"TextVectorization '{self.name}'", data, steps):
            tokens = self._preprocess(host_array(batch))
            if isinstance(tokens, _Marked) and self._output_mode != "tf_idf":
                lookup.count_marked(tokens, _MARK)
            else:
                lookup.update_state(_rows(tokens))
        lookup.finalize_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary; with special tokens (``""``, ``[UNK]``) a term's position is its
        index."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """Size of the vocabulary, special tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (and idf weights in ``tf_idf`` mode) directly."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ text processing
    def _check_input(self, inputs) -> None:
        array = inputs if isinstance(inputs, np.ndarray) else None
        if array is not None and not is_text(array):
            raise TypeError(f"TextVectorization '{self.name}' expects strings (a numpy str/"
                            f"bytes/object array, a list of str or a tf.string tensor), "
                            f"received an array of dtype {array.dtype}.")

    def _standardized(self, texts: list) -> list:
        mode = self._standardize
        if mode is None:
            return texts
        if callable(mode):
            out = mode(np.array(texts, dtype=str) if texts else np.array([], dtype=str))
            return to_text_list(host_array(out).astype(object), self._encoding)
        table = _TABLES[mode]
        joined = _MARK.join(texts)  # one translate call for the batch, when it is safe
        if joined.count(_MARK) == len(texts) - 1:
            return joined.translate(table).split(_MARK) if texts else []
        return [t.translate(table) for t in texts]

    def _split_texts(self, texts: list) -> list:
        split = self._split
        if split == "whitespace":
            if _NON_ASCII_SPACE.search("".join(texts)):
                return [[tok for tok in _ASCII_SPACE.split(t) if tok] for t in texts]
            return [t.split() for t in texts]
        if split == "character":
            return [list(t) for t in texts]
        rows = split(np.array(texts, dtype=str))
        return [to_text_list(host_array(r).astype(object), self._encoding) for r in rows]

    def _with_ngrams(self, rows: list) -> list:
        out = []
        for tokens in rows:
            grams = []
            for n in self._ngrams:
                if n == 1:
                    grams.extend(tokens)
                else:
                    grams.extend(" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
            out.append(grams)
        return out

    def _preprocess(self, array: np.ndarray):
        """Standardize, split and n-gram: a list of token lists (split), else an array."""
        if not is_text(array):
            raise TypeError(f"TextVectorization '{self.name}' expects strings, received an "
                            f"array of dtype {array.dtype}.")
        if array.ndim == 0:
            array = array[None]
        if self._split is not None and array.ndim > 1:
            if array.shape[-1] != 1 or array.ndim > 2:
                raise ValueError(f"TextVectorization '{self.name}': to tokenize strings the "
                                 "input must have shape (batch,) or (batch, 1), received shape "
                                 f"{array.shape}.")
            array = array[:, 0]
        texts = self._standardized(to_text_list(
            array.astype(object) if array.dtype.kind == "S" else array, self._encoding))
        if self._split is None:
            tokens = np.empty(len(texts), dtype=object)
            tokens[:] = texts
            tokens = tokens.reshape(array.shape)
            if self._ngrams is not None:
                raise ValueError(f"TextVectorization '{self.name}': `ngrams` needs `split`.")
            return tokens
        if self._split == "whitespace" and self._ngrams is None and len(texts) > 1:
            joined = _MARK.join(texts)  # one split of the batch, rows separated by markers
            if joined.count(_MARK) == len(texts) - 1 and not _NON_ASCII_SPACE.search(joined):
                return _Marked(joined.replace(_MARK, f" {_MARK} ").split())
        rows = self._split_texts(texts)
        return self._with_ngrams(rows) if self._ngrams is not None else rows

    def host_call(self, array: np.ndarray) -> np.ndarray:
        lookup = self._lookup_layer
        if lookup.vocabulary_size() <= lookup._token_start() and not lookup._tokens:
            raise ValueError(f"TextVectorization '{self.name}' has no vocabulary: call "
                             "`adapt()` on sample text or pass `vocabulary=` before calling "
                             "the layer on strings of shape (batch,) or (batch, 1).")
        tokens = self._preprocess(array)
        if isinstance(tokens, np.ndarray):
            indices = lookup._lookup_flat(tokens.ravel().tolist()).reshape(tokens.shape)
            out = lookup.encode_indices(indices)
            if self._output_mode != "int" or self._output_sequence_length is None:
                return out
            out = out.reshape(len(out), -1) if out.ndim > 1 else out[None]
            flat, lengths = out.ravel(), np.full(len(out), out.shape[1], dtype=np.int64)
        else:
            flat, lengths = (lookup.lookup_marked(tokens, _MARK) if isinstance(tokens, _Marked)
                             else lookup.lookup_rows(tokens))
            if self._output_mode != "int":
                return lookup.encode_indices((flat, lengths))
        width = self._output_sequence_length
        if width is None:
            width = int(lengths.max()) if lengths.size else 0
        return enc.pad_rows(flat, lengths, width)

    # ------------------------------------------------------------------ shapes, config
    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        lookup = self._lookup_layer
        depth = lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size
        if self._split is None:
            return enc.encoded_shape(input_shape or (1,), self._output_mode, depth)
        return (input_shape[0] if input_shape else None, depth)

    def compute_output_spec(self, inputs, *args, **kwargs):
        dtype = "int64" if self._output_mode == "int" else mk_config.floatx()
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    def get_config(self):
        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else v

        def fn(v):
            return serialize_keras_object(v) if callable(v) else v
        lookup = self._lookup_layer
        base = super().get_config()
        base.pop("batch_input_shape", None)
        return {**base, "max_tokens": lookup.max_tokens, "standardize": fn(self._standardize),
                "split": fn(self._split), "ngrams": self._ngrams_arg,
                "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length,
                "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": False,
                "ragged": False, "vocabulary": plain(lookup.input_vocabulary),
                "idf_weights": plain(lookup.input_idf_weights), "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("standardize", "split"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_keras_object(config[key])
        return super().from_config(config)

    def save_own_variables(self, store) -> None:
        """Keras 3 keeps the lookup's state (tf-idf weights) in this layer's group."""
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store) -> None:
        """Inverse of :meth:`save_own_variables`."""
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        """Write ``vocabulary.txt`` (Keras 3's asset)."""
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        """Read ``vocabulary.txt``."""
        self._lookup_layer.load_assets(dir_path)
