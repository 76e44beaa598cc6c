"""What every backend's fused LSTM/GRU (``backends/<name>/rnn.py``) can compute: one check.

A fused recurrent kernel hard-codes Keras' default activations; anything else raises
``NotImplementedError`` so the layer runs its generic loop (Keras 3's hook convention).
"""

from __future__ import annotations


def _is_builtin(fn, name: str) -> bool:
    """True if ``fn`` is mini_keras' own ``name`` (``activations.tanh`` or ``ops.tanh``)."""
    return (getattr(fn, "__name__", None) == name
            and getattr(fn, "__module__", "").startswith("mini_keras."))


def check_fused_supported(kind, activation, recurrent_activation, unroll) -> None:
    """Raise NotImplementedError unless ``kind`` ("lstm"/"gru") uses tanh/sigmoid, no unroll."""
    if not _is_builtin(activation, "tanh"):
        raise NotImplementedError(f"{kind}: the fused kernel computes activation=tanh only")
    if not _is_builtin(recurrent_activation, "sigmoid"):
        raise NotImplementedError(
            f"{kind}: the fused kernel computes recurrent_activation=sigmoid only")
    if unroll:
        raise NotImplementedError(f"{kind}: unroll=True runs the generic loop")
