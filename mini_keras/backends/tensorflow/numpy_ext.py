"""TensorFlow backend: numpy-like primitives and linear algebra (contract_numpy_ext)."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor, promote, to_float

# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent."""
    return tf.tan(to_float(x))


def arcsin(x):
    """Inverse sine."""
    return tf.asin(to_float(x))


def arccos(x):
    """Inverse cosine."""
    return tf.acos(to_float(x))


def arctan(x):
    """Inverse tangent."""
    return tf.atan(to_float(x))


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``."""
    x1 = x1 if isinstance(x1, float) else to_float(x1)
    x2 = x2 if isinstance(x2, float) else to_float(x2)
    x1, x2 = promote(x1, x2)
    return tf.atan2(x1, x2)


def sinh(x):
    """Hyperbolic sine."""
    return tf.sinh(to_float(x))


def cosh(x):
    """Hyperbolic cosine."""
    return tf.cosh(to_float(x))


def arcsinh(x):
    """Inverse hyperbolic sine."""
    return tf.asinh(to_float(x))


def arccosh(x):
    """Inverse hyperbolic cosine."""
    return tf.acosh(to_float(x))


def arctanh(x):
    """Inverse hyperbolic tangent."""
    return tf.atanh(to_float(x))


def trunc(x):
    """Round toward zero (integers pass through; gradient zero)."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    return tf.stop_gradient(tf.where(x < 0, tf.math.ceil(x), tf.math.floor(x)))


def isnan(x):
    """Elementwise NaN test."""
    return tf.math.is_nan(to_float(x))


def isinf(x):
    """Elementwise infinity test."""
    return tf.math.is_inf(to_float(x))


def isfinite(x):
    """Elementwise finiteness test."""
    return tf.math.is_finite(to_float(x))


def _int_promote(x1, x2):
    x1, x2 = promote(x1, x2)
    if x1.dtype == tf.bool:
        x1, x2 = tf.cast(x1, tf.int32), tf.cast(x2, tf.int32)
    return x1, x2


def mod(x1, x2):
    """Floor remainder (sign of ``x2``)."""
    return tf.math.floormod(*_int_promote(x1, x2))


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    return tf.stop_gradient(tf.math.floordiv(*_int_promote(x1, x2)))


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (ints keep their dtype; bool -> int32)."""
    x = convert_to_tensor(x, dtype)
    if x.dtype == tf.bool:
        x = tf.cast(x, tf.int32)
    if axis is None:
        x, axis = tf.reshape(x, [-1]), 0
    if not x.dtype.is_floating:
        return tf.math.cumprod(x, axis=axis)
    return _cumprod_exact_grad(x, axis % x.shape.rank)


def _cumprod_exact_grad(x, axis):
    """tf's own cumprod gradient divides by ``x`` (NaN at zeros); this one is exact:
    d out_j / d x_i = prod_{k <= j, k != i} x_k for j >= i."""

    @tf.custom_gradient
    def forward(v):
        def backward(g):
            moved = tf.experimental.numpy.moveaxis(v, axis, -1)
            g_moved = tf.experimental.numpy.moveaxis(g, axis, -1)
            n = moved.shape[-1]
            eye = tf.eye(n, dtype=tf.bool)
            others = tf.where(eye, tf.ones([], v.dtype), moved[..., None, :])  # row i: x_i := 1
            partial = tf.math.cumprod(others, axis=-1)  # [..., i, j]
            upper = tf.linalg.band_part(tf.ones([n, n], v.dtype), 0, -1)  # j >= i
            grad = tf.reduce_sum(partial * upper * g_moved[..., None, :], axis=-1)
            return tf.experimental.numpy.moveaxis(grad, -1, axis)
        return tf.math.cumprod(v, axis=axis), backward
    return forward(x)


def nonzero(x):
    """Tuple of int32 index tensors of the non-zero entries (eager only)."""
    x = convert_to_tensor(x)
    where = tf.cast(tf.where(tf.not_equal(x, tf.zeros([], x.dtype))), tf.int32)
    return tuple(where[:, i] for i in range(x.shape.rank))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices into the sorted 1-D sequence."""
    sequence, values = promote(sorted_sequence, values)
    flat = tf.searchsorted(sequence, tf.reshape(values, [-1]), side=side, out_type=tf.int32)
    return tf.reshape(flat, tf.shape(values))


# ---------------------------------------------------------------------------- linear algebra


def _float_pair(a, b):
    return promote(to_float(a), to_float(b))


def _broadcast_batch(a, b):
    """Broadcast the batch dimensions of two stacks of matrices against each other."""
    batch = tf.broadcast_static_shape(a.shape[:-2], b.shape[:-2])
    return (tf.broadcast_to(a, batch.concatenate(a.shape[-2:])),
            tf.broadcast_to(b, batch.concatenate(b.shape[-2:])))


def inv(x):
    """Matrix inverse."""
    return tf.linalg.inv(to_float(x))


def solve(a, b):
    """Solve ``a @ x = b`` (``b`` (..., n, k) or (n,))."""
    a, b = _float_pair(a, b)
    if b.shape.rank == 1:
        return tf.linalg.solve(a, tf.broadcast_to(b[:, None], a.shape[:-1] + [1]))[..., 0]
    return tf.linalg.solve(*_broadcast_batch(a, b))


def det(x):
    """Determinant."""
    return tf.linalg.det(to_float(x))


def cholesky(x, upper=False):
    """Cholesky factor (lower, or its transpose when ``upper``)."""
    lower = tf.linalg.cholesky(to_float(x))
    return tf.linalg.matrix_transpose(lower) if upper else lower


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    q, r = tf.linalg.qr(to_float(x), full_matrices=mode == "complete")
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)`` (or only ``s``); TensorFlow returns ``v``, transposed here."""
    x = to_float(x)
    if not compute_uv:
        return tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    s, u, v = tf.linalg.svd(x, full_matrices=full_matrices, compute_uv=True)
    return u, s, tf.linalg.adjoint(v)


def eigh(x):
    """Symmetric eigen-decomposition ``(w, v)`` (lower triangle read)."""
    w, v = tf.linalg.eigh(to_float(x))
    return w, v


def solve_triangular(a, b, lower=False):
    """Triangular solve ``a @ x = b`` (only the named triangle of ``a`` read)."""
    a, b = _float_pair(a, b)
    a = tf.linalg.band_part(a, -1, 0) if lower else tf.linalg.band_part(a, 0, -1)
    if b.shape.rank == 1:
        rhs = tf.broadcast_to(b[:, None], a.shape[:-1] + [1])
        return tf.linalg.triangular_solve(a, rhs, lower=lower)[..., 0]
    return tf.linalg.triangular_solve(*_broadcast_batch(a, b), lower=lower)
