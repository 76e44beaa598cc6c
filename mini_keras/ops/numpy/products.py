"""Products: matmul, einsum, dot, tensordot, outer, inner, kron, cross, slogdet, and vander.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import builtins
import math

from mini_keras import ops
from mini_keras.ops.checks import (
    _axis,
    _tensor,
)
from mini_keras.ops.declare import composite, exported, primitive


def _promoted(x1, x2):
    """Two tensors in their common dtype (via a zero-cost add of a zero scalar of each)."""
    x1, x2 = _tensor(x1), _tensor(x2)
    common = ops.dtype(ops.add(ops.zeros((), ops.dtype(x1)), ops.zeros((), ops.dtype(x2))))
    return ops.cast(x1, common), ops.cast(x2, common)


@primitive
def matmul(x1, x2):
    ...


@primitive
def einsum(subscripts, *operands):
    ...


@composite
def dot(x1, x2):
    """Dot product: matmul for 2-D operands, elementwise-sum for 1-D, numpy's rules.

    Args:
        x1, x2: tensors.
    """
    return ops.matmul(x1, x2)


@composite
def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes``: an int N (last N of ``x1`` with first N of ``x2``) or a
    pair of axis sequences.

    Args:
        x1, x2: tensors. axes: int or ``(axes_of_x1, axes_of_x2)``.

    Raises:
        ValueError: contracted dimensions differ in size.
    """
    x1, x2 = _promoted(x1, x2)
    s1, s2 = ops.shape(x1), ops.shape(x2)
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
    m1 = ops.reshape(ops.transpose(x1, free1 + ax1), (math.prod(s1[i] for i in free1), k))
    m2 = ops.reshape(ops.transpose(x2, ax2 + free2), (k, math.prod(s2[i] for i in free2)))
    return ops.reshape(ops.matmul(m1, m2), [s1[i] for i in free1] + [s2[i] for i in free2])


@composite
def outer(x1, x2):
    """Outer product of the flattened inputs.

    Args:
        x1, x2: tensors.
    """
    x1, x2 = _promoted(x1, x2)
    return ops.multiply(ops.reshape(x1, (-1, 1)), ops.reshape(x2, (1, -1)))


@composite
def inner(x1, x2):
    """Sum of products over the last axes (scalars multiply).

    Args:
        x1, x2: tensors with equal last dimensions.
    """
    x1, x2 = _promoted(x1, x2)
    if not ops.shape(x1) or not ops.shape(x2):
        return ops.multiply(x1, x2)
    return ops.tensordot(x1, x2, ([-1], [-1]))


@composite
def vdot(x1, x2):
    """Dot product of the flattened inputs.

    Args:
        x1, x2: tensors with the same number of elements.
    """
    x1, x2 = _promoted(x1, x2)
    if ops.size(x1) != ops.size(x2):
        raise ValueError(f"ops.vdot: incompatible shapes x1 {ops.shape(x1)} and x2 {ops.shape(x2)}.")
    return ops.sum(ops.multiply(ops.ravel(x1), ops.ravel(x2)))


@composite
def kron(x1, x2):
    """Kronecker product (block ``x1[i, j] * x2`` layout).

    Args:
        x1, x2: tensors.
    """
    x1, x2 = _promoted(x1, x2)
    rank = builtins.max(len(ops.shape(x1)), len(ops.shape(x2)))
    s1 = (1,) * (rank - len(ops.shape(x1))) + ops.shape(x1)
    s2 = (1,) * (rank - len(ops.shape(x2))) + ops.shape(x2)
    a = ops.reshape(x1, [d for n in s1 for d in (n, 1)])
    c = ops.reshape(x2, [d for n in s2 for d in (1, n)])
    return ops.reshape(ops.multiply(a, c), [p * q for p, q in zip(s1, s2)])


@composite
def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 2- or 3-component vectors (2-D ones give the scalar z component).

    Args:
        x1, x2: tensors. axisa, axisb: the vector axes of ``x1``/``x2``. axisc: the vector axis
            of the result. axis: overrides all three.

    Raises:
        ValueError: a vector axis of size other than 2 or 3.
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _promoted(x1, x2)
    x1, x2 = ops.moveaxis(x1, axisa, -1), ops.moveaxis(x2, axisb, -1)
    n1, n2 = ops.shape(x1)[-1], ops.shape(x2)[-1]
    if n1 not in (2, 3) or n2 not in (2, 3):
        raise ValueError(f"ops.cross: vector dimensions must be 2 or 3, received shapes "
                         f"{ops.shape(x1)} and {ops.shape(x2)}.")
    a = [ops.getitem(x1, (Ellipsis, i)) for i in range(n1)]
    c = [ops.getitem(x2, (Ellipsis, i)) for i in range(n2)]
    z = ops.subtract(ops.multiply(a[0], c[1]), ops.multiply(a[1], c[0]))
    if n1 == n2 == 2:
        return z
    zero = ops.zeros((), ops.dtype(x1))
    a2, c2 = (a[2] if n1 == 3 else zero), (c[2] if n2 == 3 else zero)
    out = ops.stack([ops.subtract(ops.multiply(a[1], c2), ops.multiply(a2, c[1])),
                   ops.subtract(ops.multiply(a2, c[0]), ops.multiply(a[0], c2)), z], axis=-1)
    return ops.moveaxis(out, -1, axisc)


@composite
def slogdet(x):
    """``(sign, log|det|)`` of each square matrix.

    Args:
        x: (..., n, n).
    """
    d = ops.det(x)
    return ops.sign(d), ops.log(ops.abs(d))


@composite
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-D ``x``: columns ``x ** (N - 1), ..., x ** 0``.

    Args:
        x: a 1-D tensor (the result keeps its dtype).
        N: the number of columns (default ``len(x)``).
        increasing: columns ``x ** 0, ..., x ** (N - 1)`` instead.

    Raises:
        ValueError: ``x`` is not 1-D or ``N`` is negative.
    """
    x = _tensor(x)
    if ops.ndim(x) != 1:
        raise ValueError(f"ops.vander: `x` must be 1-D, received shape {tuple(ops.shape(x))}.")
    if N is None:
        N = ops.shape(x)[0]
    if isinstance(N, bool) or not isinstance(N, int) or N < 0:
        raise ValueError(f"ops.vander: `N` must be a non-negative int, received {N!r}.")
    dtype = ops.dtype(x)
    work = ops.cast(x, "int32") if dtype == "bool" else x
    columns = [ops.ones_like(work)] if N else []
    while len(columns) < N:  # repeated products: exact for ints, and no 0 ** -1 in gradients
        columns.append(ops.multiply(columns[-1], work))
    if not increasing:
        columns.reverse()
    if not columns:
        return ops.zeros((ops.shape(x)[0], 0), dtype)
    return ops.cast(ops.stack(columns, axis=1), dtype)


__all__ = [name for name in exported(__name__)]
