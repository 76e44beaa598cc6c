"""MLX backend: the optional whole-sequence LSTM/GRU hooks.

MLX has no fused recurrent kernel (``mlx.nn.LSTM``/``GRU`` are Python loops over ``mx`` ops,
no faster than the layers' generic ``scan``), so both hooks raise ``NotImplementedError`` and the
layers run their generic loop, as :mod:`mini_keras.backends.contract_rnn_ext` allows.
"""

from __future__ import annotations


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """No fused LSTM on MLX: always ``NotImplementedError`` (the layer's scan runs)."""
    raise NotImplementedError("lstm: the MLX backend has no fused LSTM kernel; the layer uses "
                              "its generic scan.")


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """No fused GRU on MLX: always ``NotImplementedError`` (the layer's scan runs)."""
    raise NotImplementedError("gru: the MLX backend has no fused GRU kernel; the layer uses "
                              "its generic scan.")
