"""numpy backend: numpy-like primitives and linear algebra (contract_numpy_ext), with gradients.

Each differentiable op returns ``record(out, inputs, backward)`` with its rule right under the
forward formula. Ops with several outputs (``qr``, ``svd``, ``eigh``) record each output on its
own: their backward rules are linear in the output gradients, so the tape's summation over the
outputs gives the full gradient.
"""

from __future__ import annotations

import numpy as np

from mini_keras.backends.numpy.autodiff import data, not_differentiable, record
from mini_keras.backends.numpy.core import as_input, cast, floatx_dtype, operands


def _float(x):
    """``x`` as an input whose data is floating point (ints/bools become floatx)."""
    x = as_input(x)
    if _is_float(data(x)):
        return x
    return cast(x, floatx_dtype().name)


def _is_float(a) -> bool:
    return a.dtype.kind in "fc" or a.dtype.name == "bfloat16"


def _promoted(out, *operands_data):
    """numpy computes some ufuncs on bfloat16 in float32: give back the operands' dtype."""
    arrays = [a for a in operands_data if isinstance(a, np.ndarray)]
    return np.asarray(out).astype(np.result_type(*arrays), copy=False) if arrays else out


def _float_unary(x, fn, derivative):
    """Record ``fn(x)`` for float-only math; ``derivative(a, out)`` is d(out)/d(x)."""
    x = _float(x)
    a = data(x)
    out = np.asarray(fn(a)).astype(a.dtype, copy=False)

    def backward(g):
        return (g * derivative(a, out),)
    return record(out, (x,), backward)


# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent (gradient ``1 + tan(x)**2``)."""
    return _float_unary(x, np.tan, lambda a, out: 1 + out * out)


def arcsin(x):
    """Inverse sine (gradient ``1 / sqrt(1 - x**2)``)."""
    return _float_unary(x, np.arcsin, lambda a, out: 1 / np.sqrt(1 - a * a))


def arccos(x):
    """Inverse cosine (gradient ``-1 / sqrt(1 - x**2)``)."""
    return _float_unary(x, np.arccos, lambda a, out: -1 / np.sqrt(1 - a * a))


def arctan(x):
    """Inverse tangent (gradient ``1 / (1 + x**2)``)."""
    return _float_unary(x, np.arctan, lambda a, out: 1 / (1 + a * a))


def arctan2(x1, x2):
    """Angle of ``(x2, x1)``: d/dx1 = x2 / r², d/dx2 = -x1 / r²."""
    x1, x2 = operands(_float(x1) if not isinstance(x1, float) else x1,
                      _float(x2) if not isinstance(x2, float) else x2)
    a, b = data(x1), data(x2)
    out = _promoted(np.arctan2(a, b), a, b)

    def backward(g):
        r2 = a * a + b * b
        return g * b / r2, -g * a / r2
    return record(out, (x1, x2), backward)


def sinh(x):
    """Hyperbolic sine (gradient ``cosh``)."""
    return _float_unary(x, np.sinh, lambda a, out: np.cosh(a))


def cosh(x):
    """Hyperbolic cosine (gradient ``sinh``)."""
    return _float_unary(x, np.cosh, lambda a, out: np.sinh(a))


def arcsinh(x):
    """Inverse hyperbolic sine (gradient ``1 / sqrt(x**2 + 1)``)."""
    return _float_unary(x, np.arcsinh, lambda a, out: 1 / np.sqrt(a * a + 1))


def arccosh(x):
    """Inverse hyperbolic cosine (gradient ``1 / sqrt(x**2 - 1)``)."""
    return _float_unary(x, np.arccosh, lambda a, out: 1 / np.sqrt(a * a - 1))


def arctanh(x):
    """Inverse hyperbolic tangent (gradient ``1 / (1 - x**2)``)."""
    return _float_unary(x, np.arctanh, lambda a, out: 1 / (1 - a * a))


def trunc(x):
    """Round toward zero (integers pass through; gradient zero)."""
    x = as_input(x)
    a = data(x)
    if not _is_float(a):
        return a

    def backward(g):
        return (np.zeros_like(g),)
    return record(_promoted(np.trunc(a), a), (x,), backward)


def isnan(x):
    """Elementwise NaN test (bool)."""
    return np.isnan(data(_float(x)))


def isinf(x):
    """Elementwise infinity test (bool)."""
    return np.isinf(data(_float(x)))


def isfinite(x):
    """Elementwise finiteness test (bool)."""
    return np.isfinite(data(_float(x)))


def _int_operands(x1, x2):
    """Elementwise operands with bools promoted to int32."""
    x1, x2 = operands(x1, x2)
    return [cast(x, "int32") if np.asarray(data(x)).dtype == bool and not isinstance(x, bool)
            else x for x in (x1, x2)]


def mod(x1, x2):
    """Floor remainder (sign of ``x2``): d/dx1 = 1, d/dx2 = -floor(x1 / x2)."""
    x1, x2 = _int_operands(x1, x2)
    a, b = data(x1), data(x2)
    out = _promoted(np.mod(a, b), a, b)

    def backward(g):
        return g, -g * np.floor_divide(a, b)
    return record(out, (x1, x2), backward)


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    x1, x2 = _int_operands(x1, x2)
    out = _promoted(np.floor_divide(data(x1), data(x2)), data(x1), data(x2))

    def backward(g):
        return np.zeros_like(g), np.zeros_like(g)
    return record(out, (x1, x2), backward)


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product; the gradient is exact even when ``x`` holds zeros."""
    x = as_input(x)
    if dtype is not None or data(x).dtype == bool:
            x = cast(x, "int32" if dtype is None else dtype)
    a = data(x)
    flat = axis is None
    along = 0 if flat else int(axis) % a.ndim
    source = a.reshape(-1) if flat else a
    out = np.cumprod(source, axis=along).astype(a.dtype, copy=False)

    def backward(g):
        moved_a, moved_g = np.moveaxis(source, along, -1), np.moveaxis(g, along, -1)
        n = moved_a.shape[-1]
        grad = np.zeros_like(moved_a)
        for i in range(n):  # d out_j / d a_i = prod_{k <= j, k != i} a_k for j >= i
            others = moved_a.copy()
            others[..., i] = 1
            partial = np.cumprod(others, axis=-1)[..., i:]
            grad[..., i] = np.sum(moved_g[..., i:] * partial, axis=-1)
        return (np.moveaxis(grad, -1, along).reshape(a.shape),)
    return record(out, (x,), backward)


def nonzero(x):
    """Tuple of int32 index arrays of the non-zero entries."""
    return tuple(i.astype(np.int32) for i in np.nonzero(data(as_input(x))))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices of ``values`` into the sorted 1-D sequence."""
    sequence, values = data(as_input(sorted_sequence)), data(as_input(values))
    return np.asarray(np.searchsorted(sequence, values, side=side)).astype(np.int32)


# ---------------------------------------------------------------------------- linear algebra


def _mT(a):  # the matrix transpose of a batch
    return np.swapaxes(a, -1, -2)


def _as_matrix_rhs(b):
    """A 1-D right-hand side as a column (and a function that undoes it)."""
    if b.ndim == 1:
        return b[:, None], lambda r: r[..., 0]
    return b, lambda r: r


def inv(x):
    """Matrix inverse: gradient ``-inv^T @ g @ inv^T``."""
    x = _float(x)
    out = np.linalg.inv(data(x))

    def backward(g):
        return (-_mT(out) @ g @ _mT(out),)
    return record(out, (x,), backward)


def solve(a, b):
    """``x = inv(a) @ b``: grad_b = solve(a^T, g), grad_a = -grad_b @ x^T."""
    a, b = _float(a), _float(b)
    ma, (mb, undo) = data(a), _as_matrix_rhs(data(b))
    out = np.linalg.solve(ma, mb)

    def backward(g):
        gb = np.linalg.solve(_mT(ma), g[..., None] if data(b).ndim == 1 else g)
        return -gb @ _mT(out), undo(gb)
    return record(undo(out), (a, b), backward)


def det(x):
    """Determinant: gradient ``g * det * inv(x)^T``."""
    x = _float(x)
    a = data(x)
    out = np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False)

    def backward(g):
        return ((g * out)[..., None, None] * _mT(np.linalg.inv(a)),)
    return record(out, (x,), backward)


def _phi(m):
    """Lower triangle of ``m`` with the diagonal halved (the Cholesky/QR gradient helper)."""
    return np.tril(m) - 0.5 * np.eye(m.shape[-1], dtype=m.dtype) * m


def cholesky(x, upper=False):
    """Cholesky factor: grad = sym(L^-T Phi(L^T gL) L^-1) (Murray, 2016)."""
    x = _float(x)
    a = data(x)
    lower = np.linalg.cholesky(a)
    out = _mT(lower) if upper else lower

    def backward(g):
        g = _mT(g) if upper else g
        inner = _phi(_mT(lower) @ g)
        l_inv = np.linalg.inv(lower)
        grad = _mT(l_inv) @ inner @ l_inv
        return (0.5 * (grad + _mT(grad)),)
    return record(out, (x,), backward)


def qr(x, mode="reduced"):
    """QR decomposition; gradient (reduced, m >= n) as in TensorFlow's QrGrad."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    x = _float(x)
    a = data(x)
    q, r = np.linalg.qr(a, mode=mode)
    m, n = a.shape[-2:]
    if mode == "complete" and m != n or m < n:
        backward = not_differentiable("qr (complete mode or more columns than rows)")
        return record(q, (x,), backward), record(r, (x,), backward)

    def r_inv_t(mat):  # mat @ inv(r)^T
        return _mT(np.linalg.solve(r, _mT(mat)))

    def grad(gq, gr):
        qdq = _mT(q) @ gq
        rdr = r @ _mT(gr)
        tril = np.tril(qdq - _mT(qdq) + rdr - _mT(rdr))
        return q @ (gr + r_inv_t(tril)) + r_inv_t(gq - q @ qdq)

    def backward_q(g):
        return (grad(g, np.zeros_like(r)),)

    def backward_r(g):
        return (grad(np.zeros_like(q), g),)
    return record(q, (x,), backward_q), record(r, (x,), backward_r)


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)``; gradients per Townsend (2016), real case."""
    x = _float(x)
    a = data(x)
    m, n = a.shape[-2:]
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    k = min(m, n)

    def backward_s(g):
        return ((u * g[..., None, :]) @ vh,)
    s_out = record(s, (x,), backward_s)
    if not compute_uv:
        return s_out
    if full_matrices and m != n:
        u_full, _, vh_full = np.linalg.svd(a, full_matrices=True)
        backward = not_differentiable("svd (full_matrices=True on non-square matrices)")
        return record(u_full, (x,), backward), s_out, record(vh_full, (x,), backward)
    v = _mT(vh)
    s2 = s[..., None, :] ** 2
    diff = s2 - _mT(s2)  # F_ij = 1 / (s_j^2 - s_i^2), zero on the diagonal
    f = np.where(np.eye(k, dtype=bool), 0, 1 / np.where(np.eye(k, dtype=bool), 1, diff))
    s_mat = s[..., None, :] * np.eye(k, dtype=a.dtype)
    s_inv = 1 / s

    def backward_u(gu):
        j = f * (_mT(u) @ gu - _mT(gu) @ u)
        term = u @ j @ s_mat @ vh
        if m > k:  # the part of gu outside the column space of u
            term = term + (gu - u @ (_mT(u) @ gu)) * s_inv[..., None, :] @ vh
        return (term,)

    def backward_vh(gvh):
        gv = _mT(gvh)
        kk = f * (_mT(v) @ gv - _mT(gv) @ v)
        term = u @ s_mat @ kk @ vh
        if n > k:
            term = term + (u * s_inv[..., None, :]) @ _mT(gv - v @ (_mT(v) @ gv))
        return (term,)
    return record(u, (x,), backward_u), s_out, record(vh, (x,), backward_vh)


def eigh(x):
    """Symmetric eigen-decomposition: grad = V (diag(gw) + F * (V^T gV)) V^T, symmetrized."""
    x = _float(x)
    a = data(x)
    w, v = np.linalg.eigh(a)
    n = a.shape[-1]
    eye = np.eye(n, dtype=bool)
    diff = w[..., None, :] - w[..., :, None]  # F_ij = 1 / (w_j - w_i)
    f = np.where(eye, 0, 1 / np.where(eye, 1, diff))

    def sym(grad):
        return 0.5 * (grad + _mT(grad))

    def backward_w(g):
        return (sym((v * g[..., None, :]) @ _mT(v)),)

    def backward_v(g):
        return (sym(v @ (f * (_mT(v) @ g)) @ _mT(v)),)
    return record(w, (x,), backward_w), record(v, (x,), backward_v)


def solve_triangular(a, b, lower=False):
    """Triangular solve: grad_b = solve(tri(a)^T, g), grad_a = tri(-grad_b @ x^T)."""
    a, b = _float(a), _float(b)
    tri = np.tril if lower else np.triu
    ma, (mb, undo) = tri(data(a)), _as_matrix_rhs(data(b))
    out = np.linalg.solve(ma, mb)

    def backward(g):
        gb = np.linalg.solve(_mT(ma), g[..., None] if data(b).ndim == 1 else g)
        return tri(-gb @ _mT(out)), undo(gb)
    return record(undo(out), (a, b), backward)

