"""Recurrent layers (SimpleRNN, LSTM, GRU) and the wrappers Bidirectional and TimeDistributed.

LSTM and GRU first ask the backend for a whole-sequence kernel (``lstm``/``gru``, Keras 3's
``rnn`` hooks: ``torch._VF.lstm``/``gru`` on torch, a tight ``lax.scan`` / ``tf.while_loop``
on JAX / TensorFlow); a backend raises ``NotImplementedError`` for what its kernel does not
compute (other activations, recurrent dropout in training, some masks, numpy) and the layer
runs its generic loop: one ``ops.scan`` over time-major inputs, with the input projection
``x @ kernel + bias`` of all steps computed before the scan. Weights follow Keras 3 (names, shapes, gate order) so ``set_weights`` with a
Keras layer's ``get_weights()`` reproduces its outputs.

Masking (Keras semantics): pass ``mask`` of shape ``(batch, timesteps)``; at a masked step the
state and the output keep their previous values (zeros for the output when
``zero_output_for_mask``).
"""

from __future__ import annotations

import numpy as np

from mini_keras import activations, backends, initializers, ops
from mini_keras import random as mk_random
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.core import _regularizer
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["GRU", "LSTM", "Bidirectional", "SimpleRNN", "TimeDistributed"]


class _UnitForgetBias(initializers.Initializer):
    """LSTM bias: ``bias_initializer`` everywhere except ones for the forget gate."""

    def __init__(self, base, units):
        self.base, self.units = base, units

    def sample(self, shape, dtype):
        def part(n):
            if hasattr(self.base, "sample"):
                return np.asarray(self.base.sample((n,), dtype))
            return np.asarray(ops.convert_to_numpy(self.base((n,), dtype=dtype)))
        return np.concatenate([part(self.units), np.ones(self.units, dtype=dtype),
                               part(2 * self.units)]).astype(dtype)


class _RNN(Layer):
    """Shared machinery of SimpleRNN/LSTM/GRU: weights, dropout masks, masking and the scan.

    Subclasses set ``gates`` (blocks in the kernels), ``state_count`` and implement ``_step``.
    The weights live on the layer itself; saving writes them where Keras 3 keeps its cell's
    (``layers/lstm/cell/vars``) so the files load in Keras 3 and back.
    """

    _weights_subgroup = "cell"  # where Keras 3 saves an RNN layer's weights
    gates = 1
    state_count = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"{kind} '{self.name}': units must be a positive int, "
                             f"received {units!r}")
        if stateful:
            raise NotImplementedError(f"{kind} '{self.name}': stateful=True is not supported.")
        for arg, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= rate < 1:
                raise ValueError(f"{kind} '{self.name}': {arg} must be in [0, 1), "
                                 f"received {rate!r}")
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = _regularizer(kernel_regularizer)
        self.recurrent_regularizer = _regularizer(recurrent_regularizer)
        self.bias_regularizer = _regularizer(bias_regularizer)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.kernel_constraint = kernel_constraint
        self.recurrent_constraint = recurrent_constraint
        self.bias_constraint = bias_constraint
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed, backend=self._backend_name)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    # ------------------------------------------------------------------ weights
    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects 3-D inputs (batch, timesteps, "
                f"features), received input shape {tuple(input_shape)}")
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the feature dimension must "
                             f"be known, received input shape {tuple(input_shape)}")
        width = self.gates * self.units
        self.kernel = self.add_weight((input_shape[-1], width), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            (self.units, width), self.recurrent_initializer, name="recurrent_kernel",
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = (self.add_weight(self._bias_shape(), self._bias_initializer(), name="bias",
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})

    # ------------------------------------------------------------------ the recurrence
    def _input_bias(self):
        return self.bias

    def _step(self, x_proj, states, recurrent_kernel, h_gates):
        """One step: ``(projected input, states) -> (output, new states)``.

        ``h_gates`` is the previous output as seen by the recurrent matmuls (it differs from
        ``states[0]`` only under recurrent dropout).
        """
        raise NotImplementedError

    def call(self, sequences, initial_state=None, mask=None, training=None):
        batch = ops.shape(sequences)[0]
        if initial_state is None:
            # zeros of the input's batch size without reading it as an int, so traced graphs
            # (SavedModel, ONNX export) keep the batch dimension dynamic
            zero = ops.cast(sequences[:, 0, :1], self.compute_dtype) * 0.0  # (batch, 1)
            states = [zero + ops.zeros((1, self.units), dtype=self.compute_dtype)
                      for _ in range(self.state_count)]
        else:
            states = [self._to_tensor(s) for s in
                      (initial_state if isinstance(initial_state, (list, tuple))
                       else [initial_state])]
            if len(states) != self.state_count:
                raise ValueError(f"{type(self).__name__} '{self.name}' expects "
                                 f"{self.state_count} initial state(s), received {len(states)}")
        if training and self.dropout > 0:
            keep = mk_random.dropout(ops.ones((batch, 1, ops.shape(sequences)[-1]), self.compute_dtype),
                                     self.dropout, seed=self.seed_generator)
            sequences = ops.multiply(sequences, keep)
        if mask is not None:
            mask = ops.cast(self._to_tensor(mask), "bool")
        result = None
        if not (training and self.recurrent_dropout > 0):
            result = self._fused_call(sequences, states, mask)
        if result is None:
            result = self._scan_call(sequences, states, mask, batch, training)
        output, final_states = result
        if self.activity_regularizer is not None:
            self.add_loss(self.activity_regularizer(output))
        if self.return_state:
            return (output, *final_states)
        return output

    def _fused_kernel(self, sequences, states, mask):
        """The backend's whole-sequence kernel (``lstm``/``gru``): ``(last_output, outputs,
        states)``; raises ``NotImplementedError`` where there is none for this configuration."""
        raise NotImplementedError(f"{type(self).__name__}: no fused kernel")

    def _fused_call(self, sequences, states, mask):
        """``(output, final_states)`` from the backend's fused kernel, or None where it has
        none for this configuration (Keras 3 falls back the same way)."""
        try:
            last_output, outputs, final_states = self._fused_kernel(sequences, states, mask)
        except NotImplementedError:
            return None
        output = outputs if self.return_sequences else last_output
        if mask is not None and self.zero_output_for_mask:  # the kernels repeat the output
            keep = ops.flip(mask, axis=1) if self.go_backwards else mask
            if not self.return_sequences:
                keep = ops.getitem(keep, (slice(None), -1))
            output = ops.where(ops.expand_dims(keep, -1), output,
                               ops.zeros((), dtype=self.compute_dtype))
        return output, list(final_states)

    def _scan_call(self, sequences, states, mask, batch, training):
        """The generic recurrence: one ``ops.scan`` of ``_step`` over time-major inputs."""
        recurrent_kernel = self.recurrent_kernel.value
        recurrent_keep = None
        if training and self.recurrent_dropout > 0:
            recurrent_keep = mk_random.dropout(ops.ones((batch, self.units), self.compute_dtype),
                                               self.recurrent_dropout, seed=self.seed_generator)

        x = ops.matmul(ops.transpose(sequences, (1, 0, 2)), self.kernel)  # (steps, batch, k*u)
        if self.use_bias:
            x = ops.add(x, self._input_bias())
        xs = [x]
        if mask is not None:
            xs.append(ops.expand_dims(ops.transpose(mask, (1, 0)), -1))  # (steps, batch, 1)
        if self.go_backwards:
            xs = [ops.flip(t, axis=0) for t in xs]

        def step(carry, inputs):
            h_gates = carry[0] if recurrent_keep is None else ops.multiply(carry[0],
                                                                           recurrent_keep)
            output, new = self._step(inputs[0], list(carry), recurrent_kernel, h_gates)
            if mask is None:
                return new, output
            keep_t = inputs[1]
            new = [ops.where(keep_t, n, c) for n, c in zip(new, carry)]
            fallback = (ops.zeros(ops.shape(output), dtype=self.compute_dtype)
                        if self.zero_output_for_mask else carry[0])
            return new, ops.where(keep_t, output, fallback)

        steps = ops.shape(xs[0])[0]
        if self.unroll and steps is not None:  # Keras' unroll: a Python loop, no while op
            carry, ys = list(states), []
            for t in range(steps):
                carry, y = step(carry, [ops.getitem(x, t) for x in xs])
                ys.append(y)
            final_states, outputs = carry, ops.stack(ys, axis=0)
        else:
            final_states, outputs = ops.scan(step, states, xs)
        last_output = ops.getitem(outputs, -1)
        output = ops.transpose(outputs, (1, 0, 2)) if self.return_sequences else last_output
        return output, list(final_states)

    def compute_mask(self, inputs, mask=None):
        """The mask of the main output: the input mask when returning sequences, else None.

        (One mask, also with ``return_state``: models carry a single mask per layer call.)
        """
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        out = (batch, steps, self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self.state_count
        return out

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": None, "recurrent_regularizer": None,
                "bias_regularizer": None, "activity_regularizer": None,
                "kernel_constraint": None, "recurrent_constraint": None,
                "bias_constraint": None, "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout, "seed": self.seed,
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}


class SimpleRNN(_RNN):
    """Fully connected recurrence: ``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel
    + bias)``; the output is ``h_t``.

    Args:
        units: size of the state and output.
        activation: default "tanh".
        use_bias: add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: Keras defaults
            glorot_uniform, orthogonal, zeros.
        dropout, recurrent_dropout: fraction of inputs / recurrent state dropped in training
            (one mask per sequence, as Keras).
        seed: seed of the dropout masks.
        return_sequences: return the output of every step ``(batch, timesteps, units)``
            instead of the last ``(batch, units)``.
        return_state: also return the final state(s): ``[output, state, ...]``.
        go_backwards: process the sequence in reverse (outputs are in processing order).
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call args: ``sequences`` (batch, timesteps, features), ``initial_state`` (list of tensors),
    ``mask`` (batch, timesteps) bool, ``training``.

    Weights: ``kernel`` (features, units), ``recurrent_kernel`` (units, units), ``bias`` (units,).
    """

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def _step(self, x_proj, states, recurrent_kernel, h_gates):
        h_new = self.activation(ops.add(x_proj, ops.matmul(h_gates, recurrent_kernel)))
        return h_new, [h_new]


class LSTM(_RNN):
    """Long short-term memory (Hochreiter 1997), Keras 3 layout with gates ordered i, f, c, o.

    ``z = x_t @ kernel + h @ recurrent_kernel + bias``; ``i, f, o = recurrent_activation(...)``,
    ``c = f * c + i * activation(z_c)``, ``h = o * activation(c)``; the output is ``h``.

    Args:
        units: size of the states and output.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        unit_forget_bias: initialize the forget-gate bias to ones (Keras default True).
        Other args as :class:`SimpleRNN`.

    Weights: ``kernel`` (features, 4*units), ``recurrent_kernel`` (units, 4*units),
    ``bias`` (4*units,). States: ``[h, c]``.
    """

    gates = 4
    state_count = 2

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def _bias_initializer(self):
        if self.unit_forget_bias:
            return _UnitForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def _step(self, x_proj, states, recurrent_kernel, h_gates):
        c = states[1]
        z = ops.add(x_proj, ops.matmul(h_gates, recurrent_kernel))
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        i, f, o = (self.recurrent_activation(t) for t in (z_i, z_f, z_o))
        c_new = ops.add(ops.multiply(f, c), ops.multiply(i, self.activation(z_c)))
        h_new = ops.multiply(o, self.activation(c_new))
        return h_new, [h_new, c_new]

    def _fused_kernel(self, sequences, states, mask):
        lstm = backends.optional_hook("lstm")
        if lstm is None:
            raise NotImplementedError(f"LSTM '{self.name}': the backend has no fused kernel")
        return lstm(
            sequences, states[0], states[1], mask, self.kernel.value,
            self.recurrent_kernel.value, self.bias.value if self.use_bias else None,
            self.activation, self.recurrent_activation, return_sequences=self.return_sequences,
            go_backwards=self.go_backwards, unroll=self.unroll)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class GRU(_RNN):
    """Gated recurrent unit (Cho 2014), Keras 3 layout with gates ordered z, r, h.

    ``z, r = recurrent_activation(...)``; candidate ``hh = activation(x_h + r * (h @ R_h +
    b_h))`` when ``reset_after`` (default, cuDNN-style) else ``activation(x_h + (r * h) @ R_h)``;
    ``h = z * h + (1 - z) * hh``.

    Args:
        units: size of the state and output.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        reset_after: apply the reset gate after the recurrent matmul (Keras default True).
        Other args as :class:`SimpleRNN`.

    Weights: ``kernel`` (features, 3*units), ``recurrent_kernel`` (units, 3*units), ``bias``
    (2, 3*units) with ``reset_after`` (input bias, recurrent bias) else (3*units,).
    """

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return ops.getitem(self.bias, 0) if self.reset_after else self.bias

    def _step(self, x_proj, states, recurrent_kernel, h_gates):
        h, u = states[0], self.units
        x_z, x_r, x_h = ops.split(x_proj, 3, axis=-1)
        if self.reset_after:
            inner = ops.matmul(h_gates, recurrent_kernel)
            if self.use_bias:
                inner = ops.add(inner, ops.getitem(self.bias, 1))
            r_z, r_r, r_h = ops.split(inner, 3, axis=-1)
        else:
            inner = ops.matmul(h_gates,
                               ops.getitem(recurrent_kernel, (slice(None), slice(0, 2 * u))))
            r_z, r_r = ops.split(inner, 2, axis=-1)
        z = self.recurrent_activation(ops.add(x_z, r_z))
        r = self.recurrent_activation(ops.add(x_r, r_r))
        if self.reset_after:
            recurrent_h = ops.multiply(r, r_h)
        else:
            recurrent_h = ops.matmul(ops.multiply(r, h_gates), ops.getitem(
                recurrent_kernel, (slice(None), slice(2 * u, None))))
        hh = self.activation(ops.add(x_h, recurrent_h))
        h_new = ops.add(ops.multiply(z, h), ops.multiply(ops.subtract(1.0, z), hh))
        return h_new, [h_new]

    def _fused_kernel(self, sequences, states, mask):
        gru = backends.optional_hook("gru")
        if gru is None:
            raise NotImplementedError(f"GRU '{self.name}': the backend has no fused kernel")
        return gru(
            sequences, states[0], mask, self.kernel.value, self.recurrent_kernel.value,
            self.bias.value if self.use_bias else None, self.activation,
            self.recurrent_activation, return_sequences=self.return_sequences,
            go_backwards=self.go_backwards, unroll=self.unroll, reset_after=self.reset_after)

    def get_config(self):
        return {**super().get_config(),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}


def _serialize(layer) -> dict:
    try:
        from mini_keras.saving.serialization import serialize_keras_object
    except ImportError:  # saving not available: the minimal Keras schema
        return {"class_name": type(layer).__name__, "config": layer.get_config()}
    return serialize_keras_object(layer)


def _deserialize(config):
    if not isinstance(config, dict):
        return config
    try:
        from mini_keras.saving.serialization import deserialize_keras_object
    except ImportError:
        from mini_keras import layers
        return getattr(layers, config["class_name"]).from_config(config["config"])
    return deserialize_keras_object(config)


def _clone(layer, **overrides):
    config = {**layer.get_config(), **overrides}
    with backends.backend_scope(layer.backend):
        return type(layer).from_config(config)


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy backwards, and merge their outputs.

    Args:
        layer: the recurrent layer (SimpleRNN, LSTM, GRU); two fresh copies named
            ``forward_<name>`` and ``backward_<name>`` (the latter with ``go_backwards``) are
            made from its config, as Keras does.
        merge_mode: "concat" (default), "sum", "mul", "ave" or None (a list of both outputs).
        backward_layer: optional explicit backward layer.

    Weights: the forward layer's, then the backward layer's.
    """

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, _RNN):
            raise TypeError(f"Bidirectional '{self.name}': `layer` must be a SimpleRNN, LSTM or "
                             f"GRU layer, received {type(layer).__name__}")
        if merge_mode not in ("concat", "sum", "mul", "ave", None):
            raise ValueError(f"Bidirectional '{self.name}': merge_mode must be one of concat, "
                             f"sum, mul, ave, None; received {merge_mode!r}")
        name = layer.name.removeprefix("forward_")
        self.forward_layer = _clone(layer, name=f"forward_{name}")
        self.backward_layer = backward_layer if backward_layer is not None else _clone(
            layer, name=f"backward_{layer.name.removeprefix('backward_')}",
            go_backwards=not layer.go_backwards)
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError(f"Bidirectional '{self.name}': forward and backward layers must "
                             "have different `go_backwards` values.")
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        self.forward_layer._maybe_build(input_shape)
        self.backward_layer._maybe_build(input_shape)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, axis=1)
        merge = {"concat": lambda: ops.concatenate([y, y_rev], axis=-1),
                 "sum": lambda: ops.add(y, y_rev), "mul": lambda: ops.multiply(y, y_rev),
                 "ave": lambda: ops.divide(ops.add(y, y_rev), 2.0),
                 None: lambda: [y, y_rev]}
        output = merge[self.merge_mode]()
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def compute_mask(self, inputs, mask=None):
        """The mask of the main output: the input mask when returning sequences, else None."""
        return mask if self.return_sequences else None

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": _serialize(self.forward_layer),
                "backward_layer": _serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config):
        config = {**config, "layer": _deserialize(config["layer"])}
        if config.get("backward_layer") is not None:
            config["backward_layer"] = _deserialize(config["backward_layer"])
        return super().from_config(config)


class TimeDistributed(Layer):
    """Apply ``layer`` to every time step: inputs ``(batch, time, ...)`` are folded into the
    batch, passed through ``layer`` and unfolded.

    Args:
        layer: any layer taking ``(batch, ...)`` inputs.

    Weights: those of ``layer`` (shared across time steps).
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise TypeError(f"TimeDistributed '{self.name}': `layer` must be a Layer, "
                             f"received {type(layer).__name__}")
        self.layer = layer
        self.input_spec = InputSpec(min_ndim=3)
        self.supports_masking = True  # the (batch, time) mask passes through unchanged

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed '{self.name}' expects inputs of rank >= 3 "
                             f"(batch, time, ...), received input shape {tuple(input_shape)}")
        self.layer._maybe_build((None,) + tuple(input_shape[2:]))

    def call(self, inputs, training=None):
        shape = ops.shape(inputs)
        folded = ops.reshape(inputs, (shape[0] * shape[1],) + tuple(shape[2:]))
        kwargs = {"training": training} if self.layer._call_has_training else {}
        out = self.layer(folded, **kwargs)
        return ops.reshape(out, (shape[0], shape[1]) + tuple(ops.shape(out)[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        return {**super().get_config(), "layer": _serialize(self.layer)}

    @classmethod
    def from_config(cls, config):
        return super().from_config({**config, "layer": _deserialize(config["layer"])})
