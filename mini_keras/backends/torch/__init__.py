"""PyTorch backend: every function of :mod:`mini_keras.backends.contract`, on torch tensors.

Tensors live on ``cuda`` when available, else the CPU. Variables are plain tensors updated in
place; gradients come from ``torch.autograd`` in :func:`value_and_grad`.
"""

from mini_keras.backends import contract
from mini_keras.backends.torch import core, math, native, nn, nn_ext, numpy_ext, optim, rnn, shapes
from mini_keras.backends.torch.facts import CAPABILITIES, FRAMEWORK, PIP_EXTRA

_CONTRACT_NAMES = contract.export(globals(), core, math, native, nn, shapes, nn_ext, numpy_ext, optim, rnn)
__all__ = ["CAPABILITIES", "FRAMEWORK", "PIP_EXTRA", *_CONTRACT_NAMES]  # noqa: PLE0604 (derived)
