"""Whole-sequence LSTM/GRU hooks (see ``contract.optional``): this backend has no fused kernel,
so both raise ``NotImplementedError`` and the layers run their generic ``scan`` loop (which
already computes the input projection of every step in one matmul before the loop)."""

from __future__ import annotations


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """No fused LSTM kernel here: always raises ``NotImplementedError`` (use the generic loop)."""
    raise NotImplementedError("lstm: no fused kernel on the numpy backend")


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """No fused GRU kernel here: always raises ``NotImplementedError`` (use the generic loop)."""
    raise NotImplementedError("gru: no fused kernel on the numpy backend")
