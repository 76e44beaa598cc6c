"""``keras.ops`` on symbolic tensors: each call becomes a layer in the functional graph.

``y = keras.ops.mean(x, axis=1)`` on a KerasTensor creates an :class:`OpLayer` node, as Keras 3
records an ``Operation``. Saved models name the node the way Keras 3 does (module
``keras.src.ops.numpy``, class ``Mean``, config ``{"name": ..., "axis": 1}``), so functional
models with op nodes (e.g. the ``NotEqual`` mask Keras writes for ``Embedding(mask_zero=True)``)
load in both libraries.
"""

from __future__ import annotations

from mini_keras.layers.layer import Layer

# The Keras 3 module of each op class (ops not listed live in keras.src.ops.numpy).
_KERAS_MODULE: dict[str, str] = {}
_KERAS_MODULE.update(dict.fromkeys((
    "average_pool", "binary_crossentropy", "categorical_crossentropy", "celu", "conv",
    "conv_transpose", "depth_to_space", "depthwise_conv", "dot_product_attention", "elu", "gelu",
    "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_tanh", "leaky_relu", "log_sigmoid",
    "log_softmax", "max_pool", "moments", "multi_hot", "normalize", "one_hot", "relu", "relu6",
    "selu", "separable_conv", "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign",
    "space_to_depth", "sparse_categorical_crossentropy", "sparse_plus", "sparse_sigmoid",
    "sparsemax", "squareplus", "tanh_shrink", "threshold",
), "keras.src.ops.nn"))
_KERAS_MODULE.update(dict.fromkeys((
    "erf", "erfc", "erfinv", "extract_sequences", "in_top_k", "logsumexp", "rsqrt", "segment_max",
    "segment_sum", "top_k",
), "keras.src.ops.math"))
_KERAS_MODULE.update(dict.fromkeys((
    "associative_scan", "cast", "cond", "convert_to_tensor", "fori_loop", "map", "saturate_cast",
    "scan", "scatter", "scatter_update", "slice", "slice_update", "stop_gradient", "switch",
    "unstack", "vectorized_map", "while_loop",
), "keras.src.ops.core"))
_KERAS_MODULE.update(dict.fromkeys((
    "cholesky", "det", "eigh", "inv", "lstsq", "norm", "pinv", "qr", "solve", "solve_triangular",
), "keras.src.ops.linalg"))
_classes: dict[str, type] = {}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _snake(class_name: str) -> str:
    out = ""
    for i, ch in enumerate(class_name):
        if ch.isupper() and i and not class_name[i - 1].isupper():
            out += "_"
        out += ch.lower()
    return out


class OpLayer(Layer):
    """A ``mini_keras.ops`` function applied in a functional graph (one node per call).

    Args:
        op_kwargs: the op's keyword arguments (``axis=1`` ...); positional arguments come with
            each call.
        name: layer name (default: the op's name, made unique: ``mean``, ``mean_1``...).
    """

    op_name = ""
    _convert_input_args = False  # an op sees its arguments as given (no mixed-precision cast)

    def __init__(self, op_kwargs=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)  # default: unique snake case of the class
        self.op_kwargs = dict(op_kwargs or {})
        self.built = True

    def call(self, *args):
        from mini_keras import ops
        return getattr(ops, self.op_name)(*args, **self.op_kwargs)

    def get_config(self):
        return {"name": self.name, **self.op_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        name = config.pop("name", None)
        config.pop("trainable", None), config.pop("dtype", None)
        return cls(op_kwargs=config, name=name)


def op_layer_class(op_name: str) -> type:
    """The :class:`OpLayer` subclass for ``op_name``, named and placed as Keras 3's class."""
    cls = _classes.get(op_name)
    if cls is None:
        cls = type(_camel(op_name), (OpLayer,), {"op_name": op_name,
                                                 "__doc__": OpLayer.__doc__})
        cls.__module__ = _KERAS_MODULE.get(op_name, "keras.src.ops.numpy")
        _classes[op_name] = cls
    return cls


def keras_op_class(class_name: str):
    """The layer class for a Keras 3 op class name (``NotEqual`` -> ``not_equal``), or None."""
    from mini_keras import ops
    op_name = _snake(class_name)
    return op_layer_class(op_name) if op_name in ops.__all__ else None
