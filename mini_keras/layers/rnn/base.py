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

from mini_keras import ops, regularizers
from mini_keras import random as mk_random
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer
from mini_keras.layers.rnn.cell_math import _RecurrentWeights, _regularizer
from mini_keras.layers.rnn.stateful import _StatefulMixin


class _RNN(_StatefulMixin, _RecurrentWeights, Layer):
    """Shared machinery of SimpleRNN/LSTM/GRU: dropout masks, masking and the scan.

    The step math and weights come from a ``cell_math`` mixin placed before this class. The
    weights live on the layer itself; saving writes them where Keras 3 keeps its cell's
    (``layers/lstm/cell/vars``) so the files load in Keras 3 and back.
    """

    _weights_subgroup = "cell"  # where Keras 3 saves an RNN layer's weights

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, zero_output_for_mask=False,
                 **kwargs):
        super().__init__(**kwargs)
        self._init_recurrent(
            units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects 3-D inputs (batch, timesteps, "
                f"features), received input shape {tuple(input_shape)}")
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the feature dimension must "
                             f"be known, received input shape {tuple(input_shape)}")
        self._build_weights(input_shape[-1])
        self.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            else:
                batch = input_shape[0]
                self._create_states(batch, self.get_initial_state(batch) if batch else None)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        batch = ops.shape(sequences)[0]
        if initial_state is None and self.stateful:
            initial_state = self._stateful_initial_state(sequences)
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
        if self.stateful:
            self._store_states(final_states)
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

        def step(inputs, carry):
            h_gates = carry[0] if recurrent_keep is None else ops.multiply(carry[0],
                                                                           recurrent_keep)
            return self._step(inputs[0], list(carry), recurrent_kernel, h_gates)

        last_output, outputs, final_states = run_over_time(
            step, states, [x], mask, go_backwards=self.go_backwards, unroll=self.unroll,
            zero_output_for_mask=self.zero_output_for_mask)
        output = ops.transpose(outputs, (1, 0, 2)) if self.return_sequences else last_output
        return output, final_states

    def get_initial_state(self, batch_size):
        """Zero states: a list of ``(batch_size, units)`` tensors, one per state (Keras API)."""
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)
                for _ in range(self.state_count)]

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
        return {**super().get_config(), **self._recurrent_config(),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}


def run_over_time(step, states, xs, mask, *, go_backwards=False, unroll=False,
                  zero_output_for_mask=False, output_state=0):
    """Run ``step`` over time-major inputs: ``(last_output, outputs, final_states)``.

    Args:
        step: ``(inputs_t, states) -> (output_t, new_states)`` with ``inputs_t`` the list of
            the ``xs`` at one step and ``states`` a flat list of tensors.
        states: the flat list of initial states.
        xs: list of time-major tensors ``(timesteps, batch, ...)``.
        mask: None or bool ``(batch, timesteps)``: at a masked step the states keep their
            values and the output repeats the previous one (``states[output_state]``, as
            Keras 3 assumes) or is zeros with ``zero_output_for_mask``.
        go_backwards: process the steps in reverse (outputs in processing order).
        unroll: a Python loop over the (static) steps instead of one ``ops.scan``.

    Returns: the last output, all outputs ``(timesteps, batch, ...)`` and the final states.
    """
    xs = list(xs)
    if mask is not None:
        xs.append(ops.expand_dims(ops.transpose(mask, (1, 0)), -1))  # (steps, batch, 1)
    if go_backwards:
        xs = [ops.flip(t, axis=0) for t in xs]
    n_inputs = len(xs) - (mask is not None)

    def masked_step(carry, inputs):
        output, new = step(inputs[:n_inputs], list(carry))
        new = list(new)
        if mask is None:
            return new, output
        keep_t = inputs[n_inputs]
        new = [ops.where(_fit(keep_t, n), n, c) for n, c in zip(new, carry)]
        keep_o = _fit(keep_t, output)
        fallback = (ops.zeros(ops.shape(output), dtype=ops.dtype(output))
                    if zero_output_for_mask else carry[output_state])
        return new, ops.where(keep_o, output, fallback)

    steps = ops.shape(xs[0])[0]
    if unroll and steps is not None:  # Keras' unroll: a Python loop, no while op
        carry, ys = list(states), []
        for t in range(steps):
            carry, y = masked_step(carry, [ops.getitem(x, t) for x in xs])
            ys.append(y)
        final_states, outputs = carry, ops.stack(ys, axis=0)
    else:
        final_states, outputs = ops.scan(masked_step, list(states), xs)
    return ops.getitem(outputs, -1), outputs, list(final_states)


def _fit(keep_t, like):
    """The ``(batch, 1)`` step mask reshaped to broadcast against ``like`` (batch, ...)."""
    for _ in range(len(ops.shape(like)) - 2):
        keep_t = ops.expand_dims(keep_t, -1)
    return keep_t
