"""Neural-network ops of the numpy backend: activations and cross-entropies (convolution and
pooling are in :mod:`.conv`).

Every op computes its forward value on plain ndarrays and hands :func:`record` a ``backward(g)``
closure written right under it.
"""

from __future__ import annotations

import math

import numpy as np

from mini_keras.backends.numpy.autodiff import data, record
from mini_keras.common import settings as config

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _as_float(x) -> np.ndarray:
    """``data(x)`` as a float ndarray (Python numbers and integer arrays become floatx)."""
    a = data(x)
    if isinstance(a, (np.ndarray, np.generic)) and a.dtype.kind == "f":
        return np.asarray(a)
    return np.asarray(a, dtype=config.floatx())


def _sigmoid(a):
    e = np.exp(-np.abs(a))  # never overflows
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


_erf_object = np.frompyfunc(math.erf, 1, 1)


def _erf(a):
    return np.asarray(_erf_object(a)).astype(a.dtype)


def _log_softmax(a, axis):
    z = a - np.max(a, axis=axis, keepdims=True)
    z -= np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    return z


# ---------------------------------------------------------------------------- activations

def relu(x):
    """``max(x, 0)``."""
    a = _as_float(x)
    out = np.maximum(a, 0)

    def backward(g):
        return (g * (a > 0),)
    return record(out, (x,), backward)


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""
    s = _sigmoid(_as_float(x))

    def backward(g):
        return (g * s * (1 - s),)
    return record(s, (x,), backward)


def softplus(x):
    """``log(1 + exp(x))``, computed stably as ``log1p(exp(-|x|)) + max(x, 0)``."""
    a = _as_float(x)
    out = np.log1p(np.exp(-np.abs(a))) + np.maximum(a, 0)

    def backward(g):
        return (g * _sigmoid(a),)
    return record(out, (x,), backward)


def softsign(x):
    """``x / (1 + |x|)``."""
    a = _as_float(x)
    out = a / (1 + np.abs(a))

    def backward(g):
        return (g / (1 + np.abs(a)) ** 2,)
    return record(out, (x,), backward)


def silu(x):
    """``x * sigmoid(x)``."""
    a = _as_float(x)
    s = _sigmoid(a)
    out = a * s

    def backward(g):
        return (g * s * (1 + a * (1 - s)),)
    return record(out, (x,), backward)


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``, else exact erf)."""
    a = _as_float(x)
    if approximate:
        c = math.sqrt(2 / math.pi)
        t = np.tanh(c * (a + 0.044715 * a**3))
        out = 0.5 * a * (1 + t)

        def backward(g):
            d_inner = c * (1 + 3 * 0.044715 * a**2)
            return (g * (0.5 * (1 + t) + 0.5 * a * (1 - t * t) * d_inner),)
        return record(out, (x,), backward)

    cdf = 0.5 * (1 + _erf(a / math.sqrt(2)))
    out = a * cdf

    def backward_exact(g):
        pdf = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
        return (g * (cdf + a * pdf),)
    return record(out, (x,), backward_exact)


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    a = _as_float(x)
    negative = alpha * np.expm1(np.minimum(a, 0))
    out = np.where(a > 0, a, negative)

    def backward(g):
        return (np.where(a > 0, g, g * (negative + alpha)),)
    return record(out, (x,), backward)


def selu(x):
    """Scaled ELU with Keras' constants (alpha=1.67326324, scale=1.05070098)."""
    a = _as_float(x)
    negative = _SELU_ALPHA * np.expm1(np.minimum(a, 0))
    out = _SELU_SCALE * np.where(a > 0, a, negative)

    def backward(g):
        return (_SELU_SCALE * np.where(a > 0, g, g * (negative + _SELU_ALPHA)),)
    return record(out, (x,), backward)


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""
    a = _as_float(x)
    out = np.where(a > 0, a, negative_slope * a)

    def backward(g):
        return (np.where(a > 0, g, negative_slope * g),)
    return record(out, (x,), backward)


def softmax(x, axis=-1):
    """Softmax along ``axis``, computed stably."""
    s = np.exp(_log_softmax(_as_float(x), axis))

    def backward(g):
        return (s * (g - np.sum(g * s, axis=axis, keepdims=True)),)
    return record(s, (x,), backward)


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis``: ``x - max - log(sum(exp(x - max)))``."""
    out = _log_softmax(_as_float(x), axis)

    def backward(g):
        return (g - np.exp(out) * np.sum(g, axis=axis, keepdims=True),)
    return record(out, (x,), backward)


# ---------------------------------------------------------------------------- cross-entropies

def _clipped_log_probs(o, axis):
    """Keras' probability path: normalize along ``axis``, clip to [eps, 1-eps], take the log.

    Returns ``(log_p, vjp)`` where ``vjp(d_log_p)`` is the exact gradient w.r.t. ``o``.
    """
    eps = config.epsilon()
    total = np.sum(o, axis=axis, keepdims=True)
    p = o / total
    p_clipped = np.clip(p, eps, 1 - eps)

    def vjp(d_log_p):
        d_p = d_log_p / p_clipped * ((p >= eps) & (p <= 1 - eps))  # clip passes 1 inside, 0 out
        return (d_p - np.sum(d_p * p, axis=axis, keepdims=True)) / total  # through p = o / sum(o)
    return np.log(p_clipped), vjp


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample ``-sum(target * log(p))`` with one-hot/probability targets, over ``axis``.

    ``p`` is ``softmax(output)`` when ``from_logits``, else ``output`` normalized to sum 1 and
    clipped to ``[epsilon, 1 - epsilon]`` (Keras 3 semantics).
    """
    o = _as_float(output)
    t = _as_float(target).astype(o.dtype, copy=False)
    if t.shape != o.shape:
        raise ValueError("categorical_crossentropy: target and output must have the same shape, "
                         f"received target.shape={t.shape}, output.shape={o.shape}")
    if from_logits:
        log_p = _log_softmax(o, axis)
        loss = -np.sum(t * log_p, axis=axis)

        def backward(g):
            g = np.expand_dims(g, axis)
            softmax_ = np.exp(log_p)
            return -g * log_p, g * (softmax_ * np.sum(t, axis=axis, keepdims=True) - t)
        return record(loss, (target, output), backward)

    log_p, vjp = _clipped_log_probs(o, axis)
    loss = -np.sum(t * log_p, axis=axis)

    def backward_probs(g):
        g = np.expand_dims(g, axis)
        return -g * log_p, vjp(-g * t)
    return record(loss, (target, output), backward_probs)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer class ``target`` (a trailing size-1 dim is squeezed).

    Same probability rule as :func:`categorical_crossentropy`; no gradient w.r.t. ``target``.
    """
    o = _as_float(output)
    axis = axis % o.ndim
    labels = np.asarray(data(target))
    if labels.ndim == o.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != o.shape[:axis] + o.shape[axis + 1:]:
        raise ValueError("sparse_categorical_crossentropy: target shape must be output shape "
                         f"without the class axis {axis}, received target.shape={labels.shape}, "
                         f"output.shape={o.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= o.shape[axis]):
        raise ValueError(f"sparse_categorical_crossentropy: labels must lie in [0, "
                         f"{o.shape[axis]}), received values in [{labels.min()}, {labels.max()}]")
    classes = np.arange(o.shape[axis]).reshape([-1 if i == axis else 1 for i in range(o.ndim)])
    onehot = np.expand_dims(labels.astype(np.intp), axis) == classes  # bool, along `axis`
    log_p, vjp = (_log_softmax(o, axis), None) if from_logits else _clipped_log_probs(o, axis)
    loss = -np.sum(log_p, axis=axis, where=onehot)

    def backward(g):
        g = np.expand_dims(g, axis)
        if from_logits:  # d(-log softmax(o)[label]) / do = softmax(o) - onehot, fused
            return (g * (np.exp(log_p) - onehot),)
        return (vjp(-g * onehot),)
    return record(loss, (output,), backward)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[epsilon, 1 - epsilon]``)."""
    o = _as_float(output)
    t = _as_float(target).astype(o.dtype, copy=False)
    if from_logits:
        loss = np.maximum(o, 0) - o * t + np.log1p(np.exp(-np.abs(o)))

        def backward(g):
            return -g * o, g * (_sigmoid(o) - t)
        return record(loss, (target, output), backward)

    eps = config.epsilon()
    p = np.clip(o, eps, 1 - eps)
    log_p, log_1mp = np.log(p), np.log1p(-p)
    loss = -(t * log_p + (1 - t) * log_1mp)

    def backward_probs(g):
        inside = (o >= eps) & (o <= 1 - eps)
        return g * (log_1mp - log_p), g * ((1 - t) / (1 - p) - t / p) * inside
    return record(loss, (target, output), backward_probs)
