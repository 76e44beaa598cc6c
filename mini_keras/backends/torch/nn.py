"""PyTorch backend: activations, cross-entropies, convolutions and pooling (Keras 3 semantics).

Images use Keras' layout: ``channels_last`` by default, kernels ``spatial + (in, out)``. Torch
wants channels first and kernels ``(out, in, *spatial)``, so each op permutes in and out, and
"same" padding is computed the TensorFlow way (extra padding after, when the total is odd).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from mini_keras.backends.torch.core import convert_to_tensor
from mini_keras.backends.torch.math import _as_float, clip
from mini_keras.backends.torch.shapes import _promote, one_hot
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- activations

def relu(x):
    """``max(x, 0)``."""
    return torch.relu(convert_to_tensor(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""
    return torch.sigmoid(_as_float(x))


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    return F.softplus(_as_float(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return F.softsign(_as_float(x))


def silu(x):
    """``x * sigmoid(x)``."""
    return F.silu(_as_float(x))


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``)."""
    return F.gelu(_as_float(x), approximate="tanh" if approximate else "none")


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    return F.elu(_as_float(x), alpha=alpha)


def selu(x):
    """Scaled ELU with Keras' constants (alpha=1.67326324, scale=1.05070098)."""
    return F.selu(_as_float(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""
    return F.leaky_relu(_as_float(x), negative_slope=negative_slope)


def softmax(x, axis=-1):
    """Softmax along ``axis`` (an int or a tuple), computed stably."""
    x = _as_float(x)
    if isinstance(axis, int):
        return F.softmax(x, dim=axis)
    return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis`` (an int or a tuple), computed stably."""
    x = _as_float(x)
    if isinstance(axis, int):
        return F.log_softmax(x, dim=axis)
    return x - torch.logsumexp(x, dim=tuple(axis), keepdim=True)


# ---------------------------------------------------------------------------- cross-entropies

def _log_probabilities(output, from_logits, axis):
    """``log p``: log-softmax of logits, or the log of renormalised, clipped probabilities."""
    if from_logits:
        return log_softmax(output, axis=axis)
    output = output / torch.sum(output, dim=axis, keepdim=True)
    eps = config.epsilon()
    return torch.log(clip(output, eps, 1.0 - eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy ``-sum(target * log p)`` over ``axis`` (Keras 3 rules)."""
    output = _as_float(output)
    target = convert_to_tensor(target).to(output.dtype)
    if target.shape != output.shape:
        raise ValueError(
            "categorical_crossentropy: target and output must have the same shape, received "
            f"{tuple(target.shape)} and {tuple(output.shape)}.")
    return -torch.sum(target * _log_probabilities(output, from_logits, axis), dim=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer targets (a trailing target dim of 1 is dropped)."""
    output = _as_float(output)
    target = convert_to_tensor(target).to(torch.long)
    if target.dim() == output.dim() and target.shape[-1] == 1:
        target = target.squeeze(-1)
    classes = output.shape[axis]
    target = one_hot(target, classes, axis=axis, dtype=str(output.dtype).removeprefix("torch."))
    return -torch.sum(target * _log_probabilities(output, from_logits, axis), dim=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[eps, 1 - eps]``)."""
    output = _as_float(output)
    target = convert_to_tensor(target).to(output.dtype)
    if from_logits:
        return torch.relu(output) - output * target + torch.log1p(torch.exp(-torch.abs(output)))
    eps = config.epsilon()
    output = clip(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))


# ---------------------------------------------------------------------------- layout helpers

def _tuple(value, rank: int) -> tuple:
    """An int or a sequence as a ``rank``-tuple of ints."""
    if isinstance(value, int):
        return (value,) * rank
    value = tuple(int(v) for v in value)
    if len(value) != rank:
        raise ValueError(f"expected an int or {rank} values, received {value}.")
    return value


def _channels_first(inputs, data_format):
    """Inputs as a channels-first tensor, and a function that restores the caller's layout."""
    x = convert_to_tensor(inputs)
    if (data_format or config.image_data_format()) == "channels_first":
        return x, lambda y: y
    rank = x.dim()
    x = x.permute(0, rank - 1, *range(1, rank - 1))
    return x, lambda y: y.permute(0, *range(2, rank), 1)


def _same_padding(size, kernel, stride, dilation=1) -> tuple:
    """TensorFlow's "same" padding for one spatial dim: (before, after), extra after."""
    effective = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _pad_spatial(x, pads, value=0.0):
    """Pad the spatial dims of a channels-first tensor with ``pads`` = ((before, after), ...)."""
    flat = [p for pair in reversed(pads) for p in pair]
    return F.pad(x, flat, value=value) if any(flat) else x


def _spatial_pads(x, kernel, strides, dilation, padding):
    """Per-dim (before, after) padding for "valid" or "same"."""
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', received {padding!r}.")
    spatial = x.shape[2:]
    if padding == "valid":
        return [(0, 0)] * len(spatial)
    return [_same_padding(n, k, s, d) for n, k, s, d in zip(spatial, kernel, strides, dilation)]


_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _rank(x) -> int:
    rank = x.dim() - 2
    if rank not in _CONV:
        raise ValueError(f"expected 1-D, 2-D or 3-D inputs with batch and channel dims, "
                         f"received shape {tuple(x.shape)}.")
    return rank


def _kernel_to_torch(kernel, rank):
    """Keras kernel ``spatial + (a, b)`` -> torch ``(b, a, *spatial)``."""
    return kernel.permute(rank + 1, rank, *range(rank))


# ---------------------------------------------------------------------------- convolutions

def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel`` is spatial dims + (in_channels / groups, out_channels)."""
    x, restore = _channels_first(inputs, data_format)
    rank = _rank(x)
    x, kernel = _promote(_as_float(x), convert_to_tensor(kernel))
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    pads = _spatial_pads(x, kernel.shape[:rank], strides, dilation, padding)
    groups = x.shape[1] // kernel.shape[rank]
    y = _CONV[rank](_pad_spatial(x, pads), _kernel_to_torch(kernel, rank),
                    stride=strides, dilation=dilation, groups=groups)
    return restore(y)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel`` is spatial dims + (in_channels, depth_multiplier).

    Output channel ``c * depth_multiplier + m`` comes from input channel ``c``, multiplier ``m``.
    """
    x, restore = _channels_first(inputs, data_format)
    rank = _rank(x)
    x, kernel = _promote(_as_float(x), convert_to_tensor(kernel))
    in_channels, multiplier = kernel.shape[rank], kernel.shape[rank + 1]
    kernel = kernel.reshape(*kernel.shape[:rank], 1, in_channels * multiplier)
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    pads = _spatial_pads(x, kernel.shape[:rank], strides, dilation, padding)
    y = _CONV[rank](_pad_spatial(x, pads), _kernel_to_torch(kernel, rank),
                    stride=strides, dilation=dilation, groups=in_channels)
    return restore(y)


def _transpose_length(size, kernel, stride, dilation, padding, output_padding):
    """Keras' ``deconv_output_length`` and TF's crop before: (output length, crop before)."""
    effective = (kernel - 1) * dilation + 1
    if output_padding is None and padding == "valid":
        length = size * stride + max(effective - stride, 0)
    elif output_padding is None:
        length = size * stride
    else:
        pad = effective // 2 if padding == "same" else 0
        length = (size - 1) * stride + effective - 2 * pad + output_padding
    total = max((size - 1) * stride + effective - length, 0) if padding == "same" else 0
    return length, total // 2


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel`` is spatial dims + (out_channels, in_channels).

    Matches TF's ``conv_transpose``: the full transposed convolution is computed, then cropped
    (or zero-extended) to Keras' output length.
    """
    x, restore = _channels_first(inputs, data_format)
    rank = _rank(x)
    x, kernel = _promote(_as_float(x), convert_to_tensor(kernel))
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    extra = [None] * rank if output_padding is None else _tuple(output_padding, rank)
    padding = padding.lower()
    full = _CONV_T[rank](x, _kernel_to_torch(kernel, rank), stride=strides, dilation=dilation)
    for dim in range(rank):
        length, before = _transpose_length(x.shape[2 + dim], kernel.shape[dim], strides[dim],
                                           dilation[dim], padding, extra[dim])
        axis = 2 + dim
        missing = max(before + length - full.shape[axis], 0)
        if missing:
            widths = [0, 0] * (full.dim() - 1 - axis) + [0, missing]
            full = F.pad(full, widths)
        full = full.narrow(axis, before, length)
    return restore(full)


# ---------------------------------------------------------------------------- pooling

def _pool_args(x, pool_size, strides, padding):
    rank = _rank(x)
    pool = _tuple(pool_size, rank)
    strides = pool if strides is None else _tuple(strides, rank)
    pads = _spatial_pads(x, pool, strides, (1,) * rank, padding)
    return rank, pool, strides, pads


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; ``strides`` default to ``pool_size``; "same" pads with -inf like TF."""
    x, restore = _channels_first(inputs, data_format)
    rank, pool, strides, pads = _pool_args(x, pool_size, strides, padding)
    x = _as_float(x)
    y = _MAX_POOL[rank](_pad_spatial(x, pads, value=-math.inf), pool, stride=strides)
    return restore(y)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding the average counts only real entries."""
    x, restore = _channels_first(inputs, data_format)
    rank, pool, strides, pads = _pool_args(x, pool_size, strides, padding)
    x = _as_float(x)
    y = _AVG_POOL[rank](_pad_spatial(x, pads), pool, stride=strides)
    if any(p for pair in pads for p in pair):
        ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
        y = y / _AVG_POOL[rank](_pad_spatial(ones, pads), pool, stride=strides)
    return restore(y)
