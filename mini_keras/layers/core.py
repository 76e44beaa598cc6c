"""Core layers: Input/InputLayer, Dense, Activation, Dropout, Flatten."""

from __future__ import annotations

import math

from mini_keras import activations, constraints, initializers, ops, regularizers
from mini_keras import random as mk_random
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer


class InputLayer(Layer):
    """The entry point of a functional model: holds the symbolic input tensor.

    Args:
        shape: shape of one sample (without the batch dimension).
        batch_size: optional fixed batch size.
        dtype: input dtype (default floatx).
        sparse, ragged: sparse or ragged inputs are not supported (``True`` raises).
        batch_shape: full shape including the batch (alternative to ``shape``).
        input_tensor: an existing KerasTensor to use as this layer's output.
        optional: an input that may be None; not supported (``True`` raises).
        name: layer name.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        if shape is None and "input_shape" in kwargs:  # Keras' legacy spelling of `shape`
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, dtype=dtype, **kwargs)
        for arg, value in (("sparse", sparse), ("ragged", ragged), ("optional", optional)):
            if value:
                raise ValueError(f"InputLayer '{self.name}': `{arg}=True` inputs are not "
                                 "supported by mini_keras (dense, always-present inputs only).")
        if input_tensor is not None:
            if not isinstance(input_tensor, KerasTensor):
                raise ValueError(f"InputLayer '{self.name}': `input_tensor` must be a "
                                 f"KerasTensor, received {type(input_tensor).__name__}")
            batch_shape = tuple(input_tensor.shape)
        if batch_shape is None:
            if shape is None:
                raise ValueError(f"InputLayer '{self.name}': pass `shape` (one sample's shape).")
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size,) + shape
        self.batch_shape = tuple(batch_shape)
        self.output = input_tensor if input_tensor is not None else KerasTensor(
            self.batch_shape, self.dtype, name=self.name)
        self.output._input_layer = self
        self.built = True

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "name": self.name,
                "sparse": False, "ragged": False, "optional": False}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """Create a symbolic input for the functional API (Keras' ``keras.Input``).

    Args:
        shape: shape of one sample, e.g. ``(784,)``; ``None`` entries are unknown sizes.
        batch_size: optional fixed batch size.
        dtype: dtype name (default floatx).
        sparse, ragged: not supported (``True`` raises).
        batch_shape: full shape including the batch (alternative to ``shape``).
        name: optional name.
        tensor: an existing KerasTensor to wrap instead of creating one.
        optional: not supported (``True`` raises).

    Returns:
        A KerasTensor to pass to layers.
    """
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                      ragged=ragged, batch_shape=batch_shape, input_tensor=tensor,
                      optional=optional, name=name).output


class Dense(Layer):
    """Densely connected layer: ``activation(inputs @ kernel + bias)``.

    Args:
        units: output size.
        activation: activation name or callable (None: linear).
        use_bias: add a bias vector.
        kernel_initializer, bias_initializer: initializers (Keras defaults glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.

    Weights: ``kernel`` of shape ``(input_dim, units)`` then ``bias`` of shape ``(units,)``.
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense '{self.name}': units must be a positive int, received {units!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f"Dense '{self.name}': the last input dimension must be known, "
                             f"received input shape {tuple(input_shape)}")
        self.kernel = self.add_weight((input_dim, self.units), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight((self.units,), self.bias_initializer, name="bias",
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        x = ops.matmul(inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        x = self.activation(x)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(x))
        return x

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


class Activation(Layer):
    """Apply an activation function (by name or callable) to its input."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Randomly zero a fraction ``rate`` of inputs during training, scaling the rest by 1/(1-rate).

    Args:
        rate: float in [0, 1).
        noise_shape: optional broadcastable shape of the binary mask.
        seed: int for reproducible masks (default: drawn from the global seed).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout '{self.name}': rate must be in [0, 1), received {rate!r}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self.seed_generator = SeedGenerator(seed, backend=self._backend_name)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        return mk_random.dropout(inputs, self.rate, noise_shape=self.noise_shape,
                                 seed=self.seed_generator)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class Flatten(Layer):
    """Flatten every dimension but the batch: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)``."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        shape = ops.shape(inputs)
        if self.data_format == "channels_first" and len(shape) > 2:
            inputs = ops.transpose(inputs, (0,) + tuple(range(2, len(shape))) + (1,))
        rest = shape[1:]
        if all(d is not None for d in rest):  # -1 batch: stays dynamic in traced graphs (export)
            return ops.reshape(inputs, (-1, math.prod(rest)))
        return ops.reshape(inputs, (shape[0], -1))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def _regularizer(identifier):
    return None if identifier is None else regularizers.get(identifier)
