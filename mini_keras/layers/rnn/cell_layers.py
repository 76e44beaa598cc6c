"""Recurrent cells (one step of a recurrence, run over time by ``RNN``): SimpleRNNCell,
LSTMCell, GRUCell and StackedRNNCells.

A cell is a layer with ``state_size`` (an int or a list of ints, one per state), optional
``output_size`` and ``get_initial_state(batch_size)``, whose ``call(inputs, states,
training=None)`` maps one step's ``(batch, features)`` inputs and the list of states to
``(output, new_states)``. The three built-in cells share their weights and math with the
SimpleRNN/LSTM/GRU layers (``cell_math``); their dropout masks are drawn once per sequence and
reused at every step (Keras 3's ``DropoutRNNCell``).
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.layers.layer import Layer
from mini_keras.layers.rnn.cell_math import _GRUMath, _LSTMMath, _SimpleRNNMath

__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell", "StackedRNNCells"]


def _serialize(obj) -> dict:
    from mini_keras.saving.serialization import serialize_keras_object
    return serialize_keras_object(obj)


def _deserialize(config, custom_objects=None):
    if not isinstance(config, dict):
        return config
    from mini_keras.saving.serialization import deserialize_keras_object
    return deserialize_keras_object(config, custom_objects)


class DropoutRNNCell:
    """Dropout masks of a cell, drawn once per sequence and reused at every step (Keras 3).

    ``RNN`` draws them before running over time (``get_dropout_mask`` /
    ``get_recurrent_dropout_mask``) and forgets them after (``reset_dropout_mask`` /
    ``reset_recurrent_dropout_mask``). The cell needs ``dropout``, ``recurrent_dropout`` and
    ``seed_generator``.
    """

    _dropout_mask = None
    _recurrent_dropout_mask = None

    def _create_dropout_mask(self, step_input, rate):
        return mk_random.dropout(ops.ones_like(step_input), rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input):
        """The input dropout mask (shape of ``step_input``), drawn on first use; None when
        ``dropout`` is 0."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._create_dropout_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input):
        """The recurrent dropout mask (shape of the state ``step_input``), drawn on first use;
        None when ``recurrent_dropout`` is 0."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._create_dropout_mask(step_input,
                                                                     self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forget the input dropout mask (the next sequence draws a new one)."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forget the recurrent dropout mask (the next sequence draws a new one)."""
        self._recurrent_dropout_mask = None


class _Cell(DropoutRNNCell, Layer):
    """A built-in cell: arguments, weights and step from a ``cell_math`` mixin."""

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        Layer.__init__(self, **kwargs)
        self._init_recurrent(
            units, activation, recurrent_activation, use_bias, kernel_initializer,
            recurrent_initializer, bias_initializer, kernel_regularizer, recurrent_regularizer,
            bias_regularizer, kernel_constraint, recurrent_constraint, bias_constraint, dropout,
            recurrent_dropout, seed)

    @property
    def state_size(self):
        """Size of each state: ``units`` (one state) or ``[units, units]`` (LSTM's h, c)."""
        return self.units if self.state_count == 1 else [self.units] * self.state_count

    @property
    def output_size(self):
        """Size of the output: ``units``."""
        return self.units

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} '{self.name}': the feature dimension must "
                             f"be known, received input shape {tuple(input_shape)}")
        self._build_weights(input_shape[-1])

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        states = [self._to_tensor(s) for s in (states if nested else [states])]
        if len(states) != self.state_count:
            raise ValueError(f"{type(self).__name__} '{self.name}' expects {self.state_count} "
                             f"state(s), received {len(states)}")
        h_gates = states[0]
        if training:
            keep = self.get_dropout_mask(inputs)
            if keep is not None:
                inputs = ops.multiply(inputs, keep)
            recurrent_keep = self.get_recurrent_dropout_mask(states[0])
            if recurrent_keep is not None:
                h_gates = ops.multiply(h_gates, recurrent_keep)
        x = ops.matmul(inputs, self.kernel)
        if self.use_bias:
            x = ops.add(x, self._input_bias())
        output, new_states = self._step(x, states, self.recurrent_kernel, h_gates)
        if not nested and len(new_states) == 1:
            return output, new_states[0]
        return output, new_states

    def get_initial_state(self, batch_size=None):
        """Zero states: a list of ``(batch_size, units)`` tensors, one per state."""
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)
                for _ in range(self.state_count)]

    def get_config(self):
        return {**super().get_config(), **self._recurrent_config()}


class SimpleRNNCell(_SimpleRNNMath, _Cell):
    """One step of :class:`SimpleRNN`: ``h = activation(x @ kernel + h @ recurrent_kernel +
    bias)``; output and state are ``h``.

    Args:
        units: size of the state and output.
        activation: default "tanh".
        use_bias: add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: Keras defaults
            glorot_uniform, orthogonal, zeros.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: weight regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: weight constraints.
        dropout, recurrent_dropout: fraction of the inputs / state dropped in training (one mask
            per sequence).
        seed: seed of the dropout masks.

    Call args: ``inputs`` (batch, features), ``states`` (a list with one tensor, or the
    tensor), ``training``. Weights: ``kernel``, ``recurrent_kernel``, ``bias``.
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)


class LSTMCell(_LSTMMath, _Cell):
    """One step of :class:`LSTM` (gates i, f, c, o); states ``[h, c]``, output ``h``.

    Args:
        units: size of the states and output.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        unit_forget_bias: initialize the forget-gate bias to ones (default True).
        Other args as :class:`SimpleRNNCell`.

    Weights: ``kernel`` (features, 4*units), ``recurrent_kernel`` (units, 4*units), ``bias``
    (4*units,).
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.unit_forget_bias = unit_forget_bias

    def get_config(self):
        return {**super().get_config(), **self._lstm_config()}


class GRUCell(_GRUMath, _Cell):
    """One step of :class:`GRU` (gates z, r, h); state and output ``h``.

    Args:
        units: size of the state and output.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        reset_after: apply the reset gate after the recurrent matmul (default True; bias of
            shape (2, 3*units)).
        Other args as :class:`SimpleRNNCell`.

    Weights: ``kernel`` (features, 3*units), ``recurrent_kernel`` (units, 3*units), ``bias``.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.reset_after = reset_after

    def get_config(self):
        return {**super().get_config(), **self._gru_config()}


def _cell_output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


def check_cell(cell, owner: str):
    """Raise a clear ValueError unless ``cell`` has a ``call`` method and a ``state_size``."""
    if not callable(getattr(cell, "call", None)):  # Keras 3 raises ValueError for both
        raise ValueError(f"{owner}: a cell must have a `call` method, "  # noqa: TRY004
                         f"received {cell!r}")
    if getattr(cell, "state_size", None) is None:
        raise ValueError(f"{owner}: a cell must have a `state_size` attribute (an int or a list "
                         f"of ints, one per state), received {cell!r}")


def call_cell(cell, inputs, states, training):
    """``cell(inputs, states)`` with ``training`` where the cell's call takes it."""
    if isinstance(cell, Layer):
        kwargs = {"training": training} if cell._call_has_training else {}
        return cell(inputs, states, **kwargs)
    return cell.call(inputs, states)


class StackedRNNCells(Layer):
    """A stack of cells run as one cell: each step feeds the output of a cell to the next.

    Args:
        cells: list of cells (built-in or user cells with ``call`` and ``state_size``).

    ``state_size`` is the list of the cells' state sizes; states are passed and returned
    nested, one entry per cell. Weights: each cell's in order.
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        if not cells:
            raise ValueError(f"StackedRNNCells '{self.name}': `cells` must be a non-empty list")
        for cell in cells:
            check_cell(cell, f"StackedRNNCells '{self.name}'")
        self.cells = cells

    @property
    def state_size(self):
        """The list of each cell's ``state_size``."""
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        """The last cell's output size."""
        return _cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        """Each cell's initial states (its ``get_initial_state`` or zeros), one entry per cell."""
        states = []
        for cell in self.cells:
            get = getattr(cell, "get_initial_state", None)
            if get is not None:
                states.append(get(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
            else:
                states.append([ops.zeros((batch_size, d), dtype=self.compute_dtype)
                               for d in cell.state_size])
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._maybe_build(tuple(input_shape))
            input_shape = (input_shape[0], _cell_output_size(cell))

    def call(self, inputs, states, training=False):
        if len(states) != len(self.cells):
            raise ValueError(f"StackedRNNCells '{self.name}' expects one state entry per cell "
                             f"({len(self.cells)}), received {len(states)}")
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = isinstance(cell_states, (list, tuple))
            inputs, out_states = call_cell(cell, inputs, list(cell_states) if was_list
                                           else [cell_states], training)
            if not isinstance(out_states, (list, tuple)):
                out_states = [out_states]
            new_states.append(list(out_states) if was_list or len(out_states) != 1
                              else out_states[0])
        return inputs, new_states

    def get_config(self):
        return {**super().get_config(), "cells": [_serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [_deserialize(c, custom_objects) for c in config.pop("cells")]
        return super().from_config({**config, "cells": cells})
