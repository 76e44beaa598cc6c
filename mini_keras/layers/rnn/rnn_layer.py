"""RNN: run any cell over time (Keras 3's ``keras.layers.RNN``).

The cell may be a built-in one (SimpleRNNCell, LSTMCell, GRUCell), a StackedRNNCells, a list of
cells (stacked) or a user-written cell: an object with ``state_size`` and ``call(inputs, states,
training=None) -> (output, new_states)``. The loop over time is ``base.run_over_time``, shared
with SimpleRNN/LSTM/GRU; Keras saves the cell's weights under ``layers/rnn/cell/vars``, which
is where the ``cell`` attribute puts them here.
"""

from __future__ import annotations

from mini_keras import ops, tree
from mini_keras.layers.layer import Layer
from mini_keras.layers.rnn.base import run_over_time
from mini_keras.layers.rnn.cell_layers import (
    DropoutRNNCell,
    StackedRNNCells,
    _cell_output_size,
    _deserialize,
    _serialize,
    call_cell,
    check_cell,
)
from mini_keras.layers.rnn.stateful import _StatefulMixin

__all__ = ["RNN"]


class RNN(_StatefulMixin, Layer):
    """Run a recurrent ``cell`` over the time axis of ``(batch, timesteps, ...)`` inputs.

    Args:
        cell: a cell (a layer or object with ``state_size`` and ``call(inputs, states,
            training)``), or a list of cells (run as :class:`StackedRNNCells`).
        return_sequences: return every step's output ``(batch, timesteps, output_size)``
            instead of the last one.
        return_state: also return the final states: ``[output, *states]``.
        go_backwards: process the sequence in reverse (outputs in processing order).
        stateful: the final states of a call are the initial states of the next (the batch
            size must be static; ``reset_state()`` zeroes them).
        unroll: a Python loop over the (known) timesteps instead of a scan.
        zero_output_for_mask: masked steps output zeros instead of the previous output.

    Call args: ``sequences``, ``initial_state`` (list of tensors, nested as ``state_size``),
    ``mask`` (batch, timesteps) bool, ``training``.
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        super().__init__(**kwargs)
        check_cell(cell, f"RNN '{self.name}'")
        state_size = cell.state_size
        if not isinstance(state_size, (list, tuple, int)):
            raise ValueError(  # noqa: TRY004 (Keras 3 raises ValueError)
                f"RNN '{self.name}': the cell's state_size must be an int or a "
                f"list of ints (one per state), received {state_size!r}")
        self.cell = cell
        self.state_size = [state_size] if isinstance(state_size, int) else list(state_size)
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful, self.unroll = go_backwards, stateful, unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True

    def build(self, sequences_shape, initial_state_shape=None):
        if len(sequences_shape) < 3:
            raise ValueError(f"RNN '{self.name}' expects inputs of rank >= 3 (batch, timesteps, "
                             f"features...), received input shape {tuple(sequences_shape)}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._maybe_build((sequences_shape[0],) + tuple(sequences_shape[2:]))
        if self.stateful:
            if self.states is not None:
                self.reset_state()
            else:
                batch = sequences_shape[0]
                self._create_states(batch, self.get_initial_state(batch) if batch else None)

    def get_initial_state(self, batch_size):
        """The cell's initial states (its ``get_initial_state`` or zeros), as a list."""
        get = getattr(self.cell, "get_initial_state", None)
        if get is None:
            dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
            return [ops.zeros((batch_size, d), dtype=dtype) for d in self.state_size]
        states = get(batch_size=batch_size)
        return list(states) if isinstance(states, (list, tuple)) else [states]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        steps = ops.shape(sequences)[1]
        if self.unroll and steps is None:
            raise ValueError(f"RNN '{self.name}': unroll=True needs a known number of "
                             "timesteps (give the Input a time dimension)")
        if initial_state is None:
            initial_state = (self._stateful_initial_state(sequences) if self.stateful
                             else self.get_initial_state(ops.shape(sequences)[0]))
        elif not isinstance(initial_state, (list, tuple)):
            initial_state = [initial_state]
        initial_state = list(initial_state)
        state_dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)  # Keras 3
        flat = [ops.cast(self._to_tensor(s), state_dtype) for s in tree.flatten(initial_state)]
        expected = len(tree.flatten(self.state_size))
        if len(flat) != expected:
            raise ValueError(f"RNN '{self.name}' expects {expected} initial state tensor(s) "
                             f"(state_size {self.state_size}), received {len(flat)}")
        structure = tree.pack_sequence_as(self.state_size, flat)
        if training:
            self._draw_dropout_masks(self.cell, sequences[:, 0], structure)
        if mask is not None:
            mask = ops.cast(self._to_tensor(mask), "bool")
        cell = self.cell

        def step(inputs, states):
            output, new_states = call_cell(cell, inputs[0], tree.pack_sequence_as(
                structure, states), training)
            new_states = tree.flatten(new_states)
            if len(new_states) != len(states):
                raise ValueError(f"RNN '{self.name}': the cell returned {len(new_states)} "
                                 f"state tensor(s), expected {len(states)}")
            # a scan's carry keeps its dtype (a float32 cell inside a mixed-precision RNN)
            return output, [n if ops.dtype(n) == ops.dtype(s) else ops.cast(n, ops.dtype(s))
                            for n, s in zip(new_states, states)]

        # Keras 3: the previous output of a masked step is the first state (of the last cell)
        last = structure[-1]
        output_state = (len(flat) - len(tree.flatten(last))
                        if isinstance(structure[0], (list, tuple)) else 0)
        xs = [ops.moveaxis(sequences, 1, 0)]
        try:
            last_output, outputs, final = run_over_time(
                step, flat, xs, mask, go_backwards=self.go_backwards, unroll=self.unroll,
                zero_output_for_mask=self.zero_output_for_mask, output_state=output_state)
        finally:
            self._reset_dropout_masks(self.cell)
        if self.stateful:
            self._store_states(final)
        if self.return_sequences:
            output = ops.cast(ops.moveaxis(outputs, 0, 1), self.compute_dtype)
        else:
            output = ops.cast(last_output, self.compute_dtype)
        if self.return_state:
            states = tree.pack_sequence_as(
                self.state_size, [ops.cast(s, self.compute_dtype) for s in final])
            return (output, *states)
        return output

    def _draw_dropout_masks(self, cell, step_input, states):
        """Draw each dropout cell's masks before the loop, so every step reuses them."""
        if isinstance(cell, DropoutRNNCell):
            first = tree.flatten(states)[0]
            cell.get_dropout_mask(step_input)
            cell.get_recurrent_dropout_mask(first)
        elif isinstance(cell, StackedRNNCells):
            for sub, sub_states in zip(cell.cells, states):
                self._draw_dropout_masks(sub, step_input, sub_states)
                width = _cell_output_size(sub)
                step_input = ops.zeros((ops.shape(step_input)[0], width),
                                       dtype=ops.dtype(step_input))

    def _reset_dropout_masks(self, cell):
        if isinstance(cell, DropoutRNNCell):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        elif isinstance(cell, StackedRNNCells):
            for sub in cell.cells:
                self._reset_dropout_masks(sub)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        size = _cell_output_size(self.cell)
        if not isinstance(size, int):
            raise ValueError(  # noqa: TRY004 (Keras 3 raises ValueError)
                f"RNN '{self.name}': the cell's output_size must be an int, "
                f"received {size!r}")
        out = (batch, steps, size) if self.return_sequences else (batch, size)
        if not self.return_state:
            return out
        states = [[(batch, s) for s in d] if isinstance(d, (list, tuple)) else (batch, d)
                  for d in self.state_size]
        return (out, *states)

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        from mini_keras.core.keras_tensor import KerasTensor

        def spec(shape):
            if all(d is None or isinstance(d, int) for d in shape):
                return KerasTensor(tuple(shape), self.compute_dtype)
            return [spec(s) for s in shape]
        out = self.compute_output_shape(tuple(sequences.shape))
        return spec(out) if not self.return_state else [spec(s) for s in out]

    def compute_mask(self, inputs, mask=None):
        """The mask of the main output: the input mask when returning sequences, else None."""
        return mask if self.return_sequences else None

    def _loop_config(self) -> dict:
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}

    def get_config(self):
        return {**super().get_config(), **self._loop_config(), "cell": _serialize(self.cell)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = _deserialize(config.pop("cell"), custom_objects)
        layer = super().from_config(config | {"cell": cell})
        return layer
