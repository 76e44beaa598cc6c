"""Ops written once in terms of other ops (identical on every backend)."""

from __future__ import annotations

from mini_keras.backends import current


def rsqrt(x):
    """``1 / sqrt(x)``."""
    b = current()
    return b.divide(1.0, b.sqrt(x))


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    b = current()
    return b.sqrt(b.var(x, axis=axis, keepdims=keepdims))


def swish(x):
    """``x * sigmoid(x)`` (same as silu)."""
    return current().silu(x)


def dot(x1, x2):
    """Dot product: matmul for 2-D operands, elementwise-sum for 1-D, numpy's rules."""
    return current().matmul(x1, x2)


def mean_squared_error(y_true, y_pred):
    """Mean of ``(y_true - y_pred) ** 2`` over the last axis."""
    b = current()
    return b.mean(b.square(b.subtract(y_true, y_pred)), axis=-1)
