"""What the host-side preprocessing layers share: inputs as numpy, batches for ``adapt``,
the base class, and running inside a ``tf.data`` pipeline.

No backend has string tensors, so text and lookup layers compute in numpy/Python on the host
and hand their (integer or float) result to the layer's backend. Inside ``tf.data``
(``dataset.map(layer)``, any model backend) the same host computation runs through
``tf.numpy_function``. TensorFlow is never imported here: a ``tf.Tensor`` handed in means
the user already imported it, and it is taken from ``sys.modules``.
"""

from __future__ import annotations

import sys

import numpy as np

from mini_keras import ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.layer import Layer


def is_tf_object(x) -> bool:
    """True for a TensorFlow tensor or dataset (recognized by its type's module)."""
    return type(x).__module__.startswith(("tensorflow", "tf_keras"))


def _is_tf_graph_tensor(x) -> bool:
    """A ``tf.Tensor`` being traced (``dataset.map``, ``tf.function``), not an eager one."""
    tf = sys.modules.get("tensorflow")
    return tf is not None and tf.is_tensor(x) and not tf.executing_eagerly()


def host_array(x) -> np.ndarray:
    """``x`` (numpy, list, scalar, eager ``tf.Tensor``, backend tensor) as a numpy array."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple, str, bytes, int, float, np.generic)):
        return np.asarray(x)
    if is_tf_object(x) and hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(ops.convert_to_numpy(x))


def is_text(array: np.ndarray) -> bool:
    """Whether ``array`` holds strings (str/bytes dtypes, or an object array of them)."""
    if array.dtype.kind in "SU":
        return True
    return array.dtype.kind == "O" and (array.size == 0 or
                                        isinstance(array.flat[0], (str, bytes)))


def to_text_list(array: np.ndarray, encoding: str = "utf-8") -> list:
    """The flat elements of a string array as Python ``str`` (bytes are decoded)."""
    flat = array.ravel().tolist()
    if flat and isinstance(flat[0], bytes):
        return [v.decode(encoding) if isinstance(v, bytes) else v for v in flat]
    return flat


def iterate_batches(layer_name: str, data, steps=None):
    """The batches ``adapt`` reads: one for an array/list/tensor, else each item of a
    ``tf.data.Dataset`` or other iterable (``(x, y)`` tuples give ``x``), up to ``steps``."""
    if isinstance(data, (np.ndarray, list, tuple, str)) or ops.is_tensor(data) or (
            is_tf_object(data) and hasattr(data, "numpy")):
        if steps is not None:
            raise ValueError(f"{layer_name}.adapt: `steps` applies to datasets and iterables "
                             f"only, received an array with steps={steps}.")
        yield data
        return
    if is_tf_object(data) and hasattr(data, "as_numpy_iterator"):
        data = data.as_numpy_iterator()
    if not hasattr(data, "__iter__"):
        raise TypeError(f"{layer_name}.adapt: expected an array, a list, a tf.data.Dataset or "
                        f"an iterable of batches, received {type(data).__name__}.")
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield batch[0] if isinstance(batch, tuple) else batch


class HostLayer(Layer):
    """Base of preprocessing layers that compute on the host (strings, vocabularies).

    Subclasses implement ``host_call(array) -> np.ndarray`` (pure numpy/Python) and
    ``compute_output_spec``; ``call`` converts the result to the layer's backend. Such a
    layer is also usable in ``tf.data`` (``dataset.map(layer)``) whatever the backend.
    """

    _string_inputs = True
    #: models holding a host layer run their steps eagerly (strings cannot enter a jit)
    host_only = True

    def __call__(self, *args, **kwargs):
        if args and is_tf_object(args[0]) and _is_tf_graph_tensor(args[0]):
            return self._call_in_tf_graph(args[0])
        if args and isinstance(args[0], (list, tuple, str, bytes)):  # one input, not a nest
            args = (np.asarray(args[0]),) + args[1:]
        return super().__call__(*args, **kwargs)

    def call(self, inputs):
        return ops.convert_to_tensor(self.host_call(host_array(inputs)))

    def host_call(self, array: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """The layer's computation on a numpy array (override)."""
        raise NotImplementedError

    def _call_in_tf_graph(self, x):
        """Run :meth:`host_call` inside a traced ``tf.data``/``tf.function`` graph."""
        tf = sys.modules["tensorflow"]
        dtype = "string" if x.dtype == tf.string else x.dtype.name
        shape = tuple(x.shape) if x.shape.rank is not None else None
        if shape is None:
            raise ValueError(f"Layer '{self.name}' inside tf.data needs inputs of known rank, "
                             f"received a tensor of unknown shape.")
        spec = self.compute_output_spec(KerasTensor(shape, dtype))
        out_dtype = "string" if spec.dtype == "string" else spec.dtype

        def run(array):
            result = self.host_call(np.asarray(array))
            return result if out_dtype == "string" else result.astype(out_dtype)

        y = tf.numpy_function(run, [x], tf.as_dtype(out_dtype), stateful=False)
        y.set_shape(spec.shape)
        return y
