"""Keras 3's activation functions, each a thin wrapper over ``mini_keras.ops``.

Every function takes a tensor first and keeps its shape; the order of ``ALL`` is the order
Keras 3 documents them in, and the package's ``__all__`` and name lookup derive from it.
"""

from __future__ import annotations

from mini_keras import ops


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras' optional slope, ceiling and threshold.

    ``x`` above ``threshold`` (clipped to ``max_value``), else
    ``negative_slope * (x - threshold)``; the defaults give ``max(x, 0)``.

    Args:
        x: input tensor.
        negative_slope: slope below the threshold.
        max_value: the largest value returned (None: no ceiling).
        threshold: values at or below it are damped.
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ops.relu(x)  # the default, on every Dense(activation="relu"): nothing else
    x = ops.convert_to_tensor(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0.0:
        return ops.leaky_relu(x, negative_slope=negative_slope)
    dtype = ops.dtype(x)
    if threshold != 0.0:
        positive = ops.where(ops.greater(x, ops.cast(threshold, dtype)), x, ops.zeros((), dtype))
    else:
        positive = ops.relu(x)
    if max_value is not None:
        positive = ops.clip(positive, ops.cast(0.0, dtype), ops.cast(max_value, dtype))
    if negative_slope == 0.0:
        return positive
    negative = ops.relu(ops.add(ops.negative(x), ops.cast(threshold, dtype)))
    return ops.subtract(positive, ops.multiply(ops.cast(negative_slope, dtype), negative))


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` below."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return ops.relu6(x)


def softmax(x, axis=-1):
    """Softmax over ``axis``: ``exp(x) / sum(exp(x))``."""
    return ops.softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` below."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017)."""
    return ops.selu(x)


def softplus(x):
    """``log(1 + exp(x))``."""
    return ops.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return ops.softsign(x)


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0."""
    return ops.soft_shrink(x, threshold=threshold)


def sparse_plus(x):
    """0 below -1, ``(x + 1)^2 / 4`` in ``(-1, 1)``, ``x`` above 1."""
    return ops.sparse_plus(x)


def silu(x):
    """``x * sigmoid(x)`` (also called swish)."""
    return ops.silu(x)


def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``."""
    return ops.squareplus(x, b=b)


def gelu(x, approximate=False):
    """Gaussian error linear unit (Keras' activation default: the exact erf form)."""
    return ops.gelu(x, approximate=approximate)


def celu(x, alpha=1.0):
    """``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    return ops.celu(x, alpha=alpha)


def glu(x, axis=-1):
    """Gated linear unit: halves ``a, g`` of ``x`` along ``axis``; ``a * sigmoid(g)``."""
    return ops.glu(x, axis=axis)


def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


def tanh_shrink(x):
    """``x - tanh(x)``."""
    return ops.tanh_shrink(x)


def hard_tanh(x):
    """``clip(x, -1, 1)``."""
    return ops.hard_tanh(x)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0."""
    return ops.hard_shrink(x, threshold=threshold)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    return ops.threshold(x, threshold, default_value)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``."""
    return ops.sigmoid(x)


def exponential(x):
    """``exp(x)``."""
    return ops.exp(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``clip(x / 6 + 0.5, 0, 1)``."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (also called hard swish)."""
    return ops.hard_silu(x)


def linear(x):
    """The identity: returns ``x`` unchanged."""
    return x


def mish(x):
    """``x * tanh(softplus(x))`` (Misra, 2019)."""
    x = ops.convert_to_tensor(x)
    return ops.multiply(x, ops.tanh(ops.softplus(x)))


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return ops.log_sigmoid(x)


def log_softmax(x, axis=-1):
    """Log-softmax over ``axis``."""
    return ops.log_softmax(x, axis=axis)


def sparse_sigmoid(x):
    """0 below -1, ``(x + 1) / 2`` in between, 1 above 1."""
    return ops.sparse_sigmoid(x)


def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of ``x`` onto the probability simplex along ``axis``."""
    return ops.sparsemax(x, axis=axis)


swish = silu
hard_swish = hard_silu

ALL = (relu, leaky_relu, relu6, softmax, elu, selu, softplus, softsign, soft_shrink, sparse_plus,
       silu, squareplus, gelu, celu, glu, tanh, tanh_shrink, hard_tanh, hard_shrink, threshold,
       sigmoid, exponential, hard_sigmoid, hard_silu, linear, mish, log_sigmoid, log_softmax,
       sparse_sigmoid, sparsemax)
# Keras' second names for the same functions (a config may use either).
ALIASES = {"swish": silu, "hard_swish": hard_silu}

__all__ = [*(f.__name__ for f in ALL), *ALIASES]  # noqa: PLE0604
