"""GroupQueryAttention (Ainslie et al. 2023): attention whose key/value heads are shared by
groups of query heads (1 group: multi-query attention; one per head: multi-head attention).

Keras 3's class is named ``GroupedQueryAttention`` (hence the default layer name and the
weights' paths) and exported, and written in files, as ``keras.layers.GroupQueryAttention``;
ours is the same.
"""

from __future__ import annotations

import math

from mini_keras import backends, constraints, initializers, ops, regularizers
from mini_keras import random as mk_random
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.attention import _causal_mask, _fused_softmax, _masked_softmax, _static_shape
from mini_keras.layers.core import _regularizer
from mini_keras.layers.einsum_dense import EinsumDense
from mini_keras.layers.layer import Layer

__all__ = ["GroupQueryAttention"]

class GroupedQueryAttention(Layer):
    """Grouped-query attention with EinsumDense projections (Keras 3's weight layout).

    Keys and values get ``num_key_value_heads`` heads, each repeated for
    ``num_query_heads // num_key_value_heads`` consecutive query heads; then
    ``softmax(q k^T / sqrt(head_dim)) v`` per head and an output projection back to the
    query's feature size.

    Args:
        head_dim: size of each head.
        num_query_heads: number of query heads (a multiple of ``num_key_value_heads``).
        num_key_value_heads: number of key/value heads.
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        sliding_window: None, or a positive int: query t sees keys s with
            ``|t - s| < sliding_window`` (a band; with ``use_causal_mask``, the causal window).
        flash_attention: None or False (a fused-kernel request; True is not supported: this
            layer computes attention with its own ops).
        kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
            activity_regularizer, kernel_constraint, bias_constraint: of every projection.
        use_gate: add a ``gate`` projection whose sigmoid multiplies the attention output per
            head before the output projection (gated attention).
        seed: seed of the dropout.

    Call args:
        query ``(batch, T, dim)``, value ``(batch, S, dim_v)``, key (default ``value``);
        query_mask/value_mask/key_mask: bool ``(batch, T)``/``(batch, S)`` padding masks;
        attention_mask: bool ``(batch, T, S)``, True where query t may attend to key s;
        return_attention_scores: also return the ``(batch, num_query_heads, T, S)``
        probabilities; training; use_causal_mask; mask: the padding mask of ``query`` as a
        model propagates it (used as ``query_mask``, and as ``value_mask`` when ``value is
        query``).

    A query row with every key masked: when dropout is off and scores are not returned (Keras
    3's fused path) it averages the values uniformly; otherwise its probabilities are zeros.

    Weights, in Keras 3's order: ``query`` kernel ``(dim, Nq, head_dim)`` (+ bias ``(Nq,
    head_dim)``), ``key`` and ``value`` kernels ``(dim_k/dim_v, Nkv, head_dim)`` (+ biases),
    ``gate`` (with ``use_gate``, between key and value), ``attention_output`` kernel
    ``(Nq, head_dim, dim)`` (+ bias ``(dim,)``).
    """

    _keras_export_name = "GroupQueryAttention"  # the class_name of its serialized form

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        where = f"GroupQueryAttention '{self.name}'"
        for arg, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                           ("num_key_value_heads", num_key_value_heads)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"{where}: {arg} must be a positive int, received {value!r}")
        if num_query_heads % num_key_value_heads:
            raise ValueError(f"{where}: num_query_heads ({num_query_heads}) must be divisible "
                             f"by num_key_value_heads ({num_key_value_heads})")
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or sliding_window <= 0):
            raise ValueError(f"{where}: sliding_window must be None or a positive int, "
                             f"received {sliding_window!r}")
        if flash_attention:
            raise NotImplementedError(f"{where}: flash_attention=True is not supported (the "
                                      "layer computes attention with its own ops); use None.")
        if not 0 <= dropout < 1:
            raise ValueError(f"{where}: dropout must be in [0, 1), received {dropout!r}")
        self.head_dim, self.num_query_heads = head_dim, num_query_heads
        self.num_key_value_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = dropout, use_bias, use_gate
        self.sliding_window, self.seed = sliding_window, seed
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed_generator = SeedGenerator(seed, backend=self._backend_name)
        self.supports_masking = True

    # ------------------------------------------------------------------ build
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError(f"GroupQueryAttention '{self.name}' must be called with `query` "
                             "and `value` (and optionally `key`).")
        if not self.built:
            with backends.backend_scope(self._backend_name):
                self.build(_static_shape(self._as_tensor(query)),
                           _static_shape(self._as_tensor(value)),
                           None if key is None else _static_shape(self._as_tensor(key)))
            self.built = True
        return super().__call__(query, value, key, **kwargs)

    def _as_tensor(self, x):
        return x if isinstance(x, KerasTensor) else self._to_tensor(x)

    def _projection(self, name, equation, output_shape, bias_axes, activation=None):
        init = self.kernel_initializer
        return EinsumDense(
            equation, output_shape, activation=activation,
            bias_axes=bias_axes if self.use_bias else None,
            kernel_initializer=type(init).from_config(init.get_config()),
            bias_initializer=type(self.bias_initializer).from_config(
                self.bias_initializer.get_config()),
            kernel_regularizer=self.kernel_regularizer, bias_regularizer=self.bias_regularizer,
            activity_regularizer=self.activity_regularizer,
            kernel_constraint=self.kernel_constraint, bias_constraint=self.bias_constraint,
            dtype=self.dtype_policy, name=name)

    def build(self, query_shape, value_shape, key_shape=None):
        """Create the projections for inputs of these shapes."""
        key_shape = value_shape if key_shape is None else key_shape
        for label, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(f"GroupQueryAttention '{self.name}' expects 3-D {label} "
                                 f"(batch, sequence, features), received shape {tuple(shape)}")
        self.compute_output_shape(query_shape, value_shape, key_shape)  # checks the shapes
        self.feature_dim = query_shape[-1]
        heads, kv_heads, dim = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._projection("query", "bqm,muh->bquh", (None, heads, dim), "uh")
        self._query_dense.build(query_shape)
        self._key_dense = self._projection("key", "bkm,mvh->bkvh", (None, kv_heads, dim), "vh")
        self._key_dense.build(key_shape)
        if self.use_gate:
            self._gate_dense = self._projection("gate", "bqm,muh->bquh", (None, heads, dim),
                                                "uh", activation="sigmoid")
            self._gate_dense.build(query_shape)
        self._value_dense = self._projection("value", "bkm,mvh->bkvh", (None, kv_heads, dim),
                                             "vh")
        self._value_dense.build(value_shape)
        self._output_dense = self._projection("attention_output", "bquh,uhm->bqm",
                                              (None, self.feature_dim), "m")
        self._output_dense.build((None, None, heads, dim))

    # ------------------------------------------------------------------ call
    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False, mask=None):
        if mask is not None and query_mask is None:  # a propagated padding mask of `query`
            query_mask = mask
            if value is query and value_mask is None:
                value_mask = mask
        value = self._to_tensor(value)
        key = value if key is None else self._to_tensor(key)
        mask = self._merge_masks(query, value, query_mask, value_mask, key_mask, attention_mask,
                                 use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)  # (B, T, Nq, H)
        k = ops.repeat(self._key_dense(key), self.num_repeats, axis=2)  # (B, S, Nq, H)
        v = ops.repeat(self._value_dense(value), self.num_repeats, axis=2)
        q = ops.multiply(q, 1.0 / math.sqrt(float(self.head_dim)))
        scores = ops.einsum("bquh,bkuh->buqk", q, k)  # (B, Nq, T, S)
        mask = None if mask is None else ops.expand_dims(mask, 1)
        dropping = bool(training) and self.dropout > 0
        softmax = _masked_softmax if self.dropout > 0 or return_attention_scores else _fused_softmax
        probs = softmax(scores, mask)  # Keras 3's fused path does not zero masked rows
        dropped = (mk_random.dropout(probs, self.dropout, seed=self.seed_generator)
                   if dropping else probs)
        output = ops.einsum("buqk,bkuh->bquh", dropped, v)
        if gate is not None:
            output = ops.multiply(output, gate)
        output = self._output_dense(output)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(output))
        return (output, probs) if return_attention_scores else output

    def _merge_masks(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                     use_causal_mask):
        """AND of every mask given, as a bool ``(batch or 1, T or 1, S or 1)`` tensor, or None."""
        masks = []
        if query_mask is not None:
            masks.append(ops.expand_dims(ops.cast(self._to_tensor(query_mask), "bool"), -1))
        for m in (value_mask, key_mask):
            if m is not None:
                masks.append(ops.expand_dims(ops.cast(self._to_tensor(m), "bool"), -2))
        t, s = ops.shape(query)[1], ops.shape(value)[1]
        if use_causal_mask:
            masks.append(_causal_mask(t, s))
        if self.sliding_window is not None:
            rows = ops.reshape(ops.arange(0, t), (1, t, 1))
            cols = ops.reshape(ops.arange(0, s), (1, 1, s))
            masks.append(ops.less(ops.abs(ops.subtract(rows, cols)), self.sliding_window))
        if attention_mask is not None:
            masks.append(ops.cast(self._to_tensor(attention_mask), "bool"))
        if not masks:
            return None
        merged = masks[0]
        for m in masks[1:]:
            merged = ops.logical_and(merged, m)
        return merged

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(f"GroupQueryAttention '{self.name}': the last dimensions of query "
                             f"and value must be equal, received {tuple(query_shape)} and "
                             f"{tuple(value_shape)}")
        if tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f"GroupQueryAttention '{self.name}': value and key must agree on "
                             f"all but the last dimension, received {tuple(value_shape)} and "
                             f"{tuple(key_shape)}")
        return tuple(query_shape)

    def compute_output_spec(self, query, value=None, key=None, return_attention_scores=False,
                            **kwargs):
        shape = self.compute_output_shape(query.shape, value.shape,
                                          None if key is None else key.shape)
        output = KerasTensor(shape, self.compute_dtype)
        if not return_attention_scores:
            return output
        source = (value if key is None else key).shape[1]
        scores = (query.shape[0], self.num_query_heads, query.shape[1], source)
        return output, KerasTensor(scores, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "seed": self.seed}


GroupQueryAttention = GroupedQueryAttention
