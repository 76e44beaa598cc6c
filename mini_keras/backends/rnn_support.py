"""What every backend's fused LSTM/GRU (``backends/<name>/rnn.py``) can compute: one check.

A fused recurrent kernel hard-codes Keras' default activations; anything else raises
``NotImplementedError`` so the layer runs its generic loop (Keras 3's hook convention).
"""

from __future__ import annotations


def check_fused_supported(kind, activation, recurrent_activation, unroll) -> None:
    """Raise NotImplementedError unless ``kind`` ("lstm"/"gru") uses tanh/sigmoid, no unroll."""
    from mini_keras import activations, ops  # lazy: those modules import the backends
    if activation not in (activations.tanh, ops.tanh):
        raise NotImplementedError(f"{kind}: the fused kernel computes activation=tanh only")
    if recurrent_activation not in (activations.sigmoid, ops.sigmoid):
        raise NotImplementedError(
            f"{kind}: the fused kernel computes recurrent_activation=sigmoid only")
    if unroll:
        raise NotImplementedError(f"{kind}: unroll=True runs the generic loop")
