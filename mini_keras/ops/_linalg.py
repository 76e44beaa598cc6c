"""Public linear-algebra ops (Keras 3 exposes them flat: ``ops.inv``, ``ops.svd`` ...).

Decompositions and solves are contract primitives (validated here, then dispatched); ``norm``,
``lstsq``, ``pinv`` and ``slogdet`` are composites of them. Inputs are ``(..., m, n)`` batches of
matrices; integer inputs become floatx.
"""

from __future__ import annotations

import numpy as np

from mini_keras import config
from mini_keras.backends import current
from mini_keras.ops._common import _axes
from mini_keras.ops.dispatch import unwrap

__all__ = ["cholesky", "det", "eigh", "inv", "lstsq", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_triangular", "svd"]


def _matrix(op, x, square=True, arg="x"):
    """``x`` as a float tensor of rank >= 2 (square in its last two axes when asked)."""
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    if b.dtype(x) == "bool":
        raise TypeError(f"ops.{op}: `{arg}` must be numeric, received dtype bool.")
    if not b.dtype(x).startswith(("float", "bfloat")):
        x = b.cast(x, config.floatx())
    shape = b.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.{op}: `{arg}` must have rank >= 2, received shape {shape}.")
    if square and shape[-1] != shape[-2]:
        raise ValueError(f"ops.{op}: `{arg}` must be square in its last two axes, received "
                         f"shape {shape}.")
    return x


def _rhs(op, a, rhs):
    """Check that ``rhs`` ((..., n, k) or (n,)) fits the square matrices ``a``."""
    b = current()
    rhs = b.convert_to_tensor(unwrap(rhs))
    n, shape = b.shape(a)[-1], b.shape(rhs)
    rows = shape[0] if len(shape) == 1 else (shape[-2] if len(shape) >= 2 else None)
    if rows != n:
        raise ValueError(f"ops.{op}: incompatible shapes a {b.shape(a)} and b {shape}.")
    return rhs


def inv(x):
    """Inverse of each square matrix.

    Args:
        x: tensor of shape (..., n, n).

    Raises:
        ValueError: ``x`` is not a batch of square matrices.
    """
    return current().inv(_matrix("inv", x))


def det(x):
    """Determinant of each square matrix.

    Args:
        x: tensor of shape (..., n, n).
    """
    return current().det(_matrix("det", x))


def solve(a, b):
    """Solve ``a @ x = b`` for ``x``.

    Args:
        a: (..., n, n) coefficient matrices. b: (..., n, k) right-hand sides, or a vector (n,).

    Raises:
        ValueError: ``a`` not square, or ``b`` of the wrong size.
    """
    a = _matrix("solve", a, arg="a")
    return current().solve(a, _rhs("solve", a, b))


def solve_triangular(a, b, lower=False):
    """Solve ``a @ x = b`` with triangular ``a`` (only that triangle is read).

    Args:
        a: (..., n, n) triangular matrices. b: (..., n, k) or (n,). lower: ``a`` is lower.
    """
    a = _matrix("solve_triangular", a, arg="a")
    return current().solve_triangular(a, _rhs("solve_triangular", a, b), lower=lower)


def cholesky(x, upper=False):
    """Cholesky factor ``L`` (lower, ``x = L @ L^T``) of symmetric positive-definite matrices.

    Args:
        x: (..., n, n). upper: return ``L^T`` instead.
    """
    return current().cholesky(_matrix("cholesky", x), upper=upper)


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)`` with orthonormal ``q`` and upper-triangular ``r``.

    Args:
        x: (..., m, n). mode: "reduced" (q: (..., m, min(m, n))) or "complete" (q: (..., m, m)).

    Raises:
        ValueError: unknown ``mode``.
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"ops.qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    return current().qr(_matrix("qr", x, square=False), mode=mode)


def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``(u, s, vh)``, ``x = u @ diag(s) @ vh``, ``s`` descending.

    Args:
        x: (..., m, n). full_matrices: square ``u``/``vh`` rather than reduced ones.
        compute_uv: when False return only ``s``.
    """
    return current().svd(_matrix("svd", x, square=False), full_matrices=full_matrices,
                         compute_uv=compute_uv)


def eigh(x):
    """Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices.

    Args:
        x: (..., n, n) symmetric (only the lower triangle is read).
    """
    return current().eigh(_matrix("eigh", x))


def slogdet(x):
    """``(sign, log|det|)`` of each square matrix.

    Args:
        x: (..., n, n).
    """
    b = current()
    d = det(x)
    return b.sign(d), b.log(b.abs(d))


def _inverse_singular_values(s, cutoff):
    """``1 / s`` where ``s > cutoff`` else 0 (safe for the gradient)."""
    b = current()
    keep = b.greater(s, cutoff)
    return b.where(keep, b.divide(1.0, b.where(keep, s, 1.0)), 0.0)


def _matrix_transpose(x):
    rank = len(current().shape(x))
    return current().transpose(x, list(range(rank - 2)) + [rank - 1, rank - 2])


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse via the SVD (singular values below ``rcond * max(s)`` are
    treated as zero).

    Args:
        x: (..., m, n). rcond: relative cutoff (numpy's 1e-15 when None).
    """
    b = current()
    x = _matrix("pinv", x, square=False)
    u, s, vh = svd(x, full_matrices=False)
    cutoff = b.multiply(b.max(s, axis=-1, keepdims=True), 1e-15 if rcond is None else rcond)
    s_inv = _inverse_singular_values(s, b.stop_gradient(cutoff))
    return b.matmul(_matrix_transpose(vh), b.multiply(b.expand_dims(s_inv, -1),
                                                      _matrix_transpose(u)))


def lstsq(a, b, rcond=None):
    """Least-squares solution of ``a @ x = b`` (minimum norm when rank-deficient).

    Args:
        a: (m, n) matrix. b: (m,) or (m, k). rcond: relative cutoff for small singular values
            (numpy's default ``eps * max(m, n)`` when None).

    Raises:
        ValueError: ``a`` not 2-D, or ``b`` with a different number of rows.
    """
    bk = current()
    a = _matrix("lstsq", a, square=False, arg="a")
    rhs = bk.convert_to_tensor(unwrap(b))
    if len(bk.shape(a)) != 2 or len(bk.shape(rhs)) not in (1, 2) or \
            bk.shape(rhs)[0] != bk.shape(a)[0]:
        raise ValueError(f"ops.lstsq: incompatible shapes a {bk.shape(a)} and b "
                         f"{bk.shape(rhs)}.")
    m, n = bk.shape(a)
    if rcond is None:
        rcond = float(np.finfo(np.float32 if bk.dtype(a) != "float64" else np.float64).eps) * \
            max(m, n)
    u, s, vh = svd(a, full_matrices=False)
    cutoff = bk.stop_gradient(bk.multiply(bk.max(s), rcond))
    s_inv = _inverse_singular_values(s, cutoff)
    rhs = bk.cast(rhs, bk.dtype(a))
    projected = bk.matmul(_matrix_transpose(u), rhs)
    scaled = bk.multiply(bk.reshape(s_inv, (-1,) + (1,) * (len(bk.shape(rhs)) - 1)), projected)
    return bk.matmul(_matrix_transpose(vh), scaled)


_VECTOR_ORDS = "None, inf, -inf, 0 or a number"
_MATRIX_ORDS = ("fro", "nuc", None, 1, -1, 2, -2, np.inf, -np.inf)


def _vector_norm(x, ord, axis, keepdims):
    b = current()
    if ord is None or ord == 2:
        return b.sqrt(b.sum(b.square(x), axis=axis, keepdims=keepdims))
    if ord in ("fro", "nuc"):
        raise ValueError(f"ops.norm: `ord`={ord!r} is a matrix norm; vector norms take "
                         f"{_VECTOR_ORDS}.")
    if ord == np.inf:
        return b.max(b.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return b.min(b.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return b.sum(b.cast(b.not_equal(x, 0), b.dtype(x)), axis=axis, keepdims=keepdims)
    if ord == 1:
        return b.sum(b.abs(x), axis=axis, keepdims=keepdims)
    total = b.sum(b.power(b.abs(x), float(ord)), axis=axis, keepdims=keepdims)
    return b.power(total, 1.0 / float(ord))


def _matrix_norm(x, ord, rows, cols, keepdims):
    b = current()
    if ord not in _MATRIX_ORDS:
        raise ValueError(f"ops.norm: invalid `ord`={ord!r} for a matrix norm; expected one of "
                         "'fro', 'nuc', None, 1, -1, 2, -2, inf, -inf.")
    if ord in (None, "fro"):
        out = b.sqrt(b.sum(b.square(x), axis=(rows, cols), keepdims=True))
    elif ord in ("nuc", 2, -2):
        rank = len(b.shape(x))
        rest = [i for i in range(rank) if i not in (rows, cols)]
        s = svd(b.transpose(x, rest + [rows, cols]), compute_uv=False)
        reduce = {"nuc": b.sum, 2: b.max, -2: b.min}[ord]
        out = b.expand_dims(b.expand_dims(reduce(s, axis=-1), min(rows, cols)), max(rows, cols))
    else:
        summed_over, then = (cols, rows) if ord in (np.inf, -np.inf) else (rows, cols)
        reduce = b.max if ord in (np.inf, 1) else b.min
        out = reduce(b.sum(b.abs(x), axis=summed_over, keepdims=True), axis=then, keepdims=True)
    return out if keepdims else b.squeeze(out, (rows, cols))


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (numpy's ``ord`` meanings).

    ``axis`` None: the 2-norm of the flattened tensor when ``ord`` is None, else a vector norm
    (1-D) or matrix norm (2-D). An int axis gives vector norms, a pair of axes matrix norms.

    Args:
        x: input (integers become floatx). ord: vector ords None, inf, -inf, 0, any number;
            matrix ords 'fro', 'nuc', None, 1, -1, 2, -2, inf, -inf.
        axis: None, int or pair of ints. keepdims: keep reduced axes as size 1.

    Raises:
        ValueError: an invalid ``ord`` or ``axis``.
    """
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    if not b.dtype(x).startswith(("float", "bfloat")):
        x = b.cast(x, config.floatx())
    rank = len(b.shape(x))
    if axis is None:
        if ord is None:
            out = b.sqrt(b.sum(b.square(x), keepdims=keepdims))
            return out
        if rank not in (1, 2):
            raise ValueError(f"ops.norm: `ord`={ord!r} with `axis`=None needs a 1-D or 2-D "
                             f"tensor, received shape {b.shape(x)}.")
        axis = tuple(range(rank))
    axes = _axes("norm", "axis", axis, rank)
    order = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    order = [a % rank for a in order]
    if len(axes) != len(set(axes)) or len(axes) not in (1, 2):
        raise ValueError(f"ops.norm: `axis` must be an int or a pair of distinct ints, "
                         f"received {axis}.")
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    return _matrix_norm(x, ord, order[0], order[1], keepdims)
