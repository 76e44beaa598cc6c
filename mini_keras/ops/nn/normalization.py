"""Statistics and normalization: moments, batch/layer/RMS normalization, normalize.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import numbers

from mini_keras import config, ops
from mini_keras.ops.checks import (
    _fail,
    _float,
    _rank_axis,
)
from mini_keras.ops.declare import composite, exported, unwrap


def _compute_float32(x):
    original = ops.dtype(x)
    return (ops.cast(x, "float32") if original in ("float16", "bfloat16") else x), original


def _broadcast_stat(v, shape, axis):
    if v is None:
        return None
    v = ops.convert_to_tensor(unwrap(v))
    return ops.reshape(v, [shape[axis] if d == axis else 1 for d in range(len(shape))])


def _axes_tuple(op, axes, rank):
    axes = (axes,) if isinstance(axes, numbers.Integral) else tuple(axes)
    return tuple(sorted(_rank_axis(op, a, rank, "axes") for a in axes))


@composite
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and (population) variance of ``x`` over ``axes``.

    float16 inputs are reduced in float32 and cast back. There is a single device here, so
    ``synchronized`` changes nothing.

    Args:
        x: input tensor.
        axes: int or sequence of ints to reduce.
        keepdims: keep reduced axes with size 1.
        synchronized: accepted for Keras compatibility.

    Returns:
        ``(mean, variance)``.
    """
    x = _float(x)
    axes = _axes_tuple("moments", axes, len(ops.shape(x)))
    original = ops.dtype(x)
    if original in ("float16", "bfloat16"):
        x = ops.cast(x, "float32")
    mean = ops.mean(x, axis=axes, keepdims=True)
    variance = ops.mean(ops.square(ops.subtract(x, mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = ops.squeeze(mean, axis=axes), ops.squeeze(variance, axis=axes)
    return ops.cast(mean, original), ops.cast(variance, original)


@composite(keras_class="BatchNorm")
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with 1-D statistics on ``axis``.

    Args:
        x: input tensor.
        mean, variance: 1-D tensors of length ``x.shape[axis]``.
        axis: the feature axis.
        offset, scale: optional 1-D tensors (beta, gamma).
        epsilon: added to the variance.
    """
    x = _float(x)
    shape = ops.shape(x)
    axis = _rank_axis("batch_normalization", axis, len(shape))
    for name, v in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
        if v is not None and tuple(ops.shape(unwrap(v))) != (shape[axis],):
            _fail("batch_normalization", f"`{name}` must have shape ({shape[axis]},) to match "
                  f"x.shape[{axis}], received {tuple(ops.shape(unwrap(v)))}.")
    mean, variance, offset, scale = (_broadcast_stat(v, shape, axis)
                                     for v in (mean, variance, offset, scale))
    inv = ops.divide(1.0, ops.sqrt(ops.add(variance, float(epsilon))))
    if scale is not None:
        inv = ops.multiply(inv, scale)
    shift = ops.negative(ops.multiply(mean, inv))
    if offset is not None:
        shift = ops.add(shift, offset)
    return ops.add(ops.multiply(x, inv), shift)


@composite
def normalize(x, axis=-1, order=2, epsilon=None):
    """``x / max(norm(x, order), epsilon)`` along ``axis``.

    Args:
        x: input tensor.
        axis: the axis (or axes) of the norm.
        order: the norm's order (int >= 1).
        epsilon: lower bound of the norm (``config.epsilon()`` by default).
    """
    if not isinstance(order, numbers.Integral) or isinstance(order, bool) or order < 1:
        _fail("normalize", f"`order` must be an int >= 1, received {order!r}.")
    x = _float(x)
    if len(ops.shape(x)) == 0:
        x = ops.expand_dims(x, 0)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = ops.divide(1.0, ops.sqrt(ops.sum(ops.square(x), axis=axis, keepdims=True)))
        return ops.multiply(x, ops.minimum(inv, 1.0 / epsilon))
    norm = ops.power(ops.sum(ops.power(ops.abs(x), float(order)), axis=axis, keepdims=True),
                   1.0 / order)
    return ops.divide(x, ops.maximum(norm, float(epsilon)))


@composite(keras_class="LayerNorm")
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` with statistics over ``axis``.

    Args:
        x: input tensor.
        gamma, beta: optional scale and offset, shaped like the normalized axes.
        axis: int or sequence of ints.
        epsilon: added to the variance (``config.epsilon()`` by default).
        **kwargs: ``rms_scaling=True`` (deprecated in Keras) skips the centering.
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        _fail("layer_normalization", f"unexpected arguments {sorted(kwargs)}.", TypeError)
    x, original = _compute_float32(_float(x))
    shape = ops.shape(x)
    axes = _axes_tuple("layer_normalization", axis, len(shape))
    epsilon = config.epsilon() if epsilon is None else epsilon
    target = [shape[d] if d in axes else 1 for d in range(len(shape))]

    def fit(v):
        return None if v is None else ops.reshape(ops.cast(unwrap(v), ops.dtype(x)), target)
    gamma, beta = fit(gamma), fit(beta)
    mean, variance = ops.moments(x, axes, keepdims=True)
    inv = ops.divide(1.0, ops.sqrt(ops.add(variance, float(epsilon))))
    out = ops.multiply(x if rms_scaling else ops.subtract(x, mean), inv)
    if gamma is not None:
        out = ops.multiply(out, gamma)
    if beta is not None and not rms_scaling:
        out = ops.add(out, beta)
    return ops.cast(out, original)


@composite(keras_class="RMSNorm")
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x^2) + epsilon) * scale`` over ``axis``.

    Args:
        x: input tensor.
        scale: optional multiplier (shaped like the normalized axes, or broadcastable).
        axis: int or sequence of ints.
        epsilon: added to the mean square (``config.epsilon()`` by default).
    """
    x, original = _compute_float32(_float(x))
    if len(ops.shape(x)) == 0:
        x = ops.expand_dims(x, 0)
    axes = _axes_tuple("rms_normalization", axis, len(ops.shape(x)))
    epsilon = config.epsilon() if epsilon is None else epsilon
    mean_square = ops.mean(ops.square(x), axis=axes, keepdims=True)
    out = ops.multiply(x, ops.divide(1.0, ops.sqrt(ops.add(mean_square, float(epsilon)))))
    if scale is not None:
        out = ops.multiply(out, ops.cast(unwrap(scale), ops.dtype(x)))
    return ops.cast(out, original)


__all__ = [name for name in exported(__name__)]
