"""The numpy backend: plain numpy for inference plus our own reverse-mode autodiff tape.

Every op accepts Python scalars, ndarrays and autodiff :class:`Tensor` s; without a Tensor input
it returns a bare ``np.ndarray``. The public surface is the contract in
:mod:`mini_keras.backends.contract`, collected from the modules below by ``contract.export``.
"""

from mini_keras.backends import contract
from mini_keras.backends.numpy.autodiff import Tensor
from mini_keras.backends.numpy.facts import CAPABILITIES, FRAMEWORK, PIP_EXTRA

# The modules that implement the contract; their functions are collected, never listed.
_CONTRACT_NAMES = contract.export_modules(globals(), __name__, (
    "control_flow", "conv", "core", "fourier", "linalg", "math", "nn", "numeric", "optim", "random",
    "rnn", "shapes", "slicing", "special"))
__all__ = ["CAPABILITIES", "FRAMEWORK", "PIP_EXTRA", "Tensor", *_CONTRACT_NAMES]  # noqa: PLE0604 (derived)
