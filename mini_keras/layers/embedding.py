"""Embedding: a trainable lookup table from integer ids to dense vectors; ReversibleEmbedding:
one that also projects vectors back to vocabulary logits (tied or separate weights)."""

from __future__ import annotations

from mini_keras import initializers, ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.core import _regularizer
from mini_keras.layers.layer import Layer
from mini_keras.trainers import value_checks

__all__ = ["Embedding", "ReversibleEmbedding"]


class Embedding(Layer):
    """Turn integer ids into dense vectors: ``outputs[..., :] = embeddings[inputs[...]]``.

    Args:
        input_dim: vocabulary size (largest id + 1).
        output_dim: size of each embedding vector.
        embeddings_initializer: initializer of the table (Keras default ``RandomUniform(-0.05,
            0.05)``, i.e. "uniform").
        embeddings_regularizer: optional regularizer of the table.
        embeddings_constraint: optional constraint applied after each optimizer update.
        mask_zero: whether id 0 is padding; :meth:`compute_mask` then returns ``inputs != 0``
            (pass that mask to recurrent or attention layers as ``mask=``).

    Weights: ``embeddings`` of shape ``(input_dim, output_dim)``.

    Ids outside ``[0, input_dim)``: ``fit`` raises for ids taken straight from its ``x``;
    inside a compiled step each framework does its own thing (jax gives NaN rows, TF/XLA a
    made-up row, numpy and torch raise IndexError),
    unless ``config.enable_value_checks()`` is on (see ``trainers/value_checks.py``).

    Example:
        >>> emb = Embedding(10, 4, mask_zero=True)
        >>> vectors = emb(np.array([[3, 1, 0]]))   # shape (1, 3, 4)
        >>> mask = emb.compute_mask(np.array([[3, 1, 0]]))  # [[True, True, False]]
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 activity_regularizer=None, **kwargs):
        kwargs.pop("input_length", None)  # Keras 2 argument, ignored by Keras 3 too
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Embedding '{self.name}': {arg} must be a positive int, "
                                 f"received {value!r}")
        self.input_dim, self.output_dim = input_dim, output_dim
        if embeddings_initializer == "uniform":  # Keras' alias for RandomUniform(-0.05, 0.05)
            embeddings_initializer = "random_uniform"
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = _regularizer(embeddings_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero

    def build(self, input_shape):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim),
                                          self.embeddings_initializer, name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs):
        if ops.dtype(inputs) not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        value_checks.check_in_step(inputs, self.input_dim, f"ids of Embedding '{self.name}'")
        outputs = ops.take(self.embeddings, inputs, axis=0)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(outputs))
        return outputs

    def compute_mask(self, inputs, mask=None):
        """Return the padding mask ``inputs != 0`` (None unless ``mask_zero``).

        Args:
            inputs: the integer ids given to the layer.
            mask: ignored (an incoming mask is replaced).
        """
        if not self.mask_zero:
            return None
        return ops.not_equal(ops.convert_to_tensor(inputs), 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": None, "activity_regularizer": None,
                "embeddings_constraint": None, "mask_zero": self.mask_zero}


class ReversibleEmbedding(Embedding):
    """An Embedding that can also run in reverse: ``layer(h, reverse=True)`` projects vectors
    ``(..., output_dim)`` back to logits ``(..., input_dim)`` (language-model output heads).

    Args:
        input_dim, output_dim, embeddings_initializer, embeddings_regularizer,
            embeddings_constraint, mask_zero: as :class:`Embedding`.
        tie_weights: reverse with the transposed ``embeddings`` (default); False creates a
            separate trainable ``reverse_embeddings`` of shape ``(output_dim, input_dim)``.
        reverse_dtype: dtype the reverse projection computes in (inputs and kernel are cast);
            None: the layer's compute dtype.
        logit_soft_cap: when set, reverse logits become ``tanh(logits / cap) * cap``.

    Call args:
        inputs: ids (forward) or vectors (``reverse=True``).
        reverse: project back to the vocabulary instead of looking up.

    Masks: a forward call with ``mask_zero`` gives the next layer of a model the mask
    ``ids != 0`` (as Keras 3's eager calls attach it); a reverse call gives no mask.

    Weights: ``embeddings`` ``(input_dim, output_dim)``, then ``reverse_embeddings`` when
    ``tie_weights=False``.
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        if logit_soft_cap is not None and not logit_soft_cap > 0:
            raise ValueError(f"ReversibleEmbedding '{self.name}': logit_soft_cap must be a "
                             f"positive number or None, received {logit_soft_cap!r}")
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        self._reversed_last = False  # the mask of the latest call follows its direction

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight((self.output_dim, self.input_dim),
                                                      self.embeddings_initializer,
                                                      name="reverse_embeddings")

    def call(self, inputs, reverse=False):
        self._reversed_last = bool(reverse)
        if not reverse:
            return super().call(inputs)
        if ops.shape(inputs)[-1] != self.output_dim:
            raise ValueError(f"ReversibleEmbedding '{self.name}': a reverse call takes vectors "
                             f"of size output_dim={self.output_dim} on the last axis, received "
                             f"shape {tuple(inputs.shape)}")
        kernel = (ops.transpose(self.embeddings) if self.tie_weights
                  else self.reverse_embeddings)
        if self.reverse_dtype is not None:
            inputs = ops.cast(inputs, self.reverse_dtype)
            kernel = ops.cast(kernel, self.reverse_dtype)
        logits = ops.matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
        return logits

    def compute_mask(self, inputs, mask=None):
        """``ids != 0`` after a forward call with ``mask_zero``; None after a reverse call."""
        return None if self._reversed_last else super().compute_mask(inputs, mask)

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return tuple(input_shape[:-1]) + (self.input_dim,)
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_spec(self, inputs, reverse=False):
        dtype = (self.reverse_dtype or self.compute_dtype) if reverse else self.compute_dtype
        return KerasTensor(self.compute_output_shape(inputs.shape, reverse), dtype)

    def get_config(self):
        return {**super().get_config(), "quantization_config": None,
                "tie_weights": self.tie_weights, "reverse_dtype": self.reverse_dtype,
                "logit_soft_cap": self.logit_soft_cap}
