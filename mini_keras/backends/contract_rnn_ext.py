"""Contract extension (see contract.py): whole-sequence recurrent kernels, as Keras 3's backend
``rnn.lstm`` / ``rnn.gru`` hooks.

A backend runs the whole recurrence in one fused kernel when it has one (PyTorch's
``torch._VF.lstm``/``gru``) and raises ``NotImplementedError`` for any configuration the kernel
does not compute; the layers (``mini_keras/layers/rnn.py``) then fall back to their generic
``scan`` loop. So raising is always a correct implementation.

Weights come in Keras' layout: LSTM gates ordered i, f, c, o; GRU gates z, r, h with
``reset_after=True`` and a ``(2, 3 * units)`` bias (input bias, recurrent bias).
"""

__all__ = ["gru", "lstm"]


def lstm(inputs, initial_state_h, initial_state_c, mask, kernel, recurrent_kernel, bias,
         activation, recurrent_activation, return_sequences=False, go_backwards=False,
         unroll=False, time_major=False):
    """Run a Keras LSTM over a whole sequence; ``(last_output, outputs, [h, c])``.

    ``inputs`` (batch, timesteps, features) (``time_major``: timesteps first); ``kernel``
    (features, 4u), ``recurrent_kernel`` (u, 4u), ``bias`` (4u,) or None. ``mask`` is None or
    (batch, timesteps) bool: at a masked step the states and the output keep their previous
    values. ``go_backwards`` processes the steps in reverse; ``outputs`` are in processing order,
    shaped like ``inputs`` with ``units`` features when ``return_sequences`` (otherwise they may
    hold only the last step). Differentiable in every tensor argument.

    Raises:
        NotImplementedError: this backend has no fused kernel for the configuration (e.g. an
            activation other than tanh / sigmoid, ``unroll``, an unsupported mask); the caller
            falls back to a generic loop.
    """


def gru(inputs, initial_state, mask, kernel, recurrent_kernel, bias, activation,
        recurrent_activation, return_sequences=False, go_backwards=False, unroll=False,
        time_major=False, reset_after=True):
    """Run a Keras GRU over a whole sequence; ``(last_output, outputs, [h])``.

    As :func:`lstm`, with ``kernel`` (features, 3u), ``recurrent_kernel`` (u, 3u) and ``bias``
    (2, 3u) when ``reset_after`` (else (3u,)) or None.

    Raises:
        NotImplementedError: no fused kernel for the configuration; fall back to a generic loop.
    """
