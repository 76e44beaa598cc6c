"""Categorical preprocessing: ``CategoryEncoding``, ``Hashing``, ``Discretization``.

``CategoryEncoding`` and ``Discretization`` are numeric and written in ``ops`` (they run
inside compiled steps on every backend); ``Hashing`` hashes strings on the host with
FarmHash ``Fingerprint64``, so its bins equal Keras 3's.
"""

from __future__ import annotations

import numpy as np

from mini_keras import config as mk_config
from mini_keras import ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.layer import Layer
from mini_keras.layers.preprocessing import encoding as enc
from mini_keras.layers.preprocessing.farmhash import hash_bucket
from mini_keras.layers.preprocessing.host import (
    HostLayer,
    host_array,
    is_text,
    iterate_batches,
    to_text_list,
)

__all__ = ["CategoryEncoding", "Discretization", "Hashing"]


def _encode_ops(indices, output_mode: str, depth: int, dtype, count_weights=None):
    """``ops`` version of :func:`encoding.encode` (traceable; out-of-range ids give zeros)."""
    if output_mode == "int":
        return ops.cast(indices, dtype)
    shape = ops.shape(indices)
    if len(shape) == 0:
        indices = ops.expand_dims(indices, -1)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            indices = ops.squeeze(indices, -1)
        return ops.one_hot(indices, depth, dtype=dtype)
    hot = ops.one_hot(indices, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return ops.max(hot, axis=-2)
    if count_weights is not None:
        hot = ops.multiply(hot, ops.expand_dims(ops.cast(count_weights, dtype), -1))
    return ops.sum(hot, axis=-2)


class CategoryEncoding(Layer):
    """Encode integer ids in ``[0, num_tokens)`` as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: number of categories (the output's last size).
        output_mode: "one_hot", "multi_hot" (default) or "count".
        sparse: must be False (no sparse tensors).

    Call arguments: ``inputs`` (integer ids; multi_hot/count reduce the last axis, a rank-1
    input is one sample), ``count_weights`` (``count`` mode: a weight per id).
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        output_mode = {"binary": "multi_hot"}.get(output_mode, output_mode)
        enc.check_mode("CategoryEncoding", output_mode, ("one_hot", "multi_hot", "count"))
        if num_tokens is None or num_tokens < 1:
            raise ValueError("CategoryEncoding: `num_tokens` must be a positive int, received "
                             f"num_tokens={num_tokens!r}.")
        if sparse:
            raise ValueError("CategoryEncoding: `sparse=True` needs sparse tensors, which "
                             "mini_keras does not have; use sparse=False.")
        self.num_tokens, self.output_mode, self.sparse = int(num_tokens), output_mode, False

    def _to_tensor(self, x):
        array = x if isinstance(x, np.ndarray) else None
        if array is not None and array.dtype.kind not in "iub":
            raise TypeError(f"CategoryEncoding '{self.name}' expects integer ids in [0, "
                            f"{self.num_tokens}), received an array of dtype {array.dtype}.")
        if array is not None and array.size and (array.min() < 0 or
                                                 array.max() >= self.num_tokens):
            raise ValueError(f"CategoryEncoding '{self.name}': every id must be in [0, "
                             f"{self.num_tokens}), received values in [{array.min()}, "
                             f"{array.max()}].")
        return super()._to_tensor(x)

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError(f"CategoryEncoding '{self.name}': `count_weights` is only used "
                             f"with output_mode='count', received {self.output_mode!r}.")
        return _encode_ops(inputs, self.output_mode, self.num_tokens, self.compute_dtype,
                           count_weights)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        return enc.encoded_shape(shape, self.output_mode, self.num_tokens)

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode, "sparse": False}


class Hashing(HostLayer):
    """Hash values into ``num_bins`` bins with FarmHash ``Fingerprint64`` (Keras' bins).

    Args:
        num_bins: number of bins (bin 0 is kept for ``mask_value`` when one is given).
        mask_value: value hashed to bin 0 (others to ``1 + hash % (num_bins - 1)``).
        salt: not supported (Keras' SipHash variant); None.
        output_mode: "int", "one_hot", "multi_hot" or "count".

    Integers are hashed as their decimal strings and floats are truncated to integers
    first, as Keras (``tf.as_string``) does.
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else mk_config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"Hashing: `num_bins` must be a positive int, received "
                             f"num_bins={num_bins!r}.")
        enc.check_mode("Hashing", output_mode)
        if salt is not None:
            raise NotImplementedError("Hashing: `salt` (SipHash) is not supported; use "
                                      "salt=None (FarmHash, Keras' default).")
        if sparse:
            raise ValueError("Hashing: `sparse=True` needs sparse tensors, which mini_keras "
                             "does not have; use sparse=False.")
        self.num_bins, self.mask_value, self.salt = int(num_bins), mask_value, None
        self.output_mode, self.sparse = output_mode, False

    def host_call(self, array: np.ndarray) -> np.ndarray:
        bins = self.num_bins
        if is_text(array):
            values = to_text_list(array.astype(object) if array.dtype.kind == "S" else array)
        elif array.dtype.kind in "iufb":
            values = [str(v) for v in array.astype(np.int64).ravel().tolist()]
        else:
            raise TypeError(f"Hashing '{self.name}' expects strings or numbers, received an "
                            f"array of dtype {array.dtype}.")
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = np.asarray([v == str(self.mask_value) for v in values]).reshape(array.shape)
        out = np.asarray(hash_bucket(values, bins), dtype=np.int64).reshape(array.shape)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        if self.output_mode == "int":
            return out.astype(self.compute_dtype)
        if self.output_mode == "one_hot" and out.ndim and out.shape[-1] == 1:
            out = out[..., 0]
        return enc.encode(out, self.output_mode, self.num_bins, dtype=self.compute_dtype)

    def compute_output_spec(self, inputs, *args, **kwargs):
        shape = tuple(inputs.shape)
        if self.output_mode != "int":
            shape = enc.encoded_shape(shape or (1,), self.output_mode, self.num_bins)
        return KerasTensor(shape, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "salt": None,
                "mask_value": self.mask_value, "output_mode": self.output_mode,
                "sparse": False}


class Discretization(Layer):
    """Bucket continuous values by ``bin_boundaries`` (given, or learned by :meth:`adapt`).

    Args:
        bin_boundaries: sorted boundaries; bucket ``i`` holds ``b[i-1] <= x < b[i]``.
        num_bins: number of bins to learn with :meth:`adapt` (quantiles).
        epsilon: error tolerance of the quantile summary (Keras' algorithm).
        output_mode: "int" (int32 bucket ids), "one_hot", "multi_hot" or "count".
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        enc.check_mode("Discretization", output_mode)
        if sparse:
            raise ValueError("Discretization: `sparse=True` needs sparse tensors, which "
                             "mini_keras does not have; use sparse=False.")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization: `num_bins` must be >= 0, received {num_bins}.")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Discretization: set `num_bins` or `bin_boundaries`, not both; "
                             f"received num_bins={num_bins}, bin_boundaries={bin_boundaries}.")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("Discretization: set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = output_mode, False
        self._summary = np.zeros((2, 0), dtype="float32")

    @property
    def output_dtype(self) -> str:
        """int32 for bucket ids, else the compute dtype."""
        return "int32" if self.output_mode == "int" else self.compute_dtype

    def adapt(self, data, steps=None) -> None:
        """Learn ``num_bins`` quantile boundaries from ``data`` (array, dataset, iterable)."""
        if self.num_bins is None:
            raise ValueError(f"Discretization '{self.name}': adapt() needs `num_bins`; this "
                             "layer was given `bin_boundaries`.")
        self._summary = np.zeros((2, 0), dtype="float32")
        for batch in iterate_batches(f"Discretization '{self.name}'", data, steps):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        """Merge the quantile summary of one batch into the running summary."""
        values = np.sort(np.asarray(host_array(data), dtype="float32").ravel())
        step = max(values.size / (1.0 / self.epsilon), 1)
        picked = values[int(step - 1)::int(step)]
        summary = np.stack([picked, np.ones_like(picked) * step])
        merged = np.concatenate([summary, self._summary], axis=1)
        merged = merged[:, np.argsort(merged[0])]
        self._summary = _compress(merged, self.epsilon)

    def finalize_state(self) -> None:
        """Set ``bin_boundaries`` from the summary."""
        if self.num_bins is not None:
            self.bin_boundaries = _compress(self._summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(f"Discretization '{self.name}': pass `bin_boundaries` or call "
                             "`adapt()` before calling the layer.")
        boundaries = ops.convert_to_tensor(np.asarray(self.bin_boundaries, dtype="float32"))
        indices = ops.cast(ops.digitize(inputs, boundaries), "int32")
        return _encode_ops(indices, self.output_mode, len(self.bin_boundaries) + 1,
                           self.output_dtype)

    def compute_output_spec(self, inputs, *args, **kwargs):
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        return KerasTensor(enc.encoded_shape(tuple(inputs.shape), self.output_mode, depth),
                           self.output_dtype)

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": False}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config["num_bins"] = None  # adapted: the boundaries are what matter
        config.pop("trainable", None)
        return super().from_config(config)


def _compress(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """Re-bin a (values, weights) summary to ``1 / epsilon`` bins by interpolating its
    cumulative weights (Keras' quantile-summary compression)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    values = np.interp(targets, fractions, summary[0])
    cumulative = np.interp(targets, fractions, cumulative)
    weights = np.diff(cumulative, prepend=0.0)
    return np.stack([values, weights]).astype("float32")
