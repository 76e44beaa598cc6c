"""The linalg family: decompositions, solves, inverses and norms of ``(..., m, n)`` matrices.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import numpy as np

from mini_keras import config, ops
from mini_keras.backends import current_name
from mini_keras.ops.backend_calls import backend_function
from mini_keras.ops.checks import (
    _axes,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap
from mini_keras.ops.symbolic import probing


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=keepdims))
    if ord in ("fro", "nuc"):
        raise ValueError(f"ops.norm: `ord`={ord!r} is a matrix norm; vector norms take "
                         f"{_VECTOR_ORDS}.")
    if ord == np.inf:
        return ops.max(ops.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return ops.min(ops.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return ops.sum(ops.cast(ops.not_equal(x, 0), ops.dtype(x)), axis=axis, keepdims=keepdims)
    if ord == 1:
        return ops.sum(ops.abs(x), axis=axis, keepdims=keepdims)
    total = ops.sum(ops.power(ops.abs(x), float(ord)), axis=axis, keepdims=keepdims)
    return ops.power(total, 1.0 / float(ord))


def _rhs(op, a, rhs):
    """Check that ``rhs`` ((..., n, k) or (n,)) fits the square matrices ``a``."""
    rhs = ops.convert_to_tensor(unwrap(rhs))
    n, shape = ops.shape(a)[-1], ops.shape(rhs)
    rows = shape[0] if len(shape) == 1 else (shape[-2] if len(shape) >= 2 else None)
    if rows != n:
        raise ValueError(f"ops.{op}: incompatible shapes a {ops.shape(a)} and b {shape}.")
    return rhs


def _matrix_transpose(x):
    rank = len(ops.shape(x))
    return ops.transpose(x, list(range(rank - 2)) + [rank - 1, rank - 2])


def _matrix_norm(x, ord, rows, cols, keepdims):
    if ord not in _MATRIX_ORDS:
        raise ValueError(f"ops.norm: invalid `ord`={ord!r} for a matrix norm; expected one of "
                         "'fro', 'nuc', None, 1, -1, 2, -2, inf, -inf.")
    if ord in (None, "fro"):
        out = ops.sqrt(ops.sum(ops.square(x), axis=(rows, cols), keepdims=True))
    elif ord in ("nuc", 2, -2):
        rank = len(ops.shape(x))
        rest = [i for i in range(rank) if i not in (rows, cols)]
        s = ops.svd(ops.transpose(x, rest + [rows, cols]), compute_uv=False)
        reduce = {"nuc": ops.sum, 2: ops.max, -2: ops.min}[ord]
        out = ops.expand_dims(ops.expand_dims(reduce(s, axis=-1), min(rows, cols)), max(rows, cols))
    else:
        summed_over, then = (cols, rows) if ord in (np.inf, -np.inf) else (rows, cols)
        reduce = ops.max if ord in (np.inf, 1) else ops.min
        out = reduce(ops.sum(ops.abs(x), axis=summed_over, keepdims=True), axis=then, keepdims=True)
    return out if keepdims else ops.squeeze(out, (rows, cols))


def _matrix(op, x, square=True, arg="x"):
    """``x`` as a float tensor of rank >= 2 (square in its last two axes when asked)."""
    x = ops.convert_to_tensor(unwrap(x))
    if ops.dtype(x) == "bool":
        raise TypeError(f"ops.{op}: `{arg}` must be numeric, received dtype bool.")
    if not ops.dtype(x).startswith(("float", "bfloat")):
        x = ops.cast(x, config.floatx())
    shape = ops.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.{op}: `{arg}` must have rank >= 2, received shape {shape}.")
    if square and shape[-1] != shape[-2]:
        raise ValueError(f"ops.{op}: `{arg}` must be square in its last two axes, received "
                         f"shape {shape}.")
    return x


def _inverse_singular_values(s, cutoff):
    """``1 / s`` where ``s > cutoff`` else 0 (safe for the gradient)."""
    keep = ops.greater(s, cutoff)
    return ops.where(keep, ops.divide(1.0, ops.where(keep, s, 1.0)), 0.0)


_VECTOR_ORDS = "None, inf, -inf, 0 or a number"


_MATRIX_ORDS = ("fro", "nuc", None, 1, -1, 2, -2, np.inf, -np.inf)


@primitive
def cholesky(x, upper=False):
    """Cholesky factor ``L`` (lower, ``x = L @ L^T``) of symmetric positive-definite matrices.

    Args:
        x: (..., n, n). upper: return ``L^T`` instead.
    """
    return {'x': _matrix('cholesky', x)}


@primitive
def det(x):
    """Determinant of each square matrix.

    Args:
        x: tensor of shape (..., n, n).
    """
    return {'x': _matrix('det', x)}


@primitive
def eigh(x):
    """Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices.

    Args:
        x: (..., n, n) symmetric (only the lower triangle is read).
    """
    return {'x': _matrix('eigh', x)}


@primitive
def inv(x):
    """Inverse of each square matrix.

    Args:
        x: tensor of shape (..., n, n).

    Raises:
        ValueError: ``x`` is not a batch of square matrices.
    """
    return {'x': _matrix('inv', x)}


@composite
def lstsq(a, b, rcond=None):
    """Least-squares solution of ``a @ x = b`` (minimum norm when rank-deficient).

    Args:
        a: (m, n) matrix. b: (m,) or (m, k). rcond: relative cutoff for small singular values
            (numpy's default ``eps * max(m, n)`` when None).

    Raises:
        ValueError: ``a`` not 2-D, or ``b`` with a different number of rows.
    """
    a = _matrix("lstsq", a, square=False, arg="a")
    rhs = ops.convert_to_tensor(unwrap(b))
    if len(ops.shape(a)) != 2 or len(ops.shape(rhs)) not in (1, 2) or \
            ops.shape(rhs)[0] != ops.shape(a)[0]:
        raise ValueError(f"ops.lstsq: incompatible shapes a {ops.shape(a)} and b "
                         f"{ops.shape(rhs)}.")
    m, n = ops.shape(a)
    if rcond is None:
        rcond = float(np.finfo(np.float32 if ops.dtype(a) != "float64" else np.float64).eps) * \
            max(m, n)
    u, s, vh = ops.svd(a, full_matrices=False)
    cutoff = ops.stop_gradient(ops.multiply(ops.max(s), rcond))
    s_inv = _inverse_singular_values(s, cutoff)
    rhs = ops.cast(rhs, ops.dtype(a))
    projected = ops.matmul(_matrix_transpose(u), rhs)
    scaled = ops.multiply(ops.reshape(s_inv, (-1,) + (1,) * (len(ops.shape(rhs)) - 1)), projected)
    return ops.matmul(_matrix_transpose(vh), scaled)


@composite
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
    x = ops.convert_to_tensor(unwrap(x))
    if not ops.dtype(x).startswith(("float", "bfloat")):
        x = ops.cast(x, config.floatx())
    rank = len(ops.shape(x))
    if axis is None:
        if ord is None:
            out = ops.sqrt(ops.sum(ops.square(x), keepdims=keepdims))
            return out
        if rank not in (1, 2):
            raise ValueError(f"ops.norm: `ord`={ord!r} with `axis`=None needs a 1-D or 2-D "
                             f"tensor, received shape {ops.shape(x)}.")
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


@composite
def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse via the SVD (singular values below ``rcond * max(s)`` are
    treated as zero).

    Args:
        x: (..., m, n). rcond: relative cutoff (numpy's 1e-15 when None).
    """
    x = _matrix("pinv", x, square=False)
    u, s, vh = ops.svd(x, full_matrices=False)
    cutoff = ops.multiply(ops.max(s, axis=-1, keepdims=True), 1e-15 if rcond is None else rcond)
    s_inv = _inverse_singular_values(s, ops.stop_gradient(cutoff))
    return ops.matmul(_matrix_transpose(vh), ops.multiply(ops.expand_dims(s_inv, -1),
                                                      _matrix_transpose(u)))


@primitive
def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)`` with orthonormal ``q`` and upper-triangular ``r``.

    Args:
        x: (..., m, n). mode: "reduced" (q: (..., m, min(m, n))) or "complete" (q: (..., m, m)).

    Raises:
        ValueError: unknown ``mode``.
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"ops.qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    return {'x': _matrix('qr', x, square=False)}


@primitive
def solve(a, b):
    """Solve ``a @ x = b`` for ``x``.

    Args:
        a: (..., n, n) coefficient matrices. b: (..., n, k) right-hand sides, or a vector (n,).

    Raises:
        ValueError: ``a`` not square, or ``b`` of the wrong size.
    """
    a = _matrix("solve", a, arg="a")
    return {'b': _rhs('solve', a, b)}


@primitive
def solve_triangular(a, b, lower=False):
    """Solve ``a @ x = b`` with triangular ``a`` (only that triangle is read).

    Args:
        a: (..., n, n) triangular matrices. b: (..., n, k) or (n,). lower: ``a`` is lower.
    """
    a = _matrix("solve_triangular", a, arg="a")
    return {'b': _rhs('solve_triangular', a, b)}


@primitive(keras_class="SVD")
def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``(u, s, vh)``, ``x = u @ diag(s) @ vh``, ``s`` descending.

    Args:
        x: (..., m, n). full_matrices: square ``u``/``vh`` rather than reduced ones.
        compute_uv: when False return only ``s``.
    """
    return {'x': _matrix('svd', x, square=False)}


@composite
def matrix_rank(x, tol=None):
    """Number of singular values above ``tol`` for each matrix (int32).

    Args:
        x: (..., m, n). tol: the threshold (numpy's ``max(s) * max(m, n) * eps`` when None).
    """
    x = _matrix("matrix_rank", x, square=False)
    s = ops.svd(x, compute_uv=False)
    if tol is None:
        m, n = ops.shape(x)[-2:]
        eps = float(np.finfo(np.float64 if ops.dtype(x) == "float64" else np.float32).eps)
        tol = ops.multiply(ops.max(s, axis=-1, keepdims=True), max(m, n) * eps)
    return ops.sum(ops.cast(ops.greater(s, tol), "int32"), axis=-1)


@composite
def cholesky_inverse(x, upper=False):
    """The inverse of ``A`` from its Cholesky factor: ``A = L @ L^T`` (or ``U^T @ U``).

    Args:
        x: (..., n, n) the triangular factor (lower ``L``, or upper ``U`` when ``upper``).
        upper: ``x`` is the upper factor.
    """
    x = _matrix("cholesky_inverse", x)
    n = ops.shape(x)[-1]
    identity = ops.broadcast_to(ops.eye(n, dtype=ops.dtype(x)), tuple(ops.shape(x)))
    inverse = ops.solve_triangular(x, identity, lower=not upper)  # L^-1 (or U^-1)
    if upper:
        return ops.matmul(inverse, _matrix_transpose(inverse))
    return ops.matmul(_matrix_transpose(inverse), inverse)


@composite
def lu_factor(x):
    """LU factorization with partial pivoting, as ``scipy.linalg.lu_factor``.

    Args:
        x: (..., m, n) matrices.

    Returns:
        ``(lu, pivots)``: ``lu`` holds ``U`` on and above the diagonal and the unit-diagonal
        ``L`` below it; ``pivots`` (int32, ``(..., min(m, n))``) says that row ``i`` was
        interchanged with row ``pivots[i]``, in order (LAPACK's convention, 0-based).
    """
    a = _matrix("lu_factor", x, square=False)
    m, n = ops.shape(a)[-2:]
    rows = ops.arange(m, dtype="int32")
    cols = ops.arange(n, dtype="int32")
    pivots = []
    for j in range(min(m, n)):
        column = ops.getitem(a, (Ellipsis, slice(None), j))  # (..., m)
        candidates = ops.where(ops.greater_equal(rows, j), ops.abs(column), -1.0)
        p = ops.cast(ops.argmax(candidates, axis=-1), "int32")  # (...,)
        pivots.append(p)
        p = ops.expand_dims(p, -1)
        order = ops.where(ops.equal(rows, j), p, ops.where(ops.equal(rows, p), j, rows))
        a = ops.take_along_axis(a, ops.expand_dims(order, -1), axis=-2)
        pivot_row = ops.getitem(a, (Ellipsis, j, slice(None)))  # (..., n)
        pivot = ops.getitem(pivot_row, (Ellipsis, slice(j, j + 1)))  # (..., 1)
        safe = ops.where(ops.equal(pivot, 0), ops.ones_like(pivot), pivot)  # a zero column
        below = ops.greater(rows, j)
        factors = ops.where(below, ops.divide(ops.getitem(a, (Ellipsis, slice(None), j)), safe),
                            0.0)  # (..., m): L's column j
        update = ops.multiply(ops.expand_dims(factors, -1), ops.expand_dims(pivot_row, -2))
        right = ops.cast(ops.greater(cols, j), ops.dtype(a))
        a = ops.subtract(a, ops.multiply(update, right))
        is_column = ops.logical_and(ops.expand_dims(below, -1), ops.equal(cols, j))
        a = ops.where(is_column, ops.expand_dims(factors, -1), a)
    return a, ops.stack(pivots, axis=-1)


@primitive(keras_class="JVP")
def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative of ``fun`` at ``primals`` along ``tangents`` (``jax.jvp``).

    Args:
        fun: a function of ``len(primals)`` tensors returning a tensor or a nest of tensors
            (with ``has_aux``: a pair ``(output, aux)``).
        primals: a tuple/list of tensors, the point.
        tangents: a tuple/list of tensors of the same shapes, the direction.
        has_aux: ``fun`` also returns auxiliary data, passed through.

    Returns:
        ``(primals_out, tangents_out)``, or ``(primals_out, tangents_out, aux)``.

    Raises:
        TypeError: ``fun`` is not callable or ``primals``/``tangents`` are not tuples/lists.
        ValueError: ``primals`` and ``tangents`` differ in length or shapes.
    """
    if not callable(fun):
        raise TypeError(f"ops.jvp: `fun` must be callable, received {fun!r}.")
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("ops.jvp: `primals` and `tangents` must be tuples or lists, received "
                        f"{type(primals).__name__} and {type(tangents).__name__}.")
    if len(primals) != len(tangents):
        raise ValueError(f"ops.jvp: `primals` and `tangents` must have the same length, "
                         f"received {len(primals)} and {len(tangents)}.")
    primals = tuple(ops.convert_to_tensor(unwrap(p)) for p in primals)
    tangents = tuple(ops.convert_to_tensor(unwrap(t)) for t in tangents)
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if tuple(ops.shape(p)) != tuple(ops.shape(t)):
            raise ValueError(f"ops.jvp: primal {i} has shape {tuple(ops.shape(p))} but its "
                             f"tangent has shape {tuple(ops.shape(t))}.")
    return {"primals": primals, "tangents": tangents}


_eig_parts = backend_function("eig_parts")


@composite
def eig(x):
    """Eigenvalues ``w`` and right eigenvectors ``v`` (columns) of real square matrices.

    mini_keras tensors are real, so this gives real results: it is for matrices whose
    eigenvalues are all real (Keras 3 returns complex64 tensors; here they are float). Eager
    only (the check needs the values); not differentiable.

    Args:
        x: (..., n, n) matrices.

    Returns:
        ``(w, v)``: ``(..., n)`` eigenvalues, ``(..., n, n)`` unit-norm eigenvectors.

    Raises:
        ValueError: some eigenvalue is complex (use ``eigh`` for symmetric matrices).
    """
    x = _matrix("eig", x)
    w_real, w_imag, v_real, v_imag = _eig_parts(x)
    if not probing() and bool(ops.convert_to_numpy(ops.any(ops.not_equal(w_imag, 0)))):
        raise ValueError(f"ops.eig on the {current_name()} backend: the matrix has complex "
                         "eigenvalues, and mini_keras tensors are real (symmetric matrices: "
                         "use ops.eigh).")
    del v_imag  # zero with real eigenvalues
    return w_real, v_real


__all__ = [name for name in exported(__name__)]
