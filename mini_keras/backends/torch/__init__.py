"""PyTorch backend: every function of :mod:`mini_keras.backends.contract`, on torch tensors.

Tensors live on ``cuda`` when available, else the CPU. Variables are plain tensors updated in
place; gradients come from ``torch.autograd`` in :func:`value_and_grad`.
"""

from mini_keras.backends import contract
from mini_keras.backends.torch.facts import CAPABILITIES, FRAMEWORK, PIP_EXTRA

# The modules that implement the contract; their functions are collected, never listed.
_CONTRACT_NAMES = contract.export_modules(globals(), __name__, (
    "control_flow", "core", "fourier", "linalg", "math", "modules", "native", "nn", "numeric",
    "optim", "random", "rnn", "shapes", "slicing", "special"))
__all__ = ["CAPABILITIES", "FRAMEWORK", "PIP_EXTRA", *_CONTRACT_NAMES]  # noqa: PLE0604 (derived)
