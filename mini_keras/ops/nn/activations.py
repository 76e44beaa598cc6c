"""Activation functions of the nn family (relu, gelu, softmax, sparsemax...).

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras.ops.checks import (
    _fail,
    _float,
    _rank_axis,
)
from mini_keras.ops.declare import composite, exported, primitive


@primitive
def relu(x):
    ...


@primitive
def sigmoid(x):
    ...


@primitive
def softplus(x):
    ...


@primitive
def softsign(x):
    ...


@primitive
def silu(x):
    ...


@primitive
def gelu(x, approximate=True):
    ...


@primitive
def elu(x, alpha=1.0):
    ...


@primitive
def selu(x):
    ...


@primitive
def leaky_relu(x, negative_slope=0.2):
    ...


@primitive
def softmax(x, axis=-1):
    ...


@primitive
def log_softmax(x, axis=-1):
    ...


@composite
def relu6(x):
    """``min(max(x, 0), 6)``.

    Args:
        x: input tensor.
    """
    return ops.clip(_float(x), 0.0, 6.0)


@composite
def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``clip(x / 6 + 0.5, 0, 1)``.

    Args:
        x: input tensor.
    """
    return ops.clip(ops.add(ops.divide(_float(x), 6.0), 0.5), 0.0, 1.0)


@composite
def hard_silu(x):
    """``x * hard_sigmoid(x)``.

    Args:
        x: input tensor.
    """
    x = _float(x)
    return ops.multiply(x, ops.hard_sigmoid(x))


@composite(keras_class="HardSilu")
def hard_swish(x):
    """Alias of :func:`hard_silu`: ``x * hard_sigmoid(x)``.

    Args:
        x: input tensor.
    """
    return ops.hard_silu(x)


@composite
def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``, computed stably.

    Args:
        x: input tensor.
    """
    return ops.negative(ops.softplus(ops.negative(_float(x))))


@composite
def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)^2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``.

    Args:
        x: input tensor.
    """
    x = _float(x)
    quadratic = ops.multiply(ops.square(ops.add(x, 1.0)), 0.25)
    return ops.where(ops.less_equal(x, -1.0), ops.zeros((), ops.dtype(x)),
                   ops.where(ops.less(x, 1.0), quadratic, x))


@composite
def sparse_sigmoid(x):
    """0 for ``x <= -1``, ``(x + 1) / 2`` in between, 1 for ``x >= 1``.

    Args:
        x: input tensor.
    """
    return ops.clip(ops.multiply(ops.add(_float(x), 1.0), 0.5), 0.0, 1.0)


@composite
def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``, a smooth ReLU.

    Args:
        x: input tensor.
        b: smoothness (>= 0).
    """
    x = _float(x)
    return ops.multiply(ops.add(x, ops.sqrt(ops.add(ops.square(x), float(b)))), 0.5)


@composite
def celu(x, alpha=1.0):
    """``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``.

    Args:
        x: input tensor.
        alpha: scale of the negative part (non-zero).
    """
    if alpha == 0:
        _fail("celu", "`alpha` must be non-zero, received 0.")
    x = _float(x)
    negative = ops.multiply(ops.expm1(ops.divide(ops.minimum(x, 0.0), float(alpha))), float(alpha))
    return ops.add(ops.maximum(x, 0.0), negative)


@composite
def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in two halves ``a, g`` along ``axis``; ``a * sigmoid(g)``.

    Args:
        x: input tensor (``x.shape[axis]`` even).
        axis: the axis to split.
    """
    x = _float(x)
    shape = ops.shape(x)
    axis = _rank_axis("glu", axis, len(shape))
    if shape[axis] is not None and shape[axis] % 2:
        _fail("glu", f"`x`.shape[{axis}] must be even to split it in two halves, received "
                     f"shape {tuple(shape)}.")
    first, gate = ops.split(x, 2, axis=axis)
    return ops.multiply(first, ops.sigmoid(gate))


@composite
def hard_tanh(x):
    """``clip(x, -1, 1)``.

    Args:
        x: input tensor.
    """
    return ops.clip(_float(x), -1.0, 1.0)


@composite
def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0.

    Args:
        x: input tensor.
        threshold: the dead-zone half width.
    """
    x = _float(x)
    return ops.where(ops.greater(ops.abs(x), float(threshold)), x, ops.zeros((), ops.dtype(x)))


@composite
def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0.

    Args:
        x: input tensor.
        threshold: the dead-zone half width.
    """
    x = _float(x)
    t = float(threshold)
    zero = ops.zeros((), ops.dtype(x))
    return ops.where(ops.greater(x, t), ops.subtract(x, t),
                   ops.where(ops.less(x, -t), ops.add(x, t), zero))


@composite
def tanh_shrink(x):
    """``x - tanh(x)``.

    Args:
        x: input tensor.
    """
    x = _float(x)
    return ops.subtract(x, ops.tanh(x))


@composite
def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``.

    Args:
        x: input tensor.
        threshold: the cut-off.
        default_value: the value below it.
    """
    x = _float(x)
    return ops.where(ops.greater(x, float(threshold)), x, ops.full((), float(default_value), ops.dtype(x)))


@composite
def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    ``tau`` is ``(sum of the k largest entries - 1) / k`` for the support size ``k`` (Keras 3.15
    sums the running sums instead, which is wrong whenever ``k > 1``; this follows the paper).

    Args:
        x: input tensor (logits).
        axis: the axis that sums to one.
    """
    x = _float(x)
    rank = len(ops.shape(x))
    axis = _rank_axis("sparsemax", axis, rank)
    n = ops.shape(x)[axis]
    ranks = ops.reshape(ops.arange(1, n + 1, dtype=ops.dtype(x)),
                      [n if d == axis else 1 for d in range(rank)])
    ordered = ops.flip(ops.sort(x, axis=axis), axis=axis)  # descending
    cumulative = ops.cumsum(ordered, axis=axis)
    support = ops.greater(ops.subtract(ordered, ops.divide(ops.subtract(cumulative, 1.0), ranks)), 0.0)
    k = ops.sum(ops.cast(support, ops.dtype(x)), axis=axis, keepdims=True)
    kept = ops.where(support, ordered, ops.zeros((), ops.dtype(x)))  # the support is a prefix
    tau = ops.divide(ops.subtract(ops.sum(kept, axis=axis, keepdims=True), 1.0), k)
    return ops.maximum(ops.subtract(x, tau), 0.0)


@composite(keras_class="Silu")
def swish(x):
    """``x * sigmoid(x)`` (same as silu).

    Args:
        x: input tensor.
    """
    return ops.silu(x)


__all__ = [name for name in exported(__name__)]
