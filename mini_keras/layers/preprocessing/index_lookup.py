"""Vocabulary lookups: ``StringLookup`` and ``IntegerLookup`` (Keras 3's ``IndexLookup``).

The vocabulary is a Python dict on the host. ``adapt`` counts tokens and keeps the most
frequent, ties broken by the token itself, both descending (Keras' order). Saved files keep
the vocabulary as the asset ``vocabulary.txt`` and tf-idf weights as ``idf_weights``, as
Keras 3 does.
"""

from __future__ import annotations

import collections
import itertools
import os

import numpy as np

from mini_keras import config as mk_config
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.preprocessing import encoding as enc
from mini_keras.layers.preprocessing.farmhash import hash_bucket
from mini_keras.layers.preprocessing.host import (
    HostLayer,
    host_array,
    is_text,
    iterate_batches,
    to_text_list,
)

__all__ = ["IntegerLookup", "StringLookup"]

_MODES = enc.CATEGORICAL_MODES + ("tf_idf",)
_MARKED = -3  # index of a row-separator token in lookup_marked
_ALIASES = {"binary": "multi_hot", "tf-idf": "tf_idf"}


class IndexLookup(HostLayer):
    """Map tokens to indices through a vocabulary (base of StringLookup/IntegerLookup).

    Index layout (Keras'): ``[mask (int mode only)] [num_oov_indices OOV] [tokens...]``.
    """

    _is_string = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, vocabulary_dtype=None,
                 oov_method="floormod", salt=None, encoding="utf-8", name=None, **kwargs):
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        super().__init__(name=name, **kwargs)
        kind = type(self).__name__
        output_mode = enc.check_mode(kind, _ALIASES.get(output_mode, output_mode), _MODES)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{kind}: `max_tokens` must be greater than 1, received "
                             f"max_tokens={max_tokens}.")
        if num_oov_indices < 0:
            raise ValueError(f"{kind}: `num_oov_indices` must be >= 0, received "
                             f"num_oov_indices={num_oov_indices}.")
        if invert and output_mode != "int":
            raise ValueError(f"{kind}: `output_mode` must be 'int' when `invert` is true, "
                             f"received output_mode={output_mode!r}.")
        if sparse:
            raise ValueError(f"{kind}: `sparse=True` needs sparse tensors, which mini_keras "
                             "does not have; use sparse=False.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"{kind}: `idf_weights` should only be set if `output_mode` is "
                             f"'tf_idf', received output_mode={output_mode!r}.")
        if salt is not None:
            raise NotImplementedError(f"{kind}: `salt` (SipHash OOV buckets) is not supported; "
                                      "use salt=None (FarmHash buckets, as Keras' default).")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"{kind}: `oov_method` must be 'floormod' or 'farmhash', received "
                             f"{oov_method!r}.")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode, self.sparse = bool(invert), output_mode, False
        self.pad_to_max_tokens, self.oov_method, self.salt = pad_to_max_tokens, oov_method, salt
        self.encoding = encoding
        self.vocabulary_dtype = vocabulary_dtype
        self.input_vocabulary = None if isinstance(vocabulary, str) else vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._frozen_vocab_size = frozen_size
        self._tokens: list = []
        self._table: dict = {}
        self.idf_weights = None
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{kind}: in 'tf_idf' output mode, pass `idf_weights` together "
                             "with `vocabulary`.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------ index layout
    def _oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """Size of the vocabulary, mask and OOV indices included."""
        return self._token_start() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary; with special tokens, a term's position is its index."""
        if not include_special_tokens:
            return list(self._tokens)
        return ([self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices
                + list(self._tokens))

    def _depth(self) -> int:
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"{type(self).__name__} '{self.name}': with output_mode="
                f"{self.output_mode!r} and pad_to_max_tokens=False, set the vocabulary before "
                "calling the layer: pass `vocabulary` or call `adapt()` on sample data.")
        return self._frozen_vocab_size

    # ------------------------------------------------------------------ tokens
    def _tokens_of(self, values) -> list:
        """Vocabulary entries (str or int) from a list/array."""
        array = host_array(values)
        if self._is_string:
            return to_text_list(array.astype(object) if array.dtype.kind == "S" else array,
                                self.encoding)
        return [int(v) for v in array.ravel().tolist()]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (a list/array, or a path to a one-term-per-line file) and, in
        ``tf_idf`` mode, the idf weights. A leading run of the special tokens is skipped."""
        kind = f"{type(self).__name__} '{self.name}'"
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError(f"{kind}: `idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"{kind}: `idf_weights` should only be set if output_mode is "
                             f"'tf_idf', received output_mode={self.output_mode!r}.")
        if isinstance(vocabulary, (str, os.PathLike)):
            if not os.path.exists(vocabulary):
                raise ValueError(f"{kind}: vocabulary file {vocabulary!r} does not exist.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
            while vocabulary and vocabulary[-1] == "":
                vocabulary.pop()
        tokens = self._tokens_of(vocabulary)
        if not tokens:
            raise ValueError(f"{kind}: cannot set an empty vocabulary.")
        special = [self.mask_token] * self._oov_start() + [self.oov_token] * self.num_oov_indices
        found_special = tokens[:len(special)] == special
        if found_special:
            tokens = tokens[len(special):]
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"{kind}: the vocabulary has repeated terms {repeated}; pass "
                             "unique terms.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"{kind}: found the mask token {self.mask_token!r} inside the "
                             f"vocabulary; include special tokens only at the start, in "
                             f"this order: {special}.")
        if self.invert and self.oov_token is not None and self.oov_token in tokens:
            raise ValueError(f"{kind}: found the OOV token {self.oov_token!r} inside the "
                             f"vocabulary; include special tokens only at the start, in "
                             f"this order: {special}.")
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"{kind}: the vocabulary size {size} exceeds "
                             f"max_tokens={self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            weights = np.asarray(host_array(idf_weights), dtype="float64")
            if weights.ndim != 1 or len(weights) != len(tokens) + (len(special) if found_special
                                                                     else 0):
                raise ValueError(f"{kind}: `idf_weights` must be 1-D with one weight per "
                                 f"vocabulary term, received shape {weights.shape} for "
                                 f"{len(tokens)} terms.")
            front = 0 if found_special else self._token_start()
            self._set_idf(weights, front, float(np.mean(weights)) if front else 0.0)

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start()
        self._table = {t: i for i, t in enumerate(self._tokens, start)}
        if (self.output_mode != "int" and not self.pad_to_max_tokens and self.built
                and self._frozen_vocab_size not in (None, self.vocabulary_size())):
            raise RuntimeError(
                f"{type(self).__name__} '{self.name}': with output_mode={self.output_mode!r} "
                "and pad_to_max_tokens=False the vocabulary size cannot change after the "
                f"layer is called (was {self._frozen_vocab_size}, now "
                f"{self.vocabulary_size()}).")
        self._frozen_vocab_size = self.vocabulary_size()

    def _set_idf(self, weights, front: int, front_value: float) -> None:
        back = 0
        if self.pad_to_max_tokens and self.max_tokens is not None:
            back = self.max_tokens - front - len(weights)
        padded = np.pad(weights, (front, back), constant_values=(front_value, 0.0))
        self.idf_weights = padded.astype(mk_config.floatx())

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps=None) -> None:
        """Learn the vocabulary (and document frequencies in ``tf_idf`` mode) from ``data``:
        an array/list (each element one document), a ``tf.data.Dataset`` or an iterable."""
        self.reset_state()
        for batch in iterate_batches(f"{type(self).__name__} '{self.name}'", data, steps):
            array = host_array(batch)
            self.update_state(array[:, None] if array.ndim == 1 else array)
        self.finalize_state()

    def reset_state(self) -> None:
        """Forget the token counts gathered by :meth:`update_state`."""
        self._counts = collections.Counter()
        self._doc_counts = collections.Counter()
        self._num_docs = 0

    def update_state(self, data) -> None:
        """Count the tokens of one batch (rows are documents; a list of lists is ragged)."""
        if self._has_input_vocabulary:
            raise ValueError(f"{type(self).__name__} '{self.name}': cannot adapt after a fixed "
                             "vocabulary was set with `vocabulary` or `set_vocabulary()`.")
        if not hasattr(self, "_counts"):
            self.reset_state()
        if isinstance(data, list) and data and isinstance(data[0], list):
            rows = data
        else:
            array = host_array(data)
            array = array[None] if array.ndim <= 1 else array
            rows = [self._tokens_of(row) for row in array.reshape(len(array), -1)]
        self._counts.update(itertools.chain.from_iterable(rows))
        if self.output_mode == "tf_idf":
            for row in rows:
                self._doc_counts.update(set(row))
            self._num_docs += len(rows)

    def finalize_state(self) -> None:
        """Build the vocabulary from the counts (most frequent first)."""
        if self._has_input_vocabulary or not getattr(self, "_counts", None):
            return
        for special in (self.mask_token, self.oov_token):
            self._counts.pop(special, None)
        ordered = sorted(self._counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens is not None:
            ordered = ordered[:self.max_tokens - self._token_start()]
        tokens = [t for t, _ in ordered]
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            docs = np.array([self._doc_counts[t] for t in tokens], dtype="float64")
            idf = np.log(1.0 + self._num_docs / (1.0 + docs)).astype(mk_config.floatx())
            self._set_idf(idf, self._token_start(), float(np.mean(idf)) if len(idf) else 0.0)
        self.reset_state()

    # ------------------------------------------------------------------ call
    def _check_dtype(self, array: np.ndarray) -> None:
        text = is_text(array)
        want_text = self._is_string and not self.invert
        if text != want_text or (not text and array.dtype.kind not in "iub"):
            expected = "strings" if want_text else "integers"
            raise TypeError(f"{type(self).__name__} '{self.name}' expects {expected} as "
                            f"input, received an array of dtype {array.dtype}.")

    def lookup_rows(self, rows: list):
        """Ragged lookups (TextVectorization): ``(indices, lengths)`` for lists of tokens,
        the indices of all rows concatenated."""
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        return self._lookup_flat(list(itertools.chain.from_iterable(rows))), lengths

    def lookup_marked(self, tokens: list, marker: str):
        """Ragged lookups from one flat token list whose rows are separated by ``marker``
        tokens (one ``str.split`` of a whole batch): ``(indices, lengths)``."""
        indices = self._lookup_flat(tokens, {marker: _MARKED})
        bounds = np.concatenate([[-1], np.flatnonzero(indices == _MARKED), [indices.size]])
        return indices[indices != _MARKED], np.diff(bounds) - 1

    def count_marked(self, tokens: list, marker: str) -> None:
        """:meth:`update_state` for a flat token list with row ``marker`` tokens."""
        self.update_state([[]])  # the checks and the state, nothing counted
        self._counts.update(tokens)
        self._counts.pop(marker, None)

    def _lookup_flat(self, flat: list, extra: dict | None = None) -> np.ndarray:
        oov = -2  # sentinel for OOV tokens needing a hash bucket or an error
        default = self._oov_start() if self.num_oov_indices == 1 else oov
        table = self._table
        if self.mask_token is not None or extra:  # one dict pass maps the mask (-1: dropped)
            table = {**table, **(extra or {})}
            if self.mask_token is not None:
                table[self.mask_token] = 0 if self.output_mode == "int" else -1
        indices = np.fromiter(map(table.get, flat, itertools.repeat(default, len(flat))),
                              dtype=np.int64, count=len(flat))
        if default != oov:
            return indices
        where = np.flatnonzero(indices == oov)
        if not where.size:
            return indices
        values = [flat[i] for i in where]
        if self.num_oov_indices == 0:
            found = sorted(set(values), key=str)
            raise ValueError(f"{type(self).__name__} '{self.name}': with num_oov_indices=0 all "
                             f"inputs must be in the vocabulary, found OOV values {found[:10]}; "
                             "consider num_oov_indices=1.")
        if self._is_string or self.oov_method == "farmhash":
            buckets = hash_bucket([str(v) for v in values], self.num_oov_indices)
        else:
            buckets = np.mod(values, self.num_oov_indices)
        indices[where] = np.asarray(buckets, dtype=np.int64) + self._oov_start()
        return indices

    def _invert(self, array: np.ndarray) -> np.ndarray:
        vocab = self.get_vocabulary()
        size = len(vocab)
        flat = [vocab[i] if 0 <= i < size and i >= self._token_start() else self.oov_token
                for i in array.ravel().tolist()]
        if self.mask_token is not None:
            flat = [self.mask_token if i == 0 else v for i, v in zip(array.ravel().tolist(), flat)]
        if self._is_string:
            return np.array(flat, dtype=object).reshape(array.shape)
        return np.array(flat, dtype=np.int64).reshape(array.shape)

    def host_call(self, array: np.ndarray) -> np.ndarray:
        self._check_dtype(array)
        if self.invert:
            return self._invert(array.astype(np.int64))
        indices = self._lookup_flat(self._tokens_of(array)).reshape(array.shape)
        return self.encode_indices(indices)

    def encode_indices(self, indices):
        """int indices (an array, or ``(flat, lengths)`` of ragged rows) -> the output mode."""
        if self.output_mode == "int":
            return indices
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = enc.encode(indices, mode, self._depth(), dtype=mk_config.floatx())
        if self.output_mode == "tf_idf":
            out = (out * self.idf_weights).astype(mk_config.floatx())
        return out

    def output_dtype(self) -> str:
        """dtype of the outputs: int64 (indices), the vocabulary dtype (invert) or floatx."""
        if self.invert:
            return "string" if self._is_string else "int64"
        return "int64" if self.output_mode == "int" else mk_config.floatx()

    def call(self, inputs):
        result = self.host_call(host_array(inputs))
        if self.invert and self._is_string:
            return result  # strings stay on the host
        from mini_keras import ops
        return ops.convert_to_tensor(result)

    def compute_output_shape(self, input_shape):
        depth = None if self.output_mode == "int" else (
            self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size)
        return enc.encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.output_dtype())

    # ------------------------------------------------------------------ saving
    def save_assets(self, dir_path: str) -> None:
        """Write ``vocabulary.txt`` (Keras 3's asset) unless the config holds it."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(t) for t in self.get_vocabulary()))

    def load_assets(self, dir_path: str) -> None:
        """Read ``vocabulary.txt`` written by :meth:`save_assets` (or by Keras 3)."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self._is_string else [int(v) for v in lines]
        if not values:
            return
        idf = self.idf_weights
        had = self._has_input_vocabulary
        self._has_input_vocabulary = False
        self.set_vocabulary(values, idf_weights=idf)
        self._has_input_vocabulary = had

    def save_own_variables(self, store) -> None:
        """Keras 3 stores only the tf-idf weights, under ``idf_weights``."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = self.idf_weights

    def load_own_variables(self, store) -> None:
        """Inverse of :meth:`save_own_variables`."""
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"]).astype(mk_config.floatx())

    def get_config(self):
        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else v
        base = super().get_config()
        base.pop("batch_input_shape", None)
        return {**base, "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
                "mask_token": self.mask_token, "output_mode": self.output_mode,
                "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "idf_weights": plain(self.input_idf_weights),
                "vocabulary": plain(self.input_vocabulary),
                "vocabulary_size": self._frozen_vocab_size, "oov_method": self.oov_method,
                "salt": self.salt, "encoding": self.encoding}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("vocabulary_dtype", None)
        return super().from_config(config)


class StringLookup(IndexLookup):
    """Map strings to integer indices through a vocabulary (Keras 3's ``StringLookup``).

    Args:
        max_tokens: largest vocabulary size (special tokens included); None: unlimited.
        num_oov_indices: OOV buckets (more than one: FarmHash buckets, as Keras).
        mask_token: token mapped to index 0 (int mode) or dropped; None: no mask.
        oov_token: token returned for OOV indices when ``invert=True``.
        vocabulary: list/array of terms or a path to a one-term-per-line file.
        idf_weights: tf-idf weights (``output_mode="tf_idf"`` with ``vocabulary``).
        invert: map indices back to strings.
        output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        pad_to_max_tokens: non-int modes output ``max_tokens`` columns.
        encoding: text encoding of bytes inputs.

    Example:
        >>> StringLookup(vocabulary=["a", "b"])(np.array(["a", "z", "b"]))  # [1, 0, 2]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, pad_to_max_tokens=pad_to_max_tokens,
                         vocabulary_dtype="string", encoding=encoding, name=name, **kwargs)


class IntegerLookup(IndexLookup):
    """Map integers to contiguous indices through a vocabulary (Keras 3's ``IntegerLookup``).

    Same arguments as :class:`StringLookup`, with integer ``mask_token`` (default None) and
    ``oov_token`` (default -1); ``vocabulary_dtype`` is "int64".
    """

    _is_string = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 output_mode="int", sparse=False, vocabulary=None, vocabulary_dtype="int64",
                 idf_weights=None, invert=False, name=None, **kwargs):
        if vocabulary_dtype not in ("int64", "int32"):
            raise ValueError(f"IntegerLookup: `vocabulary_dtype` must be an integer dtype, "
                             f"received {vocabulary_dtype!r}.")
        if mask_token is not None and not isinstance(mask_token, int):
            raise TypeError(f"IntegerLookup: `mask_token` must be an int, received "
                            f"{mask_token!r}.")
        kwargs.pop("encoding", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices,
                         mask_token=mask_token, oov_token=oov_token, vocabulary=vocabulary,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode,
                         sparse=sparse, vocabulary_dtype=vocabulary_dtype, name=name, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.pop("encoding")
        return {**config, "vocabulary_dtype": self.vocabulary_dtype}
