"""Products of the numpy-like public ops: tensordot, outer, inner, vdot, kron, cross.

See :mod:`mini_keras.ops.numpy_ext` for the conventions."""

from __future__ import annotations

import builtins
import math

from mini_keras.backends import current
from mini_keras.ops._arrays import moveaxis, ravel, size
from mini_keras.ops._common import _axis, _tensor

__all__ = ["cross", "inner", "kron", "outer", "tensordot", "vdot"]

# ============================================================================ products

def _promoted(x1, x2):
    """Two tensors in their common dtype (via a zero-cost add of a zero scalar of each)."""
    b = current()
    x1, x2 = _tensor(x1), _tensor(x2)
    common = b.dtype(b.add(b.zeros((), b.dtype(x1)), b.zeros((), b.dtype(x2))))
    return b.cast(x1, common), b.cast(x2, common)


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes``: an int N (last N of ``x1`` with first N of ``x2``) or a
    pair of axis sequences.

    Args:
        x1, x2: tensors. axes: int or ``(axes_of_x1, axes_of_x2)``.

    Raises:
        ValueError: contracted dimensions differ in size.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    s1, s2 = b.shape(x1), b.shape(x2)
    if isinstance(axes, int):
        ax1, ax2 = list(range(len(s1) - axes, len(s1))), list(range(axes))
    else:
        ax1, ax2 = ([a] if isinstance(a, int) else list(a) for a in axes)
    ax1 = [_axis("tensordot", "axes", a, len(s1)) for a in ax1]
    ax2 = [_axis("tensordot", "axes", a, len(s2)) for a in ax2]
    if [s1[a] for a in ax1] != [s2[a] for a in ax2]:
        raise ValueError(f"ops.tensordot: incompatible shapes x1 {s1} and x2 {s2} for axes "
                         f"{ax1} and {ax2}.")
    free1 = [i for i in range(len(s1)) if i not in ax1]
    free2 = [i for i in range(len(s2)) if i not in ax2]
    k = math.prod(s1[a] for a in ax1)
    m1 = b.reshape(b.transpose(x1, free1 + ax1), (math.prod(s1[i] for i in free1), k))
    m2 = b.reshape(b.transpose(x2, ax2 + free2), (k, math.prod(s2[i] for i in free2)))
    return b.reshape(b.matmul(m1, m2), [s1[i] for i in free1] + [s2[i] for i in free2])


def outer(x1, x2):
    """Outer product of the flattened inputs.

    Args:
        x1, x2: tensors.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    return b.multiply(b.reshape(x1, (-1, 1)), b.reshape(x2, (1, -1)))


def inner(x1, x2):
    """Sum of products over the last axes (scalars multiply).

    Args:
        x1, x2: tensors with equal last dimensions.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    if not b.shape(x1) or not b.shape(x2):
        return b.multiply(x1, x2)
    return tensordot(x1, x2, ([-1], [-1]))


def vdot(x1, x2):
    """Dot product of the flattened inputs.

    Args:
        x1, x2: tensors with the same number of elements.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    if size(x1) != size(x2):
        raise ValueError(f"ops.vdot: incompatible shapes x1 {b.shape(x1)} and x2 {b.shape(x2)}.")
    return b.sum(b.multiply(ravel(x1), ravel(x2)))


def kron(x1, x2):
    """Kronecker product (block ``x1[i, j] * x2`` layout).

    Args:
        x1, x2: tensors.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    rank = builtins.max(len(b.shape(x1)), len(b.shape(x2)))
    s1 = (1,) * (rank - len(b.shape(x1))) + b.shape(x1)
    s2 = (1,) * (rank - len(b.shape(x2))) + b.shape(x2)
    a = b.reshape(x1, [d for n in s1 for d in (n, 1)])
    c = b.reshape(x2, [d for n in s2 for d in (1, n)])
    return b.reshape(b.multiply(a, c), [p * q for p, q in zip(s1, s2)])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 2- or 3-component vectors (2-D ones give the scalar z component).

    Args:
        x1, x2: tensors. axisa, axisb: the vector axes of ``x1``/``x2``. axisc: the vector axis
            of the result. axis: overrides all three.

    Raises:
        ValueError: a vector axis of size other than 2 or 3.
    """
    b = current()
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _promoted(x1, x2)
    x1, x2 = moveaxis(x1, axisa, -1), moveaxis(x2, axisb, -1)
    n1, n2 = b.shape(x1)[-1], b.shape(x2)[-1]
    if n1 not in (2, 3) or n2 not in (2, 3):
        raise ValueError(f"ops.cross: vector dimensions must be 2 or 3, received shapes "
                         f"{b.shape(x1)} and {b.shape(x2)}.")
    a = [b.getitem(x1, (Ellipsis, i)) for i in range(n1)]
    c = [b.getitem(x2, (Ellipsis, i)) for i in range(n2)]
    z = b.subtract(b.multiply(a[0], c[1]), b.multiply(a[1], c[0]))
    if n1 == n2 == 2:
        return z
    zero = b.zeros((), b.dtype(x1))
    a2, c2 = (a[2] if n1 == 3 else zero), (c[2] if n2 == 3 else zero)
    out = b.stack([b.subtract(b.multiply(a[1], c2), b.multiply(a2, c[1])),
                   b.subtract(b.multiply(a2, c[0]), b.multiply(a[0], c2)), z], axis=-1)
    return moveaxis(out, -1, axisc)
