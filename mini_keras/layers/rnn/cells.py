"""SimpleRNN, LSTM and GRU: the step of each recurrence on the shared base class.

Weights follow Keras 3 (names, shapes, gate order) so ``set_weights`` with a Keras layer's
``get_weights()`` reproduces its outputs.
"""

from __future__ import annotations

from mini_keras import backends
from mini_keras.layers.rnn.base import _RNN
from mini_keras.layers.rnn.cell_math import _GRUMath, _LSTMMath, _SimpleRNNMath

__all__ = ["GRU", "LSTM", "SimpleRNN"]


class SimpleRNN(_SimpleRNNMath, _RNN):
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


class LSTM(_LSTMMath, _RNN):
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

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.unit_forget_bias = unit_forget_bias

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
        return {**super().get_config(), **self._lstm_config()}


class GRU(_GRUMath, _RNN):
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

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, **kwargs)
        self.reset_after = reset_after

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
        return {**super().get_config(), **self._gru_config()}
