"""Stateful recurrent layers (Keras 3's ``stateful=True``): the final states of one call are the
initial states of the next.

The states live in variables that are not weights (Keras 3 does not track them either): they
are not saved, not trained and not threaded through compiled steps (inside a stateless scope,
e.g. a JAX-compiled ``fit``, their update is dropped as in Keras 3 on JAX). The batch size must
be known when the layer is built; ``reset_state()`` sets them back to zeros.
"""

from __future__ import annotations

from mini_keras import ops, tree
from mini_keras.core.stateless import current_scope
from mini_keras.core.variable import Variable


class _StatefulMixin:
    """``states`` kept across calls of a recurrent layer; the layer calls the three hooks."""

    states = None
    _expected_batch_size = None

    def _create_states(self, batch_size, initial_states):
        """Create the state variables from ``initial_states`` (a nested list of tensors)."""
        if batch_size is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': stateful=True needs a static batch size; "
                "give the Input a batch size (keras.Input(shape, batch_size=...)) or call the "
                "layer on data first.")
        flat = tree.flatten(initial_states)
        variables = [Variable(ops.convert_to_numpy(s), dtype=self.variable_dtype,
                              trainable=False, name="rnn_state", backend=self._backend_name,
                              path=f"{self.name}/rnn_state_{i}")
                     for i, s in enumerate(flat)]
        object.__setattr__(self, "states", tree.pack_sequence_as(initial_states, variables))
        self._expected_batch_size = int(batch_size)

    def _stateful_initial_state(self, sequences):
        """The stored states (copies: the next call's update must not alias them)."""
        batch = ops.shape(sequences)[0]
        if batch is not None and batch != self._expected_batch_size:
            if current_scope() is not None:  # a stateless probe (e.g. fit's sample batch)
                return tree.map_structure(
                    lambda v: ops.zeros((batch,) + tuple(v.shape[1:]), self.compute_dtype),
                    self.states)
            raise ValueError(
                f"{type(self).__name__} '{self.name}' is stateful with batch size "
                f"{self._expected_batch_size}; received inputs of batch size {batch}")
        return tree.map_structure(lambda v: ops.copy(ops.cast(v.value, self.compute_dtype)),
                                  self.states)

    def _store_states(self, final_states):
        for variable, value in zip(tree.flatten(self.states), tree.flatten(final_states)):
            if tuple(ops.shape(value)) == variable.shape:  # not after a probe's other batch
                variable.assign(value)

    def reset_state(self):
        """Set the stored states back to zeros (stateful layers; no-op otherwise)."""
        if self.states is not None:
            for v in tree.flatten(self.states):
                v.assign(ops.zeros(v.shape, dtype=v.dtype))

    def reset_states(self):
        """Alias of :meth:`reset_state` (Keras API)."""
        self.reset_state()
