"""JAX backend: activations, cross-entropies, convolutions and pooling (Keras 3 semantics)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mini_keras.backends.jax.core import convert_to_tensor
from mini_keras.backends.jax.math import abs as _abs
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- activations


def relu(x):
    """``max(x, 0)``."""
    return jax.nn.relu(convert_to_tensor(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""
    return jax.nn.sigmoid(convert_to_tensor(x))


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    return jax.nn.softplus(convert_to_tensor(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return jax.nn.soft_sign(convert_to_tensor(x))


def silu(x):
    """``x * sigmoid(x)``."""
    return jax.nn.silu(convert_to_tensor(x))


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``)."""
    return jax.nn.gelu(convert_to_tensor(x), approximate=approximate)


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return jax.nn.elu(convert_to_tensor(x), alpha=alpha)


def selu(x):
    """Scaled ELU with Keras' constants (alpha=1.67326324, scale=1.05070098)."""
    return 1.05070098 * jax.nn.elu(convert_to_tensor(x), alpha=1.67326324)


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""
    return jax.nn.leaky_relu(convert_to_tensor(x), negative_slope=negative_slope)


def softmax(x, axis=-1):
    """Softmax along ``axis``, computed stably."""
    return jax.nn.softmax(convert_to_tensor(x), axis=axis)


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis``, computed stably."""
    return jax.nn.log_softmax(convert_to_tensor(x), axis=axis)


# ---------------------------------------------------------------------------- cross-entropies


def _log_probabilities(output, from_logits, axis):
    """``log_softmax(output)``, or ``log`` of the renormalized, clipped probabilities."""
    if from_logits:
        return jax.nn.log_softmax(output, axis=axis)
    eps = config.epsilon()
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    return jnp.log(jnp.clip(output, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy ``-sum(target * log p)`` with one-hot/probability targets."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: target and output must have the same shape, received "
            f"target.shape={target.shape}, output.shape={output.shape}.")
    if output.ndim < 1:
        raise ValueError("categorical_crossentropy: output must have at least one dimension.")
    return -jnp.sum(target * _log_probabilities(output, from_logits, axis), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer targets (a trailing target dim of 1 is squeezed)."""
    target, output = convert_to_tensor(target, "int32"), convert_to_tensor(output)
    if output.ndim < 1:
        raise ValueError(
            "sparse_categorical_crossentropy: output must have at least one dimension.")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = jnp.squeeze(target, axis=-1)
    expected = tuple(d for i, d in enumerate(output.shape) if i != axis % output.ndim)
    if target.shape != expected:
        raise ValueError(
            "sparse_categorical_crossentropy: target shape must be output shape without the "
            f"class axis, {expected}; received target.shape={target.shape}.")
    log_prob = _log_probabilities(output, from_logits, axis)
    one_hot = jax.nn.one_hot(target, output.shape[axis], dtype=output.dtype, axis=axis)
    return -jnp.sum(one_hot * log_prob, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[eps, 1 - eps]``)."""
    target, output = convert_to_tensor(target), convert_to_tensor(output)
    if target.shape != output.shape:
        raise ValueError(
            "binary_crossentropy: target and output must have the same shape, received "
            f"target.shape={target.shape}, output.shape={output.shape}.")
    if from_logits:
        x = output
        return jnp.maximum(x, 0.0) - x * target + jnp.log1p(jnp.exp(-_abs(x)))
    eps = config.epsilon()
    p = jnp.clip(output, eps, 1.0 - eps)
    return -(target * jnp.log(p) + (1.0 - target) * jnp.log(1.0 - p))


# ---------------------------------------------------------------------------- convolution


def _tuple(value, n, name):
    """Expand an int to an ``n``-tuple; check a sequence has ``n`` entries."""
    if isinstance(value, int | np.integer):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name}: expected {n} values (one per spatial dim), received {value}.")
    return value


def _layout(n, data_format):
    """Return (input/output spec, kernel spec, channels axis) for ``n`` spatial dims."""
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}.")
    spatial = "DHW"[-n:] if n <= 3 else None
    if spatial is None:
        raise ValueError(f"convolution/pooling supports 1 to 3 spatial dims, received {n}.")
    if data_format == "channels_last":
        return "N" + spatial + "C", spatial + "IO", -1
    return "NC" + spatial, spatial + "IO", 1


def _padding(padding, op):
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', received {padding!r}.")
    return padding.upper()


def _operands(inputs, kernel):
    """Convert both to tensors of one common dtype (XLA convolutions need equal dtypes)."""
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    common = jnp.result_type(inputs, kernel)
    return inputs.astype(common), kernel.astype(common)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel``: spatial dims + (in_channels / groups, out_channels)."""
    inputs, kernel = _operands(inputs, kernel)
    n = kernel.ndim - 2
    io_spec, kernel_spec, channels = _layout(n, data_format)
    numbers = jax.lax.conv_dimension_numbers(inputs.shape, kernel.shape,
                                             (io_spec, kernel_spec, io_spec))
    return jax.lax.conv_general_dilated(
        inputs, kernel, _tuple(strides, n, "conv strides"), _padding(padding, "conv"),
        rhs_dilation=_tuple(dilation_rate, n, "conv dilation_rate"),
        dimension_numbers=numbers,
        feature_group_count=inputs.shape[channels] // kernel.shape[-2])


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel``: spatial dims + (in_channels, depth_multiplier)."""
    inputs, kernel = _operands(inputs, kernel)
    n = kernel.ndim - 2
    io_spec, kernel_spec, channels = _layout(n, data_format)
    kernel = kernel.reshape(kernel.shape[:-2] + (1, kernel.shape[-2] * kernel.shape[-1]))
    numbers = jax.lax.conv_dimension_numbers(inputs.shape, kernel.shape,
                                             (io_spec, kernel_spec, io_spec))
    return jax.lax.conv_general_dilated(
        inputs, kernel, _tuple(strides, n, "depthwise_conv strides"),
        _padding(padding, "depthwise_conv"),
        rhs_dilation=_tuple(dilation_rate, n, "depthwise_conv dilation_rate"),
        dimension_numbers=numbers, feature_group_count=inputs.shape[channels])


def _transpose_padding(kernel_size, stride, dilation, padding, output_padding):
    """(before, after) padding of the dilated input that gives Keras' output length."""
    k = (kernel_size - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return k - 1, k - 1 + extra
    total = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    before = min(total // 2 + total % 2, k - 1)
    return before, total - before


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel``: spatial dims + (out_channels, in_channels) as Keras.

    Output length per spatial dim: ``in * s + max(k_eff - s, 0)`` ("valid") or ``in * s``
    ("same"), plus ``output_padding`` adjustments as in Keras.
    """
    inputs, kernel = _operands(inputs, kernel)
    n = kernel.ndim - 2
    io_spec, kernel_spec, _ = _layout(n, data_format)
    _padding(padding, "conv_transpose")
    strides = _tuple(strides, n, "conv_transpose strides")
    dilation = _tuple(dilation_rate, n, "conv_transpose dilation_rate")
    extra = (None,) * n if output_padding is None else _tuple(
        output_padding, n, "conv_transpose output_padding")
    pads = [_transpose_padding(kernel.shape[i], strides[i], dilation[i], padding, extra[i])
            for i in range(n)]
    numbers = jax.lax.conv_dimension_numbers(inputs.shape, kernel.shape,
                                             (io_spec, kernel_spec, io_spec))
    # transpose_kernel flips the spatial axes and swaps the (out, in) channel axes, which turns
    # Keras' kernel layout into the forward kernel of the equivalent dilated convolution.
    return jax.lax.conv_transpose(inputs, kernel, strides, pads, rhs_dilation=dilation,
                                  dimension_numbers=numbers, transpose_kernel=True)


# ---------------------------------------------------------------------------- pooling


def _window(inputs, pool_size, strides, data_format, op):
    """Window dims and strides over all axes (1 for batch and channels)."""
    n = inputs.ndim - 2
    _, _, channels = _layout(n, data_format)
    pool = _tuple(pool_size, n, f"{op} pool_size")
    step = pool if strides is None else _tuple(strides, n, f"{op} strides")
    full = (lambda s: (1,) + s + (1,)) if channels == -1 else (lambda s: (1, 1) + s)
    return full(pool), full(step)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; ``strides`` default to ``pool_size``."""
    inputs = convert_to_tensor(inputs)
    window, step = _window(inputs, pool_size, strides, data_format, "max_pool")
    # A Python scalar init (not an array) lets JAX see the max monoid, which it can differentiate.
    lowest = -np.inf if jnp.issubdtype(inputs.dtype, jnp.inexact) else int(
        jnp.iinfo(inputs.dtype).min)
    return jax.lax.reduce_window(inputs, lowest, jax.lax.max, window, step,
                                 _padding(padding, "max_pool"))


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding the average counts only real (unpadded) entries."""
    inputs = convert_to_tensor(inputs)
    window, step = _window(inputs, pool_size, strides, data_format, "average_pool")
    pad = _padding(padding, "average_pool")
    total = jax.lax.reduce_window(inputs, 0, jax.lax.add, window, step, pad)
    if pad == "VALID":
        return total / np.prod(window)
    ones = jnp.ones((1,) + inputs.shape[1:], inputs.dtype)
    count = jax.lax.reduce_window(ones, 0, jax.lax.add, window, step, pad)
    return total / count
