"""What a recurrent layer and its cell share: the arguments, the weights and one step's math.

``_RecurrentWeights`` takes the cell arguments (units, activations, initializers, regularizers,
constraints, dropout rates, seed), builds ``kernel``/``recurrent_kernel``/``bias`` in Keras 3's
shapes and serializes them. ``_SimpleRNNMath``, ``_LSTMMath`` and ``_GRUMath`` hold the step of
each recurrence on a projected input ``x @ kernel + bias``. The layers (``cells.py``: SimpleRNN,
LSTM, GRU) and the cells (``cell_layers.py``: SimpleRNNCell, LSTMCell, GRUCell) are both made of
these, so ``RNN(LSTMCell(n))`` and ``LSTM(n)`` compute the same numbers.
"""

from __future__ import annotations

import numpy as np

from mini_keras import activations, constraints, initializers, ops, regularizers
from mini_keras.core.seed_generator import SeedGenerator


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


def _regularizer(identifier):
    return None if identifier is None else regularizers.get(identifier)


class _RecurrentWeights:
    """Cell arguments and weights shared by recurrent layers and cells (a mixin on Layer).

    Subclasses set ``gates`` (blocks in the kernels) and ``state_count`` and implement
    ``_step``.
    """

    gates = 1
    state_count = 1

    def _init_recurrent(self, units, activation="tanh", recurrent_activation="sigmoid",
                        use_bias=True, kernel_initializer="glorot_uniform",
                        recurrent_initializer="orthogonal", bias_initializer="zeros",
                        kernel_regularizer=None, recurrent_regularizer=None,
                        bias_regularizer=None, kernel_constraint=None,
                        recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                        recurrent_dropout=0.0, seed=None):
        kind = type(self).__name__
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(f"{kind} '{self.name}': units must be a positive int, "
                             f"received {units!r}")
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
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed, backend=self._backend_name)

    # ------------------------------------------------------------------ weights
    def _bias_shape(self):
        return (self.gates * self.units,)

    def _bias_initializer(self):
        return self.bias_initializer

    def _input_bias(self):
        return self.bias

    def _build_weights(self, input_dim):
        """Create ``kernel`` (input_dim, gates*units), ``recurrent_kernel`` and ``bias``."""
        width = self.gates * self.units
        self.kernel = self.add_weight((input_dim, width), self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            (self.units, width), self.recurrent_initializer, name="recurrent_kernel",
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint)
        self.bias = (self.add_weight(self._bias_shape(), self._bias_initializer(), name="bias",
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)

    def _step(self, x_proj, states, recurrent_kernel, h_gates):
        """One step: ``(projected input, states) -> (output, new states)``.

        ``h_gates`` is the previous output as seen by the recurrent matmuls (it differs from
        ``states[0]`` only under recurrent dropout).
        """
        raise NotImplementedError

    def _recurrent_config(self) -> dict:
        return {"units": self.units, "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed}


class _SimpleRNNMath(_RecurrentWeights):
    """``h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)``."""

    def _step(self, x_proj, states, recurrent_kernel, h_gates):
        h_new = self.activation(ops.add(x_proj, ops.matmul(h_gates, recurrent_kernel)))
        return h_new, [h_new]


class _LSTMMath(_RecurrentWeights):
    """Keras 3's LSTM step, gates ordered i, f, c, o; states ``[h, c]``."""

    gates = 4
    state_count = 2

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

    def _lstm_config(self) -> dict:
        return {"recurrent_activation": activations.serialize(self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias}


class _GRUMath(_RecurrentWeights):
    """Keras 3's GRU step, gates ordered z, r, h; ``reset_after`` puts the reset gate after
    the recurrent matmul (bias of shape (2, 3*units): input bias, recurrent bias)."""

    gates = 3

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

    def _gru_config(self) -> dict:
        return {"recurrent_activation": activations.serialize(self.recurrent_activation),
                "reset_after": self.reset_after}
