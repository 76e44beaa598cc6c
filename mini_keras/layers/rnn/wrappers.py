"""Wrappers around a layer: Bidirectional (a recurrent layer both ways) and TimeDistributed."""

from __future__ import annotations

from mini_keras import backends, ops
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer
from mini_keras.layers.rnn.base import _RNN
from mini_keras.layers.rnn.rnn_layer import RNN
from mini_keras.layers.wrapper import Wrapper

__all__ = ["Bidirectional", "TimeDistributed"]


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
        layer: the recurrent layer (SimpleRNN, LSTM, GRU, RNN, ConvLSTM*); two fresh copies named
            ``forward_<name>`` and ``backward_<name>`` (the latter with ``go_backwards``) are
            made from its config, as Keras does.
        merge_mode: "concat" (default), "sum", "mul", "ave" or None (a list of both outputs).
        backward_layer: optional explicit backward layer.

    Weights: the forward layer's, then the backward layer's.
    """

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, (_RNN, RNN)):
            raise TypeError(f"Bidirectional '{self.name}': `layer` must be a recurrent layer "
                             "(SimpleRNN, LSTM, GRU, RNN, ConvLSTM*), received "
                             f"{type(layer).__name__}")
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
        self.input_spec = InputSpec(min_ndim=3)

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


class TimeDistributed(Wrapper):
    """Apply ``layer`` to every time step: inputs ``(batch, time, ...)`` are folded into the
    batch, passed through ``layer`` and unfolded.

    Args:
        layer: any layer taking ``(batch, ...)`` inputs.

    Weights: those of ``layer`` (shared across time steps).
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)  # a Wrapper, as in Keras 3 (ValueError for a non-layer)
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
