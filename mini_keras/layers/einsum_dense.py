"""EinsumDense: a dense layer of any dimensionality, ``einsum(equation, inputs, kernel) + bias``."""

from __future__ import annotations

import re

from mini_keras import activations, constraints, initializers, ops, regularizers
from mini_keras.layers.core import _regularizer
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["EinsumDense"]

_FORMS = (  # (regex over the equation with "..." written as "0", where the ellipsis is)
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), None),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$"), "left"),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$"), "right"),
)


def analyze_equation(equation, bias_axes, input_shape, output_shape, layer="EinsumDense"):
    """Weight and output shapes of ``einsum(equation, inputs, kernel)`` (Keras 3's rules).

    Args:
        equation: ``"ab,bc->ac"``, ``"...ab,bc->...ac"`` or ``"ab...,bc->ac..."``.
        bias_axes: output letters that get a bias, or None.
        input_shape: the full input shape, batch included.
        output_shape: the output shape without the batch and the elided axes (``None`` for
            a size taken from the input).
        layer: the name used in error messages.

    Returns:
        ``(kernel_shape, bias_shape or None, full_output_shape, input_axes, output_axes)``,
        the last two being the kernel axes that hold input units and output units.
    """
    compact = equation.replace("...", "0")
    for pattern, ellipsis in _FORMS:
        match = pattern.match(compact)
        if match:
            break
    else:
        raise ValueError(f"{layer}: invalid einsum equation {equation!r}; expected the form "
                         "'[X],[Y]->[Z]', '...[X],[Y]->...[Z]' or '[X]...,[Y]->[Z]...'")
    in_spec, w_spec, out_spec = match.groups()
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0:
        raise ValueError(f"{layer}: the input of rank {len(input_shape)} has fewer axes than "
                         f"the equation's input spec {in_spec!r} (input shape {input_shape})")
    partial = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    full = [input_shape[0]] + partial
    if elided and ellipsis == "left":
        full[1:1] = input_shape[1:elided]
    elif elided:
        full += input_shape[len(input_shape) - elided:]
    shift = elided if ellipsis == "left" else 0
    in_pos = {c: i + shift for i, c in enumerate(in_spec)}
    out_pos = {c: i + shift for i, c in enumerate(out_spec)}
    for c in in_spec:
        if c in out_pos and full[out_pos[c]] is not None and \
                full[out_pos[c]] != input_shape[in_pos[c]]:
            raise ValueError(f"{layer}: input and output shapes differ at shared dimension "
                             f"{c!r}: input {input_shape[in_pos[c]]}, output {full[out_pos[c]]}")
    for c in out_spec:
        if c not in in_spec and c not in w_spec:
            raise ValueError(f"{layer}: output dimension {c!r} of {out_spec!r} is in neither "
                             f"the input spec {in_spec!r} nor the weight spec {w_spec!r}")
    kernel_shape, input_axes, output_axes = [], [], []
    for i, c in enumerate(w_spec):
        if c in out_pos:
            kernel_shape.append(full[out_pos[c]])
            output_axes.append(i)
        elif c in in_pos:
            kernel_shape.append(input_shape[in_pos[c]])
            input_axes.append(i)
        else:
            raise ValueError(f"{layer}: weight dimension {c!r} of {w_spec!r} is in neither the "
                             f"input spec {in_spec!r} nor the output spec {out_spec!r}")
    bias_shape = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(f"{layer}: bias axis {c!r} is not in the output spec "
                                 f"{out_spec!r}")
        first = min(out_spec.index(c) for c in bias_axes)
        bias_shape = [full[out_pos[c]] if c in bias_axes else 1 for c in out_spec[first:]]
        if ellipsis != "left":
            bias_shape += [1] * elided
    return kernel_shape, bias_shape, full, input_axes, output_axes


class EinsumDense(Layer):
    """A dense layer written as an einsum: ``activation(einsum(equation, x, kernel) + bias)``.

    Args:
        equation: ``"ab,bc->ac"``, ``"...ab,bc->...ac"`` or ``"ab...,bc->ac..."`` (input,
            kernel, output).
        output_shape: the output shape without the batch axis and the elided (``...``) axes;
            an int for one axis; ``None`` entries are taken from the input.
        activation: activation name or callable (None: linear).
        bias_axes: the output letters that get a bias (None: no bias).
        kernel_initializer, bias_initializer: Keras defaults glorot_uniform, zeros; a
            VarianceScaling initializer without ``input_axes``/``output_axes`` computes its
            fans from the kernel axes that match the input and the output.
        kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint: as Dense.
        lora_rank, lora_alpha, gptq_unpacked_column_size, quantization_config: LoRA and
            quantization are not supported; only their defaults (None) are accepted.

    Weights: ``kernel`` (shape from the weight spec), then ``bias`` when ``bias_axes``.

    Example:
        >>> EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")  # per step
    """

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        activity_regularizer = kwargs.pop("activity_regularizer", None)
        super().__init__(**kwargs)
        for arg, value, what in (("lora_rank", lora_rank, "LoRA"),
                                 ("lora_alpha", lora_alpha, "LoRA"),
                                 ("gptq_unpacked_column_size", gptq_unpacked_column_size,
                                  "quantization"),
                                 ("quantization_config", quantization_config, "quantization")):
            if value is not None:
                raise NotImplementedError(f"EinsumDense '{self.name}': {arg}={value!r} is not "
                                          f"supported ({what} is out of scope); use None.")
        self.equation = equation
        self.partial_output_shape = ((output_shape,) if isinstance(output_shape, int)
                                     else tuple(output_shape))
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = self.lora_alpha = None
        self.lora_enabled = False
        self.quantization_config = None

    def _analyze(self, input_shape):
        return analyze_equation(self.equation, self.bias_axes, input_shape,
                                self.partial_output_shape, f"EinsumDense '{self.name}'")

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = self._analyze(input_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError(f"EinsumDense '{self.name}': the kernel shape {kernel_shape} has "
                             f"unknown sizes for input shape {tuple(input_shape)}; give them "
                             "in output_shape or the input shape")
        self.input_spec = InputSpec(ndim=len(input_shape))
        init = self.kernel_initializer
        if isinstance(init, initializers.VarianceScaling) and (
                init.input_axes is None or init.output_axes is None):
            config = {**init.get_config(), "input_axes": input_axes, "output_axes": output_axes}
            init = type(init).from_config(config)
        self.kernel = self.add_weight(tuple(kernel_shape), init, name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = (self.add_weight(tuple(bias_shape), self.bias_initializer, name="bias",
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if bias_shape is not None else None)

    def call(self, inputs, training=None):
        x = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = ops.add(x, self.bias)
        if self.activation is not None:
            x = self.activation(x)
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(x))
        return x

    def compute_output_shape(self, input_shape):
        return tuple(self._analyze(input_shape)[2])

    def get_config(self):
        return {**super().get_config(), "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "quantization_config": None}
