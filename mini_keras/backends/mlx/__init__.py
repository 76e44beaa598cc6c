"""The MLX backend: every function of :mod:`mini_keras.backends.contract`, on ``mlx.core``.

MLX arrays are immutable and lazy: a Variable's handle is its current array, re-bound on
assign; ``value_and_grad`` is ``mx.value_and_grad`` over the StatelessScope-pure step (as on
JAX); ``compile`` runs that pure step and ``mx.eval``-uates its new state every call. Float32 by
default; float64 exists on the CPU only (elsewhere a clear ``TypeError``).
"""

import sys

from mini_keras.backends import contract, functional_optim
from mini_keras.backends.mlx.facts import CAPABILITIES, FRAMEWORK, PIP_EXTRA
from mini_keras.common import hooks

# The modules that implement the contract; their functions are collected, never listed.
_CONTRACT_NAMES = contract.export_modules(globals(), __name__, (
    "control_flow", "conv", "core", "fourier", "linalg", "math", "nn", "numeric", "random", "rnn",
    "shapes", "slicing", "special"))
__all__ = ["CAPABILITIES", "FRAMEWORK", "PIP_EXTRA", *_CONTRACT_NAMES]  # noqa: PLE0604 (derived)

# Fused optimizer updates: pure functions of the values, built from this backend's own ops.
_fused = functional_optim.bind(sys.modules[__name__])
__all__ += contract.export(globals(), _fused)  # noqa: PLE0605 (derived)

# MLX's operators (``mx_array * variable``) convert the other operand through the
# ``__mlx_array__`` protocol, so Variables join MLX arithmetic as they do numpy's.
hooks.on_variable_class(lambda cls: setattr(cls, "__mlx_array__", lambda self: self.value))
