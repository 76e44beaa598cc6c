"""The recurrent layer base class: weights, dropout masks, masking and the scan over time.

LSTM and GRU first ask the backend for a whole-sequence kernel (``lstm``/``gru``, Keras 3's
``rnn`` hooks: ``torch._VF.lstm``/``gru`` on torch, a tight ``lax.scan`` / ``tf.while_loop``
on JAX / TensorFlow); a backend raises ``NotImplementedError`` for what its kernel does not
compute (other activations, recurrent dropout in training, some masks, numpy) and the layer
runs its generic loop: one ``ops.scan`` over time-major inputs, with the input projection
``x @ kernel + bias`` of all steps computed before the scan.

Masking (Keras semantics): pass ``mask`` of shape ``(batch, timesteps)``; at a masked step the
state and the output keep their previous values (zeros for the output when
``zero_output_for_mask``).
"""

from __future__ import annotations

from mini_keras import activations, initializers, ops
from mini_keras import random as mk_random
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.core import _regularizer
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer


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
