"""Whole-sequence LSTM/GRU for TensorFlow: one ``tf.while_loop`` with a tight step.

Why not the generic ``scan``: inside a ``tf.while_loop``, the gradient of slicing a captured
tensor (``xs[i]``) is a dense, full-sequence tensor per step, so backprop costs O(steps^2)
memory traffic. Here the inputs are read from a ``TensorArray`` (``unstack`` / ``read``, whose
gradients are per-step writes) and, without ``return_sequences``, no per-step outputs are
stored (the last output is the final ``h``), as Keras 3's backend ``rnn`` does. The step does
its own input matmul ``x_t @ kernel``: on CPU that measured faster than one projection of all
steps before the loop (whose gradient is again a full-sequence buffer).
"""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.rnn_support import check_fused_supported
from mini_keras.backends.tensorflow.core import convert_to_tensor


def _recurrence(cell, inputs, kernel, bias, states, mask, return_sequences, go_backwards,
                time_major):
    """Run ``cell(x_t @ kernel + bias, states) -> new_states`` (``new_states[0]`` is the output)
    over time; return Keras' ``(last_output, outputs, new_states)``."""
    x = convert_to_tensor(inputs)
    if not time_major:
        x = tf.transpose(x, [1, 0, 2])  # (steps, batch, features)
    steps = x.shape[0] if x.shape[0] is not None else tf.shape(x)[0]
    kernel = convert_to_tensor(kernel)
    keep = None
    if mask is not None:
        keep = tf.expand_dims(tf.transpose(tf.cast(convert_to_tensor(mask), tf.bool)), -1)
    if go_backwards:
        x = tf.reverse(x, [0])
        keep = None if keep is None else tf.reverse(keep, [0])
    inputs_ta = tf.TensorArray(x.dtype, size=steps).unstack(x)
    keep_ta = None if keep is None else tf.TensorArray(tf.bool, size=steps).unstack(keep)
    states = [convert_to_tensor(s) for s in states]
    outputs_ta = tf.TensorArray(x.dtype, size=steps, element_shape=states[0].shape)

    def body(t, states, *outputs_ta):
        projected = tf.matmul(inputs_ta.read(t), kernel)
        if bias is not None:
            projected = projected + bias
        new_states = cell(projected, states)
        if keep_ta is not None:  # Keras: a masked step keeps the states (and so the output)
            keep_t = keep_ta.read(t)
            new_states = [tf.where(keep_t, new, old) for new, old in zip(new_states, states)]
        return (t + 1, new_states, *(ta.write(t, new_states[0]) for ta in outputs_ta))

    loop_vars = (tf.constant(0), states) + ((outputs_ta,) if return_sequences else ())
    _, states, *outputs_ta = tf.while_loop(lambda t, *_: t < steps, body, loop_vars,
                                           maximum_iterations=steps)
    last_output = states[0]
    if return_sequences:
        outputs = outputs_ta[0].stack()
        if not time_major:
            outputs = tf.transpose(outputs, [1, 0, 2])
    else:
        outputs = tf.expand_dims(last_output, 0 if time_major else 1)
    return last_output, outputs, list(states)


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """Keras LSTM (gates i, f, c, o) as one ``tf.while_loop``; ``(last_output, outputs, [h, c])``."""
    check_fused_supported("lstm", activation, recurrent_activation, unroll)
    recurrent_kernel = convert_to_tensor(recurrent_kernel)

    def cell(x_t, states):
        h, c = states
        z = x_t + tf.matmul(h, recurrent_kernel)
        z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
        c = tf.sigmoid(z_f) * c + tf.sigmoid(z_i) * tf.tanh(z_c)
        return [tf.sigmoid(z_o) * tf.tanh(c), c]

    return _recurrence(cell, inputs, kernel, None if bias is None else convert_to_tensor(bias),
                       [initial_state_h, initial_state_c], mask, return_sequences,
                       go_backwards, time_major)


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """Keras GRU (gates z, r, h) as one ``tf.while_loop``; ``(last_output, outputs, [h])``."""
    check_fused_supported("gru", activation, recurrent_activation, unroll)
    recurrent_kernel = convert_to_tensor(recurrent_kernel)
    input_bias = recurrent_bias = None
    if bias is not None:
        bias = convert_to_tensor(bias)
        input_bias, recurrent_bias = (bias[0], bias[1]) if reset_after else (bias, None)
    units = recurrent_kernel.shape[0]

    def cell(x_t, states):
        h = states[0]
        x_z, x_r, x_h = tf.split(x_t, 3, axis=-1)
        if reset_after:
            inner = tf.matmul(h, recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            r_z, r_r, r_h = tf.split(inner, 3, axis=-1)
        else:
            r_z, r_r = tf.split(tf.matmul(h, recurrent_kernel[:, :2 * units]), 2, axis=-1)
        z = tf.sigmoid(x_z + r_z)
        r = tf.sigmoid(x_r + r_r)
        recurrent_h = (r * r_h if reset_after
                       else tf.matmul(r * h, recurrent_kernel[:, 2 * units:]))
        hh = tf.tanh(x_h + recurrent_h)
        return [z * h + (1 - z) * hh]

    return _recurrence(cell, inputs, kernel, input_bias, [initial_state], mask,
                       return_sequences, go_backwards, time_major)
