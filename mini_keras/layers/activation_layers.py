"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

from __future__ import annotations

from mini_keras import constraints, initializers, ops, regularizers
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]


class _Elementwise(Layer):
    """An activation layer: output shape equals input shape."""

    def compute_output_shape(self, input_shape):
        return input_shape


class ReLU(_Elementwise):
    """Rectified linear unit with optional cap, leak and threshold.

    ``f(x) = min(x, max_value)`` for ``x > threshold``, ``negative_slope * (x - threshold)``
    otherwise (when ``threshold > 0`` values in ``(0, threshold]`` are zeroed before the leak is
    added, as in Keras).

    Args:
        max_value: upper cap (None: no cap); must be >= 0.
        negative_slope: slope below the threshold; must be >= 0.
        threshold: values at or below it are not passed through; must be >= 0.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for arg, value in (("negative_slope", negative_slope), ("threshold", threshold)):
            if value is None or value < 0:
                raise ValueError(f"ReLU '{self.name}': {arg} must be a float >= 0, "
                                 f"received {value!r}")
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU '{self.name}': max_value must be >= 0 or None, "
                             f"received {max_value!r}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)

    def call(self, inputs):
        slope, threshold = self.negative_slope, self.threshold
        if slope and self.max_value is None and not threshold:
            return ops.leaky_relu(inputs, negative_slope=slope)
        if threshold:
            zero = ops.zeros((), dtype=ops.dtype(inputs))
            x = ops.where(ops.greater(inputs, threshold), inputs, zero)
        else:
            x = ops.relu(inputs)
        if self.max_value is not None:
            x = ops.clip(x, 0.0, self.max_value)
        if slope:
            x = ops.subtract(x, ops.multiply(slope, ops.relu(ops.subtract(threshold, inputs))))
        return x

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` for ``x > 0``, ``negative_slope * x`` otherwise.

    Args:
        negative_slope: slope for negative inputs (Keras default 0.3; ``alpha`` is accepted as
            the deprecated name).
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"LeakyReLU '{self.name}': negative_slope must be a float >= 0, "
                             f"received {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def call(self, inputs):
        return ops.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(_Elementwise):
    """Parametric ReLU: ``relu(x) - alpha * relu(-x)`` with a learned ``alpha``.

    Args:
        alpha_initializer: initializer of ``alpha`` (Keras default zeros).
        alpha_regularizer, alpha_constraint: optional.
        shared_axes: axes (1-based, counting the batch as 0) along which ``alpha`` is shared,
            e.g. ``[1, 2]`` for one alpha per channel of an image.

    Weights: ``alpha`` of shape ``input_shape[1:]`` with 1 on the shared axes.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        else:
            self.shared_axes = (list(shared_axes) if isinstance(shared_axes, (list, tuple))
                                else [shared_axes])

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(f"PReLU '{self.name}': shared axis {axis} is out of range for "
                                 f"input shape {tuple(input_shape)} (axes count from 1).")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU '{self.name}': non-shared axes must have known sizes, "
                             f"received input shape {tuple(input_shape)}")
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer, name="alpha",
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if i not in (self.shared_axes or ())}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)

    def call(self, inputs):
        negative = ops.multiply(self.alpha, ops.relu(ops.negative(inputs)))
        return ops.subtract(ops.relu(inputs), negative)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class ELU(_Elementwise):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        alpha: scale of the negative part.
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs):
        return ops.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax over ``axis``, optionally ignoring masked-out entries.

    Args:
        axis: int or list of ints to normalize over.

    Call args:
        inputs: the logits.
        mask: optional bool (or 0/1) tensor broadcastable to ``inputs``; False entries get
            probability 0 and do not take part in the normalization.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = ops.convert_to_tensor(mask)
            if len(ops.shape(mask)) > len(ops.shape(inputs)):
                raise ValueError(f"Softmax '{self.name}': the mask must be broadcastable to the "
                                 f"inputs; received mask shape {ops.shape(mask)} for inputs "
                                 f"{ops.shape(inputs)}")
            if ops.dtype(mask) != "bool":
                mask = ops.greater(mask, 0.5)
            very_negative = -3e4 if ops.dtype(inputs) == "float16" else -1e9
            inputs = ops.where(mask, inputs, ops.full((), very_negative, dtype=ops.dtype(inputs)))
        if isinstance(self.axis, list) and len(self.axis) > 1:
            axes = tuple(self.axis)
            outputs = ops.exp(ops.subtract(inputs, ops.logsumexp(inputs, axis=axes, keepdims=True)))
        else:
            axis = self.axis[0] if isinstance(self.axis, list) else self.axis
            outputs = ops.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = ops.where(mask, outputs, ops.zeros((), dtype=ops.dtype(outputs)))
        return outputs

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
