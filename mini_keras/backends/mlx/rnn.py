"""MLX backend: the optional whole-sequence LSTM/GRU hooks.

MLX has no fused recurrent kernel, so the hooks write one from primitives in the form that is
fastest on MLX: the input projection of every step is one matmul before the loop, and the
per-step cell is an ``mx.compile``-d function (its gate arithmetic fuses), so each step costs one
recurrent matmul and one compiled call instead of the generic ``scan``'s dozen dispatches.
Configurations the cell does not compute raise ``NotImplementedError`` (the layer's generic loop
runs), as :mod:`mini_keras.backends.contract.optional` prescribes.
"""

from __future__ import annotations

import mlx.core as mx

from mini_keras.backends.mlx.core import convert_to_tensor
from mini_keras.backends.rnn_support import check_fused_supported


@mx.compile
def _lstm_cell(x_proj, h, c, recurrent_kernel):
    z = x_proj + h @ recurrent_kernel
    z_i, z_f, z_c, z_o = mx.split(z, 4, axis=-1)
    c = mx.sigmoid(z_f) * c + mx.sigmoid(z_i) * mx.tanh(z_c)
    return mx.sigmoid(z_o) * mx.tanh(c), c


@mx.compile
def _gru_cell_after(x_proj, h, recurrent_kernel, recurrent_bias):
    x_z, x_r, x_h = mx.split(x_proj, 3, axis=-1)
    r_z, r_r, r_h = mx.split(h @ recurrent_kernel + recurrent_bias, 3, axis=-1)
    z = mx.sigmoid(x_z + r_z)
    hh = mx.tanh(x_h + mx.sigmoid(x_r + r_r) * r_h)
    return z * h + (1 - z) * hh


@mx.compile
def _gru_cell_before(x_proj, h, recurrent_kernel):
    units = h.shape[-1]
    x_z, x_r, x_h = mx.split(x_proj, 3, axis=-1)
    r_z, r_r = mx.split(h @ recurrent_kernel[:, :2 * units], 2, axis=-1)
    z = mx.sigmoid(x_z + r_z)
    r = mx.sigmoid(x_r + r_r)
    hh = mx.tanh(x_h + (r * h) @ recurrent_kernel[:, 2 * units:])
    return z * h + (1 - z) * hh


def _recurrence(cell, projected, states, mask, return_sequences, go_backwards, time_major):
    """Run ``cell(p_t, *states) -> new states`` (first is the output) over the projected steps
    (``projected``: (steps, batch, gates)); return Keras' ``(last_output, outputs, states)``."""
    steps = projected.shape[0]
    if mask is not None:
        mask = mx.swapaxes(convert_to_tensor(mask).astype(mx.bool_), 0, 1)[..., None]
    outputs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        new = cell(projected[t], *states)
        new = list(new) if isinstance(new, tuple | list) else [new]
        if mask is not None:  # Keras: a masked step keeps the states (and so the output)
            new = [mx.where(mask[t], n, s) for n, s in zip(new, states)]
        states = new
        if return_sequences:
            outputs.append(states[0])
    last = states[0]
    if return_sequences:
        out = mx.stack(outputs, axis=0 if time_major else 1)
    else:
        out = mx.expand_dims(last, 0 if time_major else 1)
    return last, out, states


def _project(inputs, kernel, bias, time_major):
    x = convert_to_tensor(inputs)
    if not time_major:
        x = mx.swapaxes(x, 0, 1)  # (steps, batch, features)
    projected = x @ convert_to_tensor(kernel)
    return projected if bias is None else projected + bias


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """Keras LSTM (gates i, f, c, o): hoisted input matmul + compiled cell per step."""
    check_fused_supported("lstm", activation, recurrent_activation, unroll)
    bias = None if bias is None else convert_to_tensor(bias)
    rk = convert_to_tensor(recurrent_kernel)

    def cell(p, h, c):
        return _lstm_cell(p, h, c, rk)

    return _recurrence(cell, _project(inputs, kernel, bias, time_major),
                       [convert_to_tensor(initial_state_h), convert_to_tensor(initial_state_c)],
                       mask, return_sequences, go_backwards, time_major)


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """Keras GRU (gates z, r, h): hoisted input matmul + compiled cell per step."""
    check_fused_supported("gru", activation, recurrent_activation, unroll)
    rk = convert_to_tensor(recurrent_kernel)
    input_bias, recurrent_bias = None, mx.zeros((rk.shape[-1],), dtype=rk.dtype)
    if bias is not None:
        bias = convert_to_tensor(bias)
        input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)

    if reset_after:
        def cell(p, h):
            return _gru_cell_after(p, h, rk, recurrent_bias)
    else:
        def cell(p, h):
            return _gru_cell_before(p, h, rk)

    return _recurrence(cell, _project(inputs, kernel, input_bias, time_major),
                       [convert_to_tensor(initial_state)], mask, return_sequences, go_backwards,
                       time_major)
