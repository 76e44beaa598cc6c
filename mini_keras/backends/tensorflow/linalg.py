"""tensorflow backend, linear algebra: inv, solve, det, cholesky, qr, svd, eigh, solve_triangular."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import promote, to_float


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


def eig_parts(x):
    """Real and imaginary parts of ``tf.linalg.eig`` (no gradient)."""
    x = tf.stop_gradient(to_float(x))
    w, v = tf.linalg.eig(x)
    return tuple(tf.cast(part, x.dtype) for part in (tf.math.real(w), tf.math.imag(w),
                                                      tf.math.real(v), tf.math.imag(v)))
