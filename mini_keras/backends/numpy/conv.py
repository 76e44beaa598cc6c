"""Convolution and pooling of the numpy backend.

Convolutions use im2col (a strided window view copied once into a matrix) and one batched BLAS
``matmul``; their input gradient scatters back with one vectorized add per kernel tap (col2im),
never a loop over pixels. Every op hands :func:`record` a ``backward(g)`` closure written right
under it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from mini_keras.backends.numpy.autodiff import Tensor, record
from mini_keras.backends.numpy.nn import _as_float
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- geometry & layout

class _Geometry(NamedTuple):
    """How a sliding-window op walks its (channels-last, padded) input."""

    ksize: tuple
    strides: tuple
    dilation: tuple
    pads: tuple  # ((before, after), ...) per spatial dim
    groups: int = 1


def _ints(value, n, name):
    values = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != n:
        raise ValueError(f"{name}: expected an int or {n} ints, received {value!r}")
    return tuple(int(v) for v in values)


def _geometry(op, spatial, ksize, strides, padding, dilation, groups=1):
    """Build a :class:`_Geometry`; "same" pads as TF: total = (ceil(n/s)-1)*s + span - n."""
    nd = len(spatial)
    strides, dilation = _ints(strides, nd, f"{op} strides"), _ints(dilation, nd, f"{op} dilation")
    spans = [(k - 1) * d + 1 for k, d in zip(ksize, dilation)]
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding == "valid":
        pads = ((0, 0),) * nd
    elif padding == "same":
        totals = [max((-(-n // s) - 1) * s + span - n, 0)
                  for n, s, span in zip(spatial, strides, spans)]
        pads = tuple((t // 2, t - t // 2) for t in totals)
    else:
        raise ValueError(f"{op}: padding must be 'valid' or 'same', received {padding!r}")
    for n, (b, a), span in zip(spatial, pads, spans):
        if n + b + a < span:
            raise ValueError(f"{op}: window of size {span} (dilated) is larger than the padded "
                             f"input of size {n + b + a}")
    return _Geometry(tuple(ksize), strides, dilation, pads, groups)


def _channels_first(op, data_format):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{op}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}")
    return data_format == "channels_first"


def _to_last(a, first):
    return np.moveaxis(a, 1, -1) if first else a


def _from_last(a, first):
    return np.moveaxis(a, -1, 1) if first else a


def _pad(x, geom, value=0):
    if not any(b or a for b, a in geom.pads):
        return x
    return np.pad(x, ((0, 0), *geom.pads, (0, 0)), constant_values=value)


def _crop(xp, geom, spatial):
    return xp[(slice(None),) + tuple(slice(b, b + n) for (b, _), n in zip(geom.pads, spatial))]


def _windows(xp, geom):
    """Strided view ``(N, *out, C, *ksize)`` of every window of the padded input (no copy)."""
    nd = len(geom.ksize)
    spans = tuple((k - 1) * d + 1 for k, d in zip(geom.ksize, geom.dilation))
    view = sliding_window_view(xp, spans, axis=tuple(range(1, nd + 1)))
    every = (slice(None),)
    return view[every + tuple(slice(None, None, s) for s in geom.strides) + every
                + tuple(slice(None, None, d) for d in geom.dilation)]


def _padded_shape(shape, geom):
    """Shape ``(N, *spatial, C)`` after padding the spatial dims."""
    return (shape[0], *[n + b + a for n, (b, a) in zip(shape[1:-1], geom.pads)], *shape[-1:])


def _out_spatial(spatial, geom):
    """Output spatial shape of a sliding-window op over ``spatial`` (unpadded) dims."""
    return tuple((n + b + a - (k - 1) * d - 1) // s + 1 for n, (b, a), k, s, d
                 in zip(spatial, geom.pads, geom.ksize, geom.strides, geom.dilation))


def _tap(offset, out, geom):
    """Index of the padded-input entries that kernel tap ``offset`` reads, over all outputs."""
    return (slice(None),) + tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                                  for i, o, s, d in zip(offset, out, geom.strides, geom.dilation))


# ---------------------------------------------------------------------------- convolution core

def _kernel_matrix(w, groups):
    """Kernel ``(*k, Cg, Cout)`` as ``(groups, prod(k) * Cg, Cout / groups)``."""
    nd = w.ndim - 2
    w = np.moveaxis(w.reshape(*w.shape[:-1], groups, -1), nd + 1, 0)  # (G, *k, Cg, Og)
    return w.reshape(groups, -1, w.shape[-1])


def _conv_forward(x, w, geom):
    """Channels-last conv: returns the output ``(N, *out, Cout)`` and the im2col matrix."""
    nd, groups = x.ndim - 2, geom.groups
    view = _windows(_pad(x, geom), geom)                       # (N, *out, C, *k)
    n, out = view.shape[0], view.shape[1:nd + 1]
    view = view.reshape(n, *out, groups, -1, *geom.ksize)      # (N, *out, G, Cg, *k)
    order = (nd + 1, 0, *range(1, nd + 1), *range(nd + 3, 2 * nd + 3), nd + 2)
    cols = view.transpose(order).reshape(groups, n * math.prod(out), -1)  # (G, N*O, K*Cg) copy
    y = cols @ _kernel_matrix(w, groups)                       # (G, N*O, Og)
    return y.transpose(1, 0, 2).reshape(n, *out, -1), cols


def _by_group(g, groups):
    """Output gradient ``(N, *out, Cout)`` as ``(groups, N*O, Cout / groups)``."""
    return g.reshape(-1, groups, g.shape[-1] // groups).transpose(1, 0, 2)


def _conv_input_grad(g, w, x_shape, geom):
    """Gradient of the conv w.r.t. its input of shape ``x_shape`` (col2im of ``g @ W^T``)."""
    nd, groups = len(x_shape) - 2, geom.groups
    n, out = g.shape[0], g.shape[1:nd + 1]
    d_cols = _by_group(g, groups) @ _kernel_matrix(w, groups).transpose(0, 2, 1)
    d_cols = np.moveaxis(d_cols.reshape(groups, n, *out, *geom.ksize, -1), 0, -2)
    padded = _padded_shape(x_shape, geom)[:-1]
    dxp = np.zeros((*padded, groups, x_shape[-1] // groups), d_cols.dtype)
    for offset in np.ndindex(*geom.ksize):
        dxp[_tap(offset, out, geom)] += d_cols[(slice(None),) * (nd + 1) + offset]
    return _crop(dxp, geom, x_shape[1:-1]).reshape(x_shape)


def _conv_kernel_grad(cols, g, w_shape, groups):
    """Gradient of the conv w.r.t. its kernel: ``cols^T @ g`` per group."""
    dw = cols.transpose(0, 2, 1) @ _by_group(g, groups)       # (G, K*Cg, Og)
    dw = dw.reshape(groups, *w_shape[:-1], -1)                 # (G, *k, Cg, Og)
    return np.moveaxis(dw, 0, -2).reshape(w_shape)


def _prepare(op, inputs, kernel, data_format):
    """Channels-last input and kernel of one float dtype, checked to have matching ranks."""
    first = _channels_first(op, data_format)
    x, w = _to_last(_as_float(inputs), first), _as_float(kernel)
    if x.ndim != w.ndim or x.ndim < 3:
        raise ValueError(f"{op}: expected inputs of rank N+2 and a kernel of rank N+2 (N>=1), "
                         f"received inputs.shape={x.shape}, kernel.shape={w.shape}")
    dtype = np.result_type(x, w)
    return first, x.astype(dtype, copy=False), w.astype(dtype, copy=False)


# ---------------------------------------------------------------------------- convolution ops

def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel``: spatial dims + (in_channels / groups, out_channels)."""
    first, x, w = _prepare("conv", inputs, kernel, data_format)
    channels, group_size = x.shape[-1], w.shape[-2]
    groups = channels // group_size
    if channels % group_size or w.shape[-1] % groups:
        raise ValueError(f"conv: {channels} input channels do not split into groups of "
                         f"kernel.shape[-2]={group_size} with kernel.shape[-1]={w.shape[-1]} "
                         "output channels")
    geom = _geometry("conv", x.shape[1:-1], w.shape[:-2], strides, padding, dilation_rate, groups)
    y, cols = _conv_forward(x, w, geom)

    def backward(g):
        g = _to_last(g, first)
        dx = _conv_input_grad(g, w, x.shape, geom) if isinstance(inputs, Tensor) else None
        dw = _conv_kernel_grad(cols, g, w.shape, groups) if isinstance(kernel, Tensor) else None
        return None if dx is None else _from_last(dx, first), dw
    return record(_from_last(y, first), (inputs, kernel), backward)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel``: spatial dims + (in_channels, depth_multiplier).

    Output channel ``c * depth_multiplier + m`` is input channel ``c`` filtered by
    ``kernel[..., c, m]`` (as Keras/TF). One channel per group leaves nothing for BLAS, so this
    is a single einsum over the window view instead of im2col.
    """
    first, x, w = _prepare("depthwise_conv", inputs, kernel, data_format)
    if w.shape[-2] != x.shape[-1]:
        raise ValueError(f"depthwise_conv: kernel.shape[-2]={w.shape[-2]} must equal the "
                         f"{x.shape[-1]} input channels")
    nd = x.ndim - 2
    geom = _geometry("depthwise_conv", x.shape[1:-1], w.shape[:-2], strides, padding,
                     dilation_rate)
    out, taps = "abc"[:nd], "ijk"[:nd]
    windows = _windows(_pad(x, geom), geom)                    # (N, *out, C, *k)
    y = np.einsum(f"n{out}c{taps},{taps}cm->n{out}cm", windows, w)  # (N, *out, C, M)

    def backward(g):
        g = _to_last(g, first).reshape(y.shape)
        dw = np.einsum(f"n{out}c{taps},n{out}cm->{taps}cm", windows, g)
        dxp = np.zeros(_padded_shape(x.shape, geom), g.dtype)
        for offset in np.ndindex(*geom.ksize):
            dxp[_tap(offset, y.shape[1:nd + 1], geom)] += np.einsum("...cm,cm->...c", g, w[offset])
        return _from_last(_crop(dxp, geom, x.shape[1:-1]), first), dw
    return record(_from_last(y.reshape(*y.shape[:-2], -1), first), (inputs, kernel), backward)


def _transposed_pads(op, k, stride, dilation, padding, output_padding):
    """Padding ``(before, after)`` of the conv whose input gradient the transposed conv is.

    Keras' convention (its jax/numpy backends): "valid" keeps the full result plus
    ``output_padding`` zeros at the end (a negative ``after``); "same" crops a total of
    ``stride + span - 2`` (or ``span + span % 2 - 2 + output_padding``) from the full result
    padded by ``span - 1``, the larger half at the end.
    """
    span = (k - 1) * dilation + 1
    if padding == "valid":
        return 0, -(max(span, stride) - span if output_padding is None else output_padding)
    if padding != "same":
        raise ValueError(f"{op}: padding must be 'valid' or 'same', received {padding!r}")
    total = stride + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
    left = min(total - total // 2, span - 1)
    return span - 1 - left, span - 1 - (total - left)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel``: spatial dims + (out_channels, in_channels) as Keras.

    It is the gradient of ``conv(z, kernel)`` w.r.t. ``z``, where ``z`` has the output's shape.
    """
    op = "conv_transpose"
    first, x, w = _prepare(op, inputs, kernel, data_format)
    if w.shape[-1] != x.shape[-1]:
        raise ValueError(f"{op}: kernel.shape[-1]={w.shape[-1]} must equal the "
                         f"{x.shape[-1]} input channels")
    nd, padding, ksize = x.ndim - 2, str(padding).lower(), w.shape[:-2]
    strides, dilation = _ints(strides, nd, "strides"), _ints(dilation_rate, nd, "dilation_rate")
    extra = [None] * nd if output_padding is None else _ints(output_padding, nd, "output_padding")
    pads = [_transposed_pads(op, k, s, d, padding, p)
            for k, s, d, p in zip(ksize, strides, dilation, extra)]
    lengths = [(n - 1) * s + (k - 1) * d + 1 - b - a
               for n, k, s, d, (b, a) in zip(x.shape[1:-1], ksize, strides, dilation, pads)]
    geom = _Geometry(ksize, strides, dilation, tuple((b, max(a, 0)) for b, a in pads))
    if _out_spatial(lengths, geom) != x.shape[1:-1]:
        raise ValueError(f"{op}: output_padding={output_padding} must be smaller than strides")
    y = _conv_input_grad(x, w, (x.shape[0], *lengths, w.shape[-2]), geom)

    def backward(g):
        dx, cols = _conv_forward(_to_last(g, first), w, geom)
        dw = _conv_kernel_grad(cols, x, w.shape, 1) if isinstance(kernel, Tensor) else None
        return _from_last(dx, first), dw
    return record(_from_last(y, first), (inputs, kernel), backward)


# ---------------------------------------------------------------------------- pooling

def _pool_setup(op, inputs, pool_size, strides, padding, data_format):
    first = _channels_first(op, data_format)
    x = _to_last(_as_float(inputs), first)
    nd = x.ndim - 2
    ksize = _ints(pool_size, nd, f"{op} pool_size")
    geom = _geometry(op, x.shape[1:-1], ksize, ksize if strides is None else strides, padding, 1)
    return first, x, geom


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling (1-D, 2-D, 3-D); ``strides`` default to ``pool_size``.

    The gradient goes to the first maximum of each window.
    """
    first, x, geom = _pool_setup("max_pool", inputs, pool_size, strides, padding, data_format)
    nd = x.ndim - 2
    windows = _windows(_pad(x, geom, -np.inf), geom)           # (N, *out, C, *k)
    y = windows.max(axis=tuple(range(-nd, 0)))

    def backward(g):
        g = _to_last(g, first)
        winner = windows.reshape(*windows.shape[:nd + 2], -1).argmax(axis=-1)  # first max
        dxp, out = np.zeros(_padded_shape(x.shape, geom), g.dtype), g.shape[1:nd + 1]
        for k, offset in enumerate(np.ndindex(*geom.ksize)):
            dxp[_tap(offset, out, geom)] += np.where(winner == k, g, 0)
        return (_from_last(_crop(dxp, geom, x.shape[1:-1]), first),)
    return record(_from_last(y, first), (inputs,), backward)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding each average counts only real (unpadded) entries."""
    first, x, geom = _pool_setup("average_pool", inputs, pool_size, strides, padding,
                                 data_format)
    nd = x.ndim - 2
    k_axes = tuple(range(-nd, 0))
    sums = _windows(_pad(x, geom), geom).sum(axis=k_axes)      # (N, *out, C)
    real = _pad(np.ones((1, *x.shape[1:-1], 1), x.dtype), geom)
    counts = _windows(real, geom).sum(axis=k_axes)[0]          # (*out, 1)
    y = sums / counts

    def backward(g):
        g = _to_last(g, first) / counts
        dxp, out = np.zeros(_padded_shape(x.shape, geom), g.dtype), g.shape[1:nd + 1]
        for offset in np.ndindex(*geom.ksize):
            dxp[_tap(offset, out, geom)] += g
        return (_from_last(_crop(dxp, geom, x.shape[1:-1]), first),)
    return record(_from_last(y, first), (inputs,), backward)
