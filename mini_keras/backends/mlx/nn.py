"""MLX backend: activations, cross-entropies, convolutions and pooling (Keras 3 semantics).

Convolutions use ``mx.conv_general`` (MLX is channels-last, kernels ``(out, *spatial, in)``);
pooling is written from strided slices, which MLX differentiates.
"""

from __future__ import annotations

import math as _math

import mlx.core as mx

from mini_keras.backends.mlx.core import convert_to_tensor
from mini_keras.backends.mlx.math import abs as _abs
from mini_keras.backends.mlx.shapes import one_hot as _one_hot
from mini_keras.common import settings

# ---------------------------------------------------------------------------- activations


def relu(x):
    """``max(x, 0)`` (gradient 0 at 0)."""
    x = convert_to_tensor(x)
    return mx.where(x > 0, x, mx.zeros_like(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""
    return mx.sigmoid(convert_to_tensor(x))


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    x = convert_to_tensor(x)
    return mx.logaddexp(x, mx.zeros_like(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    x = convert_to_tensor(x)
    return x / (1 + mx.abs(x))


def silu(x):
    """``x * sigmoid(x)``."""
    x = convert_to_tensor(x)
    return x * mx.sigmoid(x)


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``)."""
    x = convert_to_tensor(x)
    if approximate:
        inner = _math.sqrt(2 / _math.pi) * (x + 0.044715 * x ** 3)
        return 0.5 * x * (1 + mx.tanh(inner))
    return 0.5 * x * (1 + mx.erf(x / _math.sqrt(2)))


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    x = convert_to_tensor(x)
    return mx.where(x > 0, x, alpha * mx.expm1(mx.minimum(x, 0)))


def selu(x):
    """Scaled ELU with Keras' constants (alpha=1.67326324, scale=1.05070098)."""
    return 1.05070098 * elu(x, alpha=1.67326324)


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""
    x = convert_to_tensor(x)
    return mx.where(x > 0, x, negative_slope * x)


def softmax(x, axis=-1):
    """Softmax along ``axis``, computed stably."""
    x = convert_to_tensor(x)
    shifted = x - mx.stop_gradient(mx.max(x, axis=axis, keepdims=True))
    e = mx.exp(shifted)
    return e / mx.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis``, computed stably."""
    x = convert_to_tensor(x)
    return x - mx.logsumexp(x, axis=axis, keepdims=True)


# ---------------------------------------------------------------------------- cross-entropies


def _log_probabilities(output, from_logits, axis):
    """``log_softmax(output)``, or ``log`` of the renormalized, clipped probabilities."""
    if from_logits:
        return log_softmax(output, axis=axis)
    eps = settings.epsilon()
    output = output / mx.sum(output, axis=axis, keepdims=True)
    return mx.log(mx.clip(output, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy ``-sum(target * log p)`` with one-hot/probability targets."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            "categorical_crossentropy: target and output must have the same shape, received "
            f"target.shape={target.shape}, output.shape={output.shape}.")
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: output must have at least one dimension.")
    return -mx.sum(target * _log_probabilities(output, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer targets (a trailing target dim of 1 is squeezed)."""
    target, output = convert_to_tensor(target, "int32"), convert_to_tensor(output)
    if output.ndim < 1:
        raise ValueError(
            "sparse_categorical_crossentropy: output must have at least one dimension.")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = mx.squeeze(target, axis=-1)
    expected = tuple(d for i, d in enumerate(output.shape) if i != axis % output.ndim)
    if tuple(target.shape) != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: target shape must be output shape without the "
            f"class axis, {expected}; received target.shape={target.shape}.")
    log_prob = _log_probabilities(output, from_logits, axis)
    one_hot = _one_hot(target, output.shape[axis], axis=axis).astype(output.dtype)
    return -mx.sum(one_hot * log_prob, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[eps, 1 - eps]``)."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            "binary_crossentropy: target and output must have the same shape, received "
            f"target.shape={target.shape}, output.shape={output.shape}.")
    if from_logits:
        x = output
        return mx.maximum(x, 0.0) - x * target + mx.log1p(mx.exp(-_abs(x)))
    eps = settings.epsilon()
    p = mx.clip(output, eps, 1.0 - eps)
    return -(target * mx.log(p) + (1.0 - target) * mx.log(1.0 - p))


