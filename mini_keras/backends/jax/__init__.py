"""The JAX backend: every function of :mod:`mini_keras.backends.contract`, on ``jax.numpy``.

Float32 by default (x64 stays disabled). Variables hold immutable JAX arrays; ``compile`` jits a
pure version of stateful code built with :class:`~mini_keras.core.stateless.StatelessScope`.
"""

import sys

from mini_keras.backends import contract, functional_optim
from mini_keras.backends.jax.facts import CAPABILITIES, FRAMEWORK, PIP_EXTRA

# The modules that implement the contract; their functions are collected, never listed.
_CONTRACT_NAMES = contract.export_modules(globals(), __name__, (
    "control_flow", "core", "fourier", "linalg", "math", "modules", "nn", "numeric", "random",
    "rnn", "shapes", "slicing", "special"))
__all__ = ["CAPABILITIES", "FRAMEWORK", "PIP_EXTRA", *_CONTRACT_NAMES]  # noqa: PLE0604 (derived)

# Fused optimizer updates: pure functions of the values, built from this backend's own ops.
_fused = functional_optim.bind(sys.modules[__name__])
__all__ += contract.export(globals(), _fused)  # noqa: PLE0605 (derived)
