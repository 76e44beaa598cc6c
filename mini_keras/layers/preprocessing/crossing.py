"""``HashedCrossing``: cross categorical features with the hashing trick, on the host.

The bins equal Keras 3's (``tf.sparse.cross_hashed``): each feature is hashed (strings with
FarmHash ``Fingerprint64``, integers as their own 64-bit value), the hashes are chained with
TensorFlow's ``FingerprintCat64`` from the seed ``0xDECAFCAFFE``, and the result is taken
modulo ``num_bins``.
"""

from __future__ import annotations

import sys

import numpy as np

from mini_keras import ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.preprocessing import encoding as enc
from mini_keras.layers.preprocessing.farmhash import fingerprint64
from mini_keras.layers.preprocessing.host import (
    HostLayer,
    _is_tf_graph_tensor,
    host_array,
    is_text,
    is_tf_object,
    to_text_list,
)

__all__ = ["HashedCrossing"]

_MASK = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
_SEED = 0xDECAFCAFFE  # tf.sparse.cross_hashed's default hash key


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _fingerprint_cat(a: int, b: int) -> int:
    """TensorFlow's ``FingerprintCat64``: combine two 64-bit fingerprints."""
    result = a ^ _MUL
    result ^= (_shift_mix((b * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


def _feature_hashes(name: str, array: np.ndarray) -> list[int]:
    if is_text(array):
        values = to_text_list(array.astype(object) if array.dtype.kind == "S" else array)
        return [fingerprint64(v.encode("utf-8") if isinstance(v, str) else bytes(v))
                for v in values]
    if array.dtype.kind in "iub":
        return [int(v) & _MASK for v in array.astype(np.int64).ravel().tolist()]
    raise ValueError(f"HashedCrossing '{name}': every input must have an integer or string "
                     f"dtype, received an array of dtype {array.dtype}.")


def cross_hash(features: list[np.ndarray], num_bins: int) -> np.ndarray:
    """The crossed bin of each row of ``features`` (equal-shaped arrays), as int64."""
    columns = [_feature_hashes("cross_hash", f) for f in features]
    out = []
    for row in zip(*columns):
        h = _SEED
        for value in row:
            h = _fingerprint_cat(h, value)
        out.append(h % num_bins)
    return np.asarray(out, dtype=np.int64).reshape(features[0].shape)


class HashedCrossing(HostLayer):
    """Cross two or more categorical features: ``hash(features) % num_bins`` (Keras' bins).

    Args:
        num_bins: number of hash bins.
        output_mode: "int" (the bin ids, int64 by default) or "one_hot".
        sparse: must be False (no sparse tensors).

    Call with a list or tuple of at least two inputs of equal shape ``()``, ``(batch,)`` or
    ``(batch, 1)``, of integer or string dtype.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        enc.check_mode("HashedCrossing", output_mode, ("int", "one_hot"))
        if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1:
            raise ValueError(f"HashedCrossing: `num_bins` must be a positive int, received "
                             f"num_bins={num_bins!r}.")
        if sparse:
            raise ValueError("HashedCrossing: `sparse=True` needs sparse tensors, which "
                             "mini_keras does not have; use sparse=False.")
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, False

    def _check_inputs(self, inputs) -> None:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(  # noqa: TRY004 (Keras 3 raises ValueError)
                f"HashedCrossing '{self.name}' should be called on a list or tuple of "
                f"inputs, received {type(inputs).__name__}.")
        if len(inputs) < 2:
            raise ValueError(f"HashedCrossing '{self.name}' should be called on at least two "
                             f"inputs, received {len(inputs)}.")
        shapes = [tuple(getattr(x, "shape", np.shape(x))) for x in inputs]
        first = shapes[0]
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(f"HashedCrossing '{self.name}': every input must have shape (), "
                             f"(batch,) or (batch, 1), received shapes {shapes}.")
        if any(s != first for s in shapes[1:]):
            raise ValueError(f"HashedCrossing '{self.name}': every input must have the same "
                             f"shape, received shapes {shapes}.")

    def __call__(self, inputs, *args, **kwargs):
        self._check_inputs(inputs)
        if all(is_tf_object(x) and _is_tf_graph_tensor(x) for x in inputs):
            return self._cross_in_tf_graph(inputs)
        inputs = tuple(x if isinstance(x, KerasTensor) or ops.is_tensor(x) else np.asarray(x)
                       for x in inputs)
        return super(HostLayer, self).__call__(inputs, *args, **kwargs)

    def _to_tensor(self, x):
        return x if isinstance(x, KerasTensor) else host_array(x)  # hashed on the host

    def call(self, inputs):
        return ops.convert_to_tensor(self.host_call([host_array(x) for x in inputs]))

    def host_call(self, arrays) -> np.ndarray:
        """Cross the numpy ``arrays`` and encode the bins."""
        features = [np.asarray(a) for a in arrays]
        try:
            bins = cross_hash(features, self.num_bins)
        except ValueError as error:
            raise ValueError(str(error).replace("cross_hash", self.name)) from None
        if self.output_mode == "int":
            return bins.astype(self.compute_dtype)
        if bins.ndim and bins.shape[-1] == 1:
            bins = bins[..., 0]
        return enc.encode(bins, "one_hot", self.num_bins, dtype=self.compute_dtype)

    def _cross_in_tf_graph(self, inputs):
        tf = sys.modules["tensorflow"]
        spec = self.compute_output_spec([KerasTensor(tuple(x.shape)) for x in inputs])

        def run(*arrays):
            return self.host_call([np.asarray(a) for a in arrays]).astype(spec.dtype)

        y = tf.numpy_function(run, list(inputs), tf.as_dtype(spec.dtype), stateful=False)
        y.set_shape(spec.shape)
        return y

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        if shape and shape[-1] == 1:
            shape = shape[:-1]
        return shape + (self.num_bins,)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape([tuple(x.shape) for x in inputs]),
                           self.compute_dtype)

    def get_config(self):
        base = super().get_config()  # Keras 3's config has no `trainable`
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": False,
                "name": base["name"], "dtype": base["dtype"]}
