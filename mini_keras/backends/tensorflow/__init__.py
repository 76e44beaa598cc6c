"""TensorFlow backend: every function of :mod:`mini_keras.backends.contract`, on ``tf.Tensor``.

Variables are ``tf.Variable`` handles, ``compile`` wraps steps in ``tf.function``, and ops follow
numpy semantics (dtype promotion, tie-breaking, rounding) where TensorFlow's own differ.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is first imported

import sys

from mini_keras.backends import contract, functional_optim
from mini_keras.backends.tensorflow.facts import CAPABILITIES, FRAMEWORK, PIP_EXTRA

# The modules that implement the contract; their functions are collected, never listed.
_CONTRACT_NAMES = contract.export_modules(globals(), __name__, (
    "control_flow", "core", "fourier", "linalg", "math", "native", "nn", "numeric", "random", "rnn",
    "shapes", "slicing", "special"))
__all__ = ["CAPABILITIES", "FRAMEWORK", "PIP_EXTRA", *_CONTRACT_NAMES]  # noqa: PLE0604 (derived)

# Fused optimizer updates: pure functions of the values, built from this backend's own ops.
_fused = functional_optim.bind(sys.modules[__name__])
__all__ += contract.export(globals(), _fused)  # noqa: PLE0605 (derived)
