"""ConvLSTM1D, ConvLSTM2D, ConvLSTM3D: an LSTM whose input and recurrent transformations are
convolutions (Shi et al. 2015), Keras 3's layout.

Each layer is an :class:`RNN` over a ``_ConvLSTMCell`` (Keras 3 names it ``conv_lstm_cell`` and
saves its weights under ``layers/conv_lstm2d/cell/vars``). Gates are ordered i, f, c, o along
the kernels' last axis, as in LSTM: ``kernel`` ``kernel_size + (channels, 4 * filters)``,
``recurrent_kernel`` ``kernel_size + (filters, 4 * filters)``, ``bias`` ``(4 * filters,)``.
The input convolution uses ``strides``/``padding``/``dilation_rate``; the recurrent one is
"same" with stride 1.
"""

from __future__ import annotations

from mini_keras import ops, regularizers, tree
from mini_keras.layers.convolutional import conv_utils
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer
from mini_keras.layers.rnn.cell_layers import DropoutRNNCell
from mini_keras.layers.rnn.cell_math import _LSTMMath, _regularizer
from mini_keras.layers.rnn.rnn_layer import RNN

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

_CELL_ARGS = ("activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "kernel_regularizer",
              "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")


class _ConvLSTMCell(_LSTMMath, DropoutRNNCell, Layer):
    """One step of a ConvLSTM over ``(batch, *spatial, channels)`` inputs (or channels first).

    ``state_size`` is ``[filters, filters]`` (the channels of ``h`` and ``c``; their spatial
    size comes from the input convolution). One dropout mask per sequence is shared by the
    four gates.
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, unit_forget_bias=True, seed=None, **kwargs):
        cell_args = {k: kwargs.pop(k) for k in _CELL_ARGS if k in kwargs}
        Layer.__init__(self, **kwargs)
        self._init_recurrent(filters, seed=seed, **cell_args)
        label = f"ConvLSTM{rank}D '{self.name}'"
        self.rank, self.filters = rank, filters
        self.kernel_size = conv_utils.standardize_tuple(kernel_size, rank, "kernel_size", label)
        self.strides = conv_utils.standardize_tuple(strides, rank, "strides", label)
        self.padding = conv_utils.standardize_padding(padding, label)
        self.data_format = conv_utils.standardize_data_format(data_format, label)
        self.dilation_rate = conv_utils.standardize_tuple(dilation_rate, rank, "dilation_rate",
                                                          label)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{label}: strides > 1 is not compatible with dilation_rate > 1, "
                             f"received strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [filters, filters]
        self.output_size = filters
        self.spatial_dims = None

    def build(self, input_shape):
        spatial = conv_utils.spatial_dims(input_shape, self.data_format)
        channels = input_shape[conv_utils.channel_axis(self.data_format)]
        if None in spatial or channels is None:
            raise ValueError(f"ConvLSTM{self.rank}D: the spatial and channel dimensions must be "
                             f"known, received input shape {tuple(input_shape)}")
        self.spatial_dims, self.input_dim = tuple(spatial), channels
        width = 4 * self.filters
        self.kernel = self.add_weight(self.kernel_size + (channels, width),
                                      self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            self.kernel_size + (self.filters, width), self.recurrent_initializer,
            name="recurrent_kernel", regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = (self.add_weight((width,), self._bias_initializer(), name="bias",
                                     regularizer=self.bias_regularizer,
                                     constraint=self.bias_constraint)
                     if self.use_bias else None)

    def output_spatial(self, spatial):
        """Spatial size of ``h`` for inputs of spatial size ``spatial``."""
        return tuple(conv_utils.conv_output_length(n, k, s, self.padding, d) for n, k, s, d in
                     zip(spatial, self.kernel_size, self.strides, self.dilation_rate))

    def call(self, inputs, states, training=False):
        h, c = states[0], states[1]
        h_gates = h
        if training:
            keep = self.get_dropout_mask(inputs)
            if keep is not None:
                inputs = ops.multiply(inputs, keep)
            recurrent_keep = self.get_recurrent_dropout_mask(h)
            if recurrent_keep is not None:
                h_gates = ops.multiply(h, recurrent_keep)
        axis = conv_utils.channel_axis(self.data_format)
        x = ops.conv(inputs, self.kernel, strides=self.strides, padding=self.padding,
                     data_format=self.data_format, dilation_rate=self.dilation_rate)
        if self.use_bias:
            shape = ((1,) * (self.rank + 1) + (4 * self.filters,) if axis == -1
                     else (1, 4 * self.filters) + (1,) * self.rank)
            x = ops.add(x, ops.reshape(self.bias, shape))
        z = ops.add(x, ops.conv(h_gates, self.recurrent_kernel, strides=1, padding="same",
                                data_format=self.data_format))
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=axis)
        i, f, o = (self.recurrent_activation(t) for t in (z_i, z_f, z_o))
        c_new = ops.add(ops.multiply(f, c), ops.multiply(i, self.activation(z_c)))
        h_new = ops.multiply(o, self.activation(c_new))
        return h_new, [h_new, c_new]

    def get_initial_state(self, batch_size=None):
        """Zero ``h`` and ``c`` of the output's spatial size."""
        shape = conv_utils.with_channels(batch_size, self.output_spatial(self.spatial_dims),
                                         self.filters, self.data_format)
        return [ops.zeros(shape, dtype=self.compute_dtype) for _ in range(2)]

    def get_config(self):
        config = self._recurrent_config()
        config.pop("units")
        return {**super().get_config(), "rank": self.rank, "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, **config, **self._lstm_config()}


class _ConvLSTM(RNN):
    """The ConvLSTM layers: an RNN of one ``_ConvLSTMCell``; the cell's arguments are exposed
    as read-only attributes of the layer (``filters``, ``kernel_size``...)."""

    rank = 0

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        cell = _ConvLSTMCell(
            self.rank, filters, kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, **kwargs)
        self.activity_regularizer = _regularizer(activity_regularizer)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def build(self, sequences_shape, initial_state_shape=None):
        if len(sequences_shape) != self.rank + 3:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' expects {self.rank + 3}-D inputs (batch, "
                f"time, {self.rank} spatial dims and channels), received input shape "
                f"{tuple(sequences_shape)}")
        super().build(sequences_shape, initial_state_shape)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        outputs = super().call(sequences, initial_state=initial_state, mask=mask,
                               training=training)
        if self.activity_regularizer is not None:  # Keras 3: on every output tensor
            for output in tree.flatten(outputs):
                self.add_loss(self.activity_regularizer(output))
        return outputs

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        step = (batch,) + tuple(sequences_shape[2:])
        spatial = self.cell.output_spatial(conv_utils.spatial_dims(step, self.data_format))
        state = conv_utils.with_channels(batch, spatial, self.filters, self.data_format)
        output = (batch, steps) + state[1:] if self.return_sequences else state
        return (output, state, state) if self.return_state else output

    def get_config(self):
        cell = self.cell.get_config()
        for key in ("name", "trainable", "dtype", "rank"):
            cell.pop(key)
        return {**Layer.get_config(self), **self._loop_config(), **cell,
                "activity_regularizer": regularizers.serialize(self.activity_regularizer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return Layer.from_config.__func__(cls, config)


def _cell_attribute(name):
    return property(lambda self: getattr(self.cell, name),
                    doc=f"The cell's ``{name}`` (read-only).")


for _name in ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
              "recurrent_dropout"):
    setattr(_ConvLSTM, _name, _cell_attribute(_name))


class ConvLSTM1D(_ConvLSTM):
    """1-D convolutional LSTM over ``(batch, time, length, channels)`` inputs.

    Args:
        filters: channels of the output and states.
        kernel_size, strides, dilation_rate: int or 1 int (strides > 1 excludes dilation > 1).
        padding: "valid" or "same" (input convolution; the recurrent one is "same").
        data_format: "channels_last" (default) or "channels_first" ``(batch, time, channels,
            length)``.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        use_bias, unit_forget_bias: as :class:`LSTM`.
        kernel_initializer, recurrent_initializer, bias_initializer: defaults glorot_uniform,
            orthogonal, zeros.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: as :class:`LSTM`.
        dropout, recurrent_dropout: fraction of the inputs / state dropped in training.
        seed: seed of the dropout masks.
        return_sequences, return_state, go_backwards, stateful: as :class:`RNN`.

    Output: ``(batch, new_length, filters)`` (with ``return_sequences``: ``(batch, time,
    new_length, filters)``); states ``[h, c]`` of the output's shape.
    """

    rank = 1


class ConvLSTM2D(_ConvLSTM):
    """2-D convolutional LSTM over ``(batch, time, rows, cols, channels)`` inputs.

    Args as :class:`ConvLSTM1D`, with ``kernel_size``/``strides``/``dilation_rate`` ints or
    pairs. Output: ``(batch, new_rows, new_cols, filters)`` (or per step with
    ``return_sequences``).
    """

    rank = 2


class ConvLSTM3D(_ConvLSTM):
    """3-D convolutional LSTM over ``(batch, time, dim1, dim2, dim3, channels)`` inputs.

    Args as :class:`ConvLSTM1D`, with ``kernel_size``/``strides``/``dilation_rate`` ints or
    triples. Output: ``(batch, new_dim1, new_dim2, new_dim3, filters)`` (or per step with
    ``return_sequences``).
    """

    rank = 3
