"""Complex-number parts of the numpy family, for the real tensors mini_keras supports.

Backends here hold real (and integer/bool) tensors only, so ``real`` is the identity, ``imag``
is zero, ``conj`` is the identity and ``angle`` is ``0`` or ``pi`` by sign, as numpy gives for
real inputs. Every op is declared once with ``@composite``; see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math

from mini_keras import ops
from mini_keras.ops.checks import _to_float
from mini_keras.ops.declare import composite, exported


@composite
def real(x):
    """Real part (the tensor itself for real tensors).

    Args:
        x: input tensor.
    """
    return ops.convert_to_tensor(x)


@composite
def imag(x):
    """Imaginary part (zeros for real tensors).

    Args:
        x: input tensor.
    """
    x = ops.convert_to_tensor(x)
    return ops.zeros(ops.shape(x), ops.dtype(x))


@composite
def conjugate(x):
    """Complex conjugate (the tensor itself for real tensors).

    Args:
        x: input tensor.
    """
    return ops.convert_to_tensor(x)


@composite(keras_class="Conjugate")
def conj(x):
    """Alias of :func:`conjugate`.

    Args:
        x: input tensor.
    """
    return ops.convert_to_tensor(x)


@composite
def angle(x):
    """Argument of each number: ``pi`` for negative reals, else 0 (integers give floatx).

    Args:
        x: input tensor.
    """
    x = _to_float(x)
    return ops.where(ops.less(x, 0), ops.cast(math.pi, ops.dtype(x)), ops.zeros((), ops.dtype(x)))


@composite
def isreal(x):
    """True everywhere for real tensors (no imaginary part).

    Args:
        x: input tensor.
    """
    return ops.ones(ops.shape(ops.convert_to_tensor(x)), "bool")


__all__ = [name for name in exported(__name__)]
