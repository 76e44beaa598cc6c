"""Attention layers: MultiHeadAttention (Vaswani et al. 2017), Attention (Luong dot-product) and
AdditiveAttention (Bahdanau).

Masks are booleans where True means "may attend". Masked scores are replaced by -1e9 before the
softmax and masked probabilities are zeroed after it (Keras 3's Softmax layer), so a fully
masked row yields zeros rather than a uniform distribution. MultiHeadAttention (and
GroupQueryAttention) follow Keras 3 in one more respect: without dropout and without returned
scores Keras takes its fused ``dot_product_attention`` path, which does not zero the
probabilities, so there a fully masked row averages the values uniformly (``_fused_softmax``).
"""

from __future__ import annotations

import math

from mini_keras import backends, initializers, ops
from mini_keras import random as mk_random
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.core import _regularizer
from mini_keras.layers.layer import Layer

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention"]

_LARGE_NEGATIVE = -1e9


def _masked_softmax(scores, mask):
    """Softmax over the last axis that ignores entries where ``mask`` is False."""
    if mask is None:
        return ops.softmax(scores, axis=-1)
    probs = ops.softmax(ops.where(mask, scores, _LARGE_NEGATIVE), axis=-1)
    return ops.where(mask, probs, 0.0)


def _fused_softmax(scores, mask):
    """Keras 3's ``dot_product_attention`` softmax: masked logits, no zeroing afterwards."""
    if mask is None:
        return ops.softmax(scores, axis=-1)
    return ops.softmax(ops.where(mask, scores, _LARGE_NEGATIVE), axis=-1)


def _causal_mask(query_length, value_length):
    """``(1, T, S)`` lower-triangular mask: position t sees positions <= t."""
    rows = ops.expand_dims(ops.arange(0, query_length), -1)  # (numpy backend: arange(n) bug)
    cols = ops.expand_dims(ops.arange(0, value_length), 0)
    return ops.expand_dims(ops.greater_equal(rows, cols), 0)


def _static_shape(x):
    return tuple(x.shape) if isinstance(x, KerasTensor) else tuple(ops.shape(x))


class _Projection(Layer):
    """EinsumDense-style projection ``einsum(equation, x, kernel) + bias`` (MultiHeadAttention's
    query/key/value/attention_output sub-layers, same weight names and shapes as Keras)."""

    def __init__(self, equation, kernel_shape, bias_shape, kernel_initializer, bias_initializer,
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        self.kernel = self.add_weight(kernel_shape, kernel_initializer, name="kernel",
                                      regularizer=kernel_regularizer,
                                      constraint=kernel_constraint)
        self.bias = (self.add_weight(bias_shape, bias_initializer, name="bias",
                                     regularizer=bias_regularizer, constraint=bias_constraint)
                     if bias_shape is not None else None)
        self.built = True

    def call(self, inputs):
        out = ops.einsum(self.equation, inputs, self.kernel)
        return out if self.bias is None else ops.add(out, self.bias)


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention with learned query/key/value/output projections.

    ``heads_i = softmax(Q_i K_i^T / sqrt(key_dim)) V_i`` with ``Q_i = query @ Wq_i + bq_i`` (and
    likewise K, V), then ``output = sum_i heads_i @ Wo_i + bo``.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default ``key_dim``).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: size of the output's last dimension (default: the query's).
        attention_axes: only None (attention over the sequence axis) is supported.
        kernel_initializer, bias_initializer: Keras defaults glorot_uniform, zeros.
        seed: seed of the dropout.

    Call args:
        query: ``(batch, T, dim)``; value: ``(batch, S, dim_v)``; key: ``(batch, S, dim_k)``
            (default ``value``).
        attention_mask: bool ``(batch, T, S)``; True where query t may attend to key s.
        query_mask, value_mask, key_mask: optional bool ``(batch, T)``/``(batch, S)`` padding
            masks (e.g. ``Embedding(mask_zero=True).compute_mask``), merged with AND.
        return_attention_scores: also return the ``(batch, heads, T, S)`` probabilities.
        training: enables dropout.
        use_causal_mask: forbid attending to later positions.
        mask: the padding mask of ``query`` as propagated by a model (Keras reads it from the
            tensor); used as ``query_mask``, and also as ``value_mask`` when ``value is query``.

    Weights (Keras order): query kernel ``(dim, heads, key_dim)`` and bias ``(heads, key_dim)``,
    key kernel/bias, value kernel ``(dim_v, heads, value_dim)``/bias, output kernel
    ``(heads, value_dim, out_dim)`` and bias ``(out_dim,)``.
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 seed=None, **kwargs):
        kwargs.pop("flash_attention", None)
        super().__init__(**kwargs)
        if attention_axes not in (None, 1, (1,), [1]):
            raise NotImplementedError(f"MultiHeadAttention '{self.name}': attention_axes="
                                      f"{attention_axes!r} is not supported (only None).")
        if isinstance(output_shape, (list, tuple)):
            if len(output_shape) != 1:
                raise NotImplementedError(f"MultiHeadAttention '{self.name}': only a 1-D "
                                          f"output_shape is supported, received {output_shape}")
            output_shape = output_shape[0]
        if not 0 <= dropout < 1:
            raise ValueError(f"MultiHeadAttention '{self.name}': dropout must be in [0, 1), "
                             f"received {dropout!r}")
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout, self.use_bias, self.seed = float(dropout), use_bias, seed
        self._output_dim = output_shape
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._regularizers = (_regularizer(kernel_regularizer), _regularizer(bias_regularizer))
        self._constraints = (kernel_constraint, bias_constraint)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.seed_generator = SeedGenerator(seed, backend=self._backend_name)
        self.supports_masking = True

    # ------------------------------------------------------------------ build
    def __call__(self, query, value=None, key=None, **kwargs):
        if value is None:
            raise ValueError(f"MultiHeadAttention '{self.name}' must be called with `query` and "
                             "`value` (and optionally `key`).")
        if not self.built:
            with backends.backend_scope(self._backend_name):
                self.build(_static_shape(self._as_tensor(query)),
                           _static_shape(self._as_tensor(value)),
                           None if key is None else _static_shape(self._as_tensor(key)))
            self.built = True
        return super().__call__(query, value, key, **kwargs)

    def _as_tensor(self, x):
        return x if isinstance(x, KerasTensor) else self._to_tensor(x)

    def build(self, query_shape, value_shape=None, key_shape=None):
        """Create the four projections for inputs of these shapes."""
        value_shape = query_shape if value_shape is None else value_shape
        key_shape = value_shape if key_shape is None else key_shape
        for label, shape in (("query", query_shape), ("value", value_shape), ("key", key_shape)):
            if len(shape) != 3:
                raise ValueError(f"MultiHeadAttention '{self.name}' expects 3-D {label} "
                                 f"(batch, sequence, features), received shape {tuple(shape)}")
        if value_shape[1] is not None and key_shape[1] is not None and \
                value_shape[1] != key_shape[1]:
            raise ValueError(f"MultiHeadAttention '{self.name}': value and key must have the same "
                             f"sequence length, received {tuple(value_shape)} and "
                             f"{tuple(key_shape)}")
        heads, out_dim = self.num_heads, self._output_dim or query_shape[-1]
        bias = self.use_bias

        def projection(name, equation, kernel_shape, bias_shape):
            return _Projection(equation, kernel_shape, bias_shape if bias else None,
                               self.kernel_initializer, self.bias_initializer,
                               *self._regularizers, *self._constraints, name=name)

        self.query_dense = projection("query", "abc,cde->abde",
                                      (query_shape[-1], heads, self.key_dim),
                                      (heads, self.key_dim))
        self.key_dense = projection("key", "abc,cde->abde", (key_shape[-1], heads, self.key_dim),
                                    (heads, self.key_dim))
        self.value_dense = projection("value", "abc,cde->abde",
                                      (value_shape[-1], heads, self.value_dim),
                                      (heads, self.value_dim))
        self.output_dense = projection("attention_output", "abcd,cde->abe",
                                       (heads, self.value_dim, out_dim), (out_dim,))

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
        mask = self._merge_masks(query, value, query_mask, value_mask, key_mask,
                                 attention_mask, use_causal_mask)
        q = ops.multiply(self.query_dense(query), 1.0 / math.sqrt(self.key_dim))  # (B, T, N, H)
        k = self.key_dense(key)  # (B, S, N, H)
        v = self.value_dense(value)  # (B, S, N, Hv)
        scores = ops.einsum("aecd,abcd->acbe", k, q)  # (B, N, T, S)
        mask = None if mask is None else ops.expand_dims(mask, 1)
        softmax = _masked_softmax if self.dropout > 0 or return_attention_scores else _fused_softmax
        probs = softmax(scores, mask)
        dropped = probs
        if training and self.dropout > 0:
            dropped = mk_random.dropout(probs, self.dropout, seed=self.seed_generator)
        context = ops.einsum("acbe,aecd->abcd", dropped, v)  # (B, T, N, Hv)
        output = self.output_dense(context)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(output))
        return (output, probs) if return_attention_scores else output

    def _merge_masks(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                     use_causal_mask):
        """AND of every mask given, as a bool ``(batch or 1, T or 1, S)`` tensor (or None)."""
        masks = []
        if query_mask is not None:
            masks.append(ops.expand_dims(ops.cast(self._to_tensor(query_mask), "bool"), -1))
        for m in (value_mask, key_mask):
            if m is not None:
                masks.append(ops.expand_dims(ops.cast(self._to_tensor(m), "bool"), -2))
        if use_causal_mask:
            masks.append(_causal_mask(ops.shape(query)[1], ops.shape(value)[1]))
        if attention_mask is not None:
            masks.append(ops.cast(self._to_tensor(attention_mask), "bool"))
        if not masks:
            return None
        merged = masks[0]
        for m in masks[1:]:
            merged = ops.logical_and(merged, m)
        return merged

    def compute_output_spec(self, query, value=None, key=None, return_attention_scores=False,
                            **kwargs):
        out_dim = self._output_dim or query.shape[-1]
        output = KerasTensor(tuple(query.shape[:-1]) + (out_dim,), self.dtype)
        if not return_attention_scores:
            return output
        scores = (query.shape[0], self.num_heads, query.shape[1], value.shape[1])
        return output, KerasTensor(scores, self.dtype)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        return tuple(query_shape[:-1]) + (self._output_dim or query_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": None if self._output_dim is None else (self._output_dim,),
                "attention_axes": None,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": None, "bias_regularizer": None,
                "activity_regularizer": None, "kernel_constraint": None,
                "bias_constraint": None, "seed": self.seed}


class Attention(Layer):
    """Dot-product (Luong-style) attention: ``softmax(query @ key^T) @ value``.

    Args:
        use_scale: learn a scalar ``scale`` multiplying the scores.
        score_mode: "dot" (``query @ key^T``) or "concat" (``sum(tanh(query + key))``).
        dropout: dropout rate on the attention probabilities (training only).
        seed: seed of the dropout.

    Call args:
        inputs: ``[query, value]`` or ``[query, value, key]``; query ``(batch, Tq, dim)``, value
            and key ``(batch, Tv, dim)`` (key defaults to value).
        mask: ``[query_mask, value_mask]`` bool masks ``(batch, Tq)`` / ``(batch, Tv)``; masked
            values get no attention, masked queries output zeros. A single tensor (a mask
            propagated by a model for the first input) is taken as the query mask.
        return_attention_scores: also return the ``(batch, Tq, Tv)`` probabilities.
        use_causal_mask: forbid attending to later positions.

    Weights: ``scale`` (scalar) when ``use_scale``; ``concat_score_weight`` (scalar) when
    ``score_mode="concat"``.
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention '{self.name}': score_mode must be 'dot' or 'concat', "
                             f"received {score_mode!r}")
        self.use_scale, self.score_mode = use_scale, score_mode
        self.dropout, self.seed = float(dropout), seed
        self.seed_generator = SeedGenerator(seed, backend=self._backend_name)
        self.supports_masking = True

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.scale = self.add_weight((), "ones", name="scale") if self.use_scale else None
        self.concat_score_weight = (self.add_weight((), "ones", name="concat_score_weight")
                                    if self.score_mode == "concat" else None)

    def _check_inputs(self, inputs, mask=None):
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(f"Attention '{self.name}' must be called on a list [query, value] "
                             f"or [query, value, key], received {type(inputs).__name__}"
                             f"{'' if not isinstance(inputs, (list, tuple)) else len(inputs)}")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"Attention '{self.name}': mask must be a list [query_mask, "
                             f"value_mask], received {mask!r}")

    def _calculate_scores(self, query, key):
        """``(batch, Tq, Tv)`` scores of every query against every key."""
        if self.score_mode == "dot":
            scores = ops.matmul(query, ops.transpose(key, (0, 2, 1)))
            return scores if self.scale is None else ops.multiply(scores, self.scale)
        summed = ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3))
        if self.scale is not None:
            summed = ops.multiply(self.scale, summed)
        return ops.multiply(self.concat_score_weight, ops.sum(ops.tanh(summed), axis=-1))

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        if mask is not None and not isinstance(mask, (list, tuple)):
            mask = [mask, None]
        self._check_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = (mask[0], mask[1]) if mask else (None, None)
        scores = self._calculate_scores(query, key)
        score_mask = None
        if value_mask is not None:
            score_mask = ops.expand_dims(ops.cast(self._to_tensor(value_mask), "bool"), -2)
        if use_causal_mask:
            causal = _causal_mask(ops.shape(scores)[-2], ops.shape(scores)[-1])
            score_mask = causal if score_mask is None else ops.logical_and(score_mask, causal)
        if score_mask is not None:  # Keras subtracts 1e9 here (no zeroing after the softmax)
            scores = ops.where(score_mask, scores, ops.subtract(scores, 1e9))
        weights = ops.softmax(scores, axis=-1)
        dropped = weights
        if training and self.dropout > 0:
            dropped = mk_random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = ops.matmul(dropped, value)
        if query_mask is not None:
            keep = ops.expand_dims(ops.cast(self._to_tensor(query_mask), "bool"), -1)
            output = ops.where(keep, output, 0.0)
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        """The output mask: the query mask (None when absent)."""
        if mask is None or not isinstance(mask, (list, tuple)):
            return mask
        return mask[0] if mask else None

    def compute_output_spec(self, inputs, mask=None, return_attention_scores=False, **kwargs):
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        output = KerasTensor(tuple(query.shape[:-1]) + (value.shape[-1],), self.dtype)
        if not return_attention_scores:
            return output
        return output, KerasTensor(tuple(query.shape[:-1]) + (key.shape[-2],), self.dtype)

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: scores ``sum(scale * tanh(query + key), -1)``.

    The rest is :class:`Attention`'s: softmax over the values, masks, causal mask, dropout.

    Args:
        use_scale: learn a ``scale`` vector of shape ``(dim,)`` (glorot_uniform) weighting the
            features of ``tanh(query + key)``; without it the features are summed.
        dropout: dropout rate on the attention probabilities (training only).
        seed: seed of the dropout (keyword).

    Call args: as :class:`Attention` (``[query, value(, key)]``, ``mask=[query_mask,
    value_mask]``, ``return_attention_scores``, ``use_causal_mask``, ``training``).

    Weights: ``scale`` ``(dim,)`` when ``use_scale``.
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        if "score_mode" in kwargs:
            raise ValueError("AdditiveAttention: score_mode is not an argument (its scores are "
                             "always additive); use Attention for 'dot'/'concat' scores.")
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._check_inputs(input_shape)
        self.scale = (self.add_weight((input_shape[0][-1],), "glorot_uniform", name="scale")
                      if self.use_scale else None)

    def _calculate_scores(self, query, key):
        tanh = ops.tanh(ops.add(ops.expand_dims(query, -2), ops.expand_dims(key, -3)))
        return ops.sum(tanh if self.scale is None else ops.multiply(self.scale, tanh), axis=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
