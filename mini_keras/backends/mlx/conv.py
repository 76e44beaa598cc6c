"""MLX backend: convolutions (``mx.conv_general``) and pooling (strided slices), Keras layouts.

MLX convolves channels-last inputs with ``(out, *spatial, in / groups)`` kernels; Keras kernels
are ``(*spatial, in / groups, out)``, so they are transposed here. ``channels_first`` inputs are
moved to channels-last and back.
"""

from __future__ import annotations

import builtins
import itertools

import mlx.core as mx
import numpy as np

from mini_keras.backends.mlx.core import convert_to_tensor, result_dtype
from mini_keras.common import settings


def _tuple(value, n, name):
    """Expand an int to an ``n``-tuple; check a sequence has ``n`` entries."""
    if isinstance(value, int | np.integer):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name}: expected {n} values (one per spatial dim), received {value}.")
    return value


def _channels_last(data_format):
    data_format = data_format or settings.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError("data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}.")
    return data_format == "channels_last"


def _to_last(x, last):
    return x if last else mx.moveaxis(x, 1, -1)


def _from_last(x, last):
    return x if last else mx.moveaxis(x, -1, 1)


def _check_padding(padding, op):
    if padding not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', received {padding!r}.")


def _same_pads(sizes, kernel, strides, dilation):
    """(before, after) per spatial dim for "same" padding (TF/Keras convention)."""
    pads = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        k_eff = (k - 1) * d + 1
        total = max((-(-size // s) - 1) * s + k_eff - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _operands(inputs, kernel):
    inputs, kernel = convert_to_tensor(inputs), convert_to_tensor(kernel)
    common = result_dtype(inputs.dtype, kernel.dtype)
    return inputs.astype(common), kernel.astype(common)


def _conv(x, w, strides, pads, dilation, groups):
    """``mx.conv_general`` on channels-last ``x`` with a Keras-layout kernel ``w``."""
    if x.dtype == mx.float64 or (groups != 1 and x.ndim > 4):  # MLX: grouped only in 1-D/2-D
        return _conv_from_slices(x, w, strides, pads, dilation, groups)
    weight = mx.moveaxis(w, -1, 0)  # (out, *spatial, in/groups)
    low, high = [p[0] for p in pads], [p[1] for p in pads]
    return mx.conv_general(x, weight, stride=list(strides), padding=(low, high),
                           kernel_dilation=list(dilation), groups=groups)


def _conv_from_slices(x, w, strides, pads, dilation, groups):
    """The convolution as a sum over kernel offsets of strided slices times the kernel tap.

    MLX 0.32's CPU convolution has no float64 kernel for grouped convolutions nor for the
    input-dilated convolution its strided-conv gradient uses, and groups only 1-D/2-D
    convolutions; this form is exact and differentiates through slicing and ``einsum``.
    """
    n = x.ndim - 2
    if any(p != (0, 0) for p in pads):
        x = mx.pad(x, [(0, 0)] + list(pads) + [(0, 0)])
    taps = w.shape[:n]
    out_len = [(x.shape[1 + i] - (taps[i] - 1) * dilation[i] - 1) // strides[i] + 1
               for i in range(n)]
    c_in, c_out = w.shape[-2], w.shape[-1]
    total = None
    for offset in itertools.product(*(range(k) for k in taps)):
        index = tuple(slice(o * d, o * d + (m - 1) * s + 1, s)
                      for o, d, m, s in zip(offset, dilation, out_len, strides))
        view = x[(slice(None),) + index]
        view = view.reshape(tuple(view.shape[:-1]) + (groups, c_in))
        tap = w[offset].reshape(c_in, groups, c_out // groups)
        term = mx.einsum("...gi,igo->...go", view, tap)
        total = term if total is None else total + term
    return total.reshape(tuple(total.shape[:-2]) + (c_out,))


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel``: spatial dims + (in_channels / groups, out_channels)."""
    inputs, kernel = _operands(inputs, kernel)
    n, last = kernel.ndim - 2, _channels_last(data_format)
    _check_padding(padding, "conv")
    x = _to_last(inputs, last)
    strides = _tuple(strides, n, "conv strides")
    dilation = _tuple(dilation_rate, n, "conv dilation_rate")
    pads = (_same_pads(x.shape[1:-1], kernel.shape[:n], strides, dilation)
            if padding == "same" else [(0, 0)] * n)
    groups = x.shape[-1] // kernel.shape[-2]
    return _from_last(_conv(x, kernel, strides, pads, dilation, groups), last)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel``: spatial dims + (in_channels, depth_multiplier)."""
    inputs, kernel = _operands(inputs, kernel)
    kernel = kernel.reshape(tuple(kernel.shape[:-2]) + (1, kernel.shape[-2] * kernel.shape[-1]))
    return conv(inputs, kernel, strides, padding, data_format, dilation_rate)


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

    Written as the equivalent forward convolution of the stride-dilated input with the
    spatially flipped kernel whose channel axes are swapped.
    """
    inputs, kernel = _operands(inputs, kernel)
    n, last = kernel.ndim - 2, _channels_last(data_format)
    _check_padding(padding, "conv_transpose")
    strides = _tuple(strides, n, "conv_transpose strides")
    dilation = _tuple(dilation_rate, n, "conv_transpose dilation_rate")
    extra = (None,) * n if output_padding is None else _tuple(
        output_padding, n, "conv_transpose output_padding")
    pads = [_transpose_padding(kernel.shape[i], strides[i], dilation[i], padding, extra[i])
            for i in range(n)]
    flipped = kernel[tuple(slice(None, None, -1) for _ in range(n))]
    flipped = mx.swapaxes(flipped, -1, -2)  # (*spatial, in, out) of the forward conv
    x = _dilate(_to_last(inputs, last), strides)
    out = _conv(x, flipped, (1,) * n, pads, dilation, 1)
    return _from_last(out, last)


def _dilate(x, strides):
    """Insert ``stride - 1`` zeros between the entries of each spatial axis of channels-last
    ``x``. (``conv_general``'s own ``input_dilation`` gives input gradients of the wrong shape
    in MLX 0.32, so the dilation is written from pad + reshape, which differentiate exactly.)"""
    for axis, s in enumerate(strides, start=1):
        if s == 1:
            continue
        length = x.shape[axis]
        x = mx.expand_dims(x, axis + 1)
        widths = [(0, 0)] * x.ndim
        widths[axis + 1] = (0, s - 1)
        x = mx.pad(x, widths)
        shape = list(x.shape)
        x = x.reshape(shape[:axis] + [length * s] + shape[axis + 2:])
        x = x[(builtins.slice(None),) * axis + (builtins.slice(0, (length - 1) * s + 1),)]
    return x


# ---------------------------------------------------------------------------- pooling


def _windows(x, pool, step, pads, fill):
    """Every window offset of channels-last ``x`` as a list of strided slices (one per offset)."""
    n = x.ndim - 2
    if any(p != (0, 0) for p in pads):
        x = mx.pad(x, [(0, 0)] + list(pads) + [(0, 0)], constant_values=fill)
    sizes = x.shape[1:-1]
    out_len = [(sizes[i] - pool[i]) // step[i] + 1 for i in range(n)]
    views = []
    for offset in itertools.product(*(range(p) for p in pool)):
        index = tuple(slice(o, o + (m - 1) * s + 1, s) for o, m, s in zip(offset, out_len, step))
        views.append(x[(slice(None),) + index])
    return views


def _pool_setup(inputs, pool_size, strides, padding, data_format, op):
    inputs = convert_to_tensor(inputs)
    n, last = inputs.ndim - 2, _channels_last(data_format)
    _check_padding(padding, op)
    pool = _tuple(pool_size, n, f"{op} pool_size")
    step = pool if strides is None else _tuple(strides, n, f"{op} strides")
    x = _to_last(inputs, last)
    pads = (_same_pads(x.shape[1:-1], pool, step, (1,) * n) if padding == "same"
            else [(0, 0)] * n)
    return x, pool, step, pads, last


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; ``strides`` default to ``pool_size``."""
    x, pool, step, pads, last = _pool_setup(inputs, pool_size, strides, padding, data_format,
                                            "max_pool")
    lowest = -np.inf if mx.issubdtype(x.dtype, mx.inexact) else int(np.iinfo(
        np.dtype(str(x.dtype).split(".")[-1])).min)
    views = _windows(x, pool, step, pads, lowest)
    out = views[0]
    for v in views[1:]:
        out = mx.maximum(out, v)
    return _from_last(out, last)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding the average counts only real (unpadded) entries."""
    x, pool, step, pads, last = _pool_setup(inputs, pool_size, strides, padding, data_format,
                                            "average_pool")
    total = sum(_windows(x, pool, step, pads, 0))
    if padding == "valid":
        return _from_last(total / int(np.prod(pool)), last)
    ones = mx.ones([1] + list(x.shape[1:-1]) + [1], dtype=x.dtype)
    count = sum(_windows(ones, pool, step, pads, 0))
    return _from_last(total / count, last)
