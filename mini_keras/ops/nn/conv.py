"""Convolution, pooling, attention and depth/space rearrangement of the nn family.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import (
    _fail,
    _float,
    _positive_int,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _space_depth_args(op, x, block_size, data_format):
    x = ops.convert_to_tensor(unwrap(x))
    if len(ops.shape(x)) != 4:
        _fail(op, f"`x` must be 4-D, received shape {tuple(ops.shape(x))}.")
    if data_format not in ("channels_last", "channels_first"):
        _fail(op, f"`data_format` must be 'channels_last' or 'channels_first', received "
                  f"{data_format!r}.")
    return x, _positive_int(op, block_size, "block_size")


@primitive
def conv(inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    ...


@primitive
def depthwise_conv(inputs, kernel, strides=1, padding='valid', data_format=None, dilation_rate=1):
    ...


@primitive
def conv_transpose(inputs, kernel, strides=1, padding='valid', output_padding=None, data_format=None, dilation_rate=1):
    ...


@primitive
def max_pool(inputs, pool_size, strides=None, padding='valid', data_format=None):
    ...


@primitive
def average_pool(inputs, pool_size, strides=None, padding='valid', data_format=None):
    ...


@composite
def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: ``(batch, *spatial, channels)`` (channels_last) or channels_first.
        depthwise_kernel: ``spatial + (in_channels, depth_multiplier)``.
        pointwise_kernel: ``(1,) * n + (in_channels * depth_multiplier, out_channels)``.
        strides, padding, data_format, dilation_rate: as :func:`depthwise_conv`.
    """
    depthwise_kernel, pointwise_kernel = unwrap(depthwise_kernel), unwrap(pointwise_kernel)
    dk, pk = tuple(ops.shape(depthwise_kernel)), tuple(ops.shape(pointwise_kernel))
    if len(pk) != len(dk) or pk[-2] != dk[-2] * dk[-1]:
        _fail("separable_conv", f"`pointwise_kernel` must have shape {(1,) * (len(dk) - 2)} + "
              f"({dk[-2] * dk[-1]}, out_channels) for depthwise_kernel {dk}, received {pk}.")
    hidden = ops.depthwise_conv(unwrap(inputs), depthwise_kernel, strides, padding, data_format,
                              dilation_rate)
    return ops.conv(hidden, pointwise_kernel, 1, "valid", data_format, 1)


@composite
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention, Keras 3 layout ``(batch, seq, heads, head_dim)``.

    ``softmax(query . key * scale + bias, masked) . value`` where ``scale`` defaults to
    ``1 / sqrt(head_dim)``; masked logits get a large negative value.

    Args:
        query: ``(B, T, N, H)``.
        key, value: ``(B, S, N, H)``.
        bias: optional tensor broadcastable to ``(B, N, T, S)`` added to the logits.
        mask: optional bool tensor broadcastable to ``(B, N, T, S)``; False = masked out.
        scale: logit multiplier.
        is_causal: also mask ``key`` positions after the ``query`` position.
        flash_attention: must be None or False (no fused kernel here).
        attn_logits_soft_cap: optional ``c``: logits become ``c * tanh(logits / c)``.
    """
    op = "dot_product_attention"
    if flash_attention:
        _fail(op, "`flash_attention=True` is not supported.")
    query, key, value = (_float(t) for t in (query, key, value))
    shapes = {n: tuple(ops.shape(t)) for n, t in (("query", query), ("key", key), ("value", value))}
    for name, s in shapes.items():
        if len(s) != 4:
            _fail(op, f"`{name}` must be 4-D (batch, seq, heads, head_dim), received shape {s}.")
    if shapes["key"] != shapes["value"] or shapes["query"][::2] != shapes["key"][::2] or (
            shapes["query"][3] != shapes["key"][3]):
        _fail(op, f"incompatible shapes query {shapes['query']}, key {shapes['key']} and value "
                  f"{shapes['value']}.")
    head_dim = shapes["key"][3]
    scale = 1.0 / math.sqrt(head_dim) if scale is None else float(scale)
    logits = ops.multiply(ops.einsum("btnh,bsnh->bnts", query, key), scale)
    if bias is not None:
        logits = ops.add(logits, ops.cast(unwrap(bias), ops.dtype(logits)))
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = ops.multiply(ops.tanh(ops.divide(logits, cap)), cap)
    keep = None
    if mask is not None:
        keep = ops.cast(unwrap(mask), "bool")
    if is_causal:
        t, s = shapes["query"][1], shapes["key"][1]
        causal = ops.convert_to_tensor(np.tril(np.ones((t, s), dtype=bool)))
        keep = causal if keep is None else ops.logical_and(keep, causal)
    if keep is not None:
        big = 65500.0 if ops.dtype(logits) == "float16" else 3.38953e38
        logits = ops.where(keep, logits, ops.full((), -0.7 * big, ops.dtype(logits)))
    probs = ops.softmax(logits, axis=-1)
    return ops.einsum("bnts,bsnh->btnh", probs, value)


@composite
def depth_to_space(x, block_size, data_format="channels_last"):
    """Move ``block_size**2`` channel groups into ``block_size x block_size`` spatial blocks.

    Args:
        x: 4-D tensor ``(N, H, W, C)`` (or ``(N, C, H, W)`` for channels_first).
        block_size: the block edge; ``C`` must be divisible by ``block_size**2``.
        data_format: "channels_last" or "channels_first".
    """
    x, k = _space_depth_args("depth_to_space", x, block_size, data_format)
    last = data_format == "channels_last"
    n, h, w, c = ops.shape(x) if last else [ops.shape(x)[i] for i in (0, 2, 3, 1)]
    if c % (k * k):
        _fail("depth_to_space", f"the channel count {c} must be divisible by block_size**2="
                                f"{k * k}.")
    if last:
        x = ops.transpose(ops.reshape(x, (n, h, w, k, k, c // (k * k))), (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (n, h * k, w * k, c // (k * k)))
    x = ops.transpose(ops.reshape(x, (n, c // (k * k), k, k, h, w)), (0, 1, 4, 2, 5, 3))
    return ops.reshape(x, (n, c // (k * k), h * k, w * k))


@composite
def space_to_depth(x, block_size, data_format="channels_last"):
    """Inverse of :func:`depth_to_space`: ``block_size x block_size`` blocks become channels.

    Args:
        x: 4-D tensor ``(N, H, W, C)`` (or ``(N, C, H, W)``); ``H`` and ``W`` divisible by
            ``block_size``.
        block_size: the block edge.
        data_format: "channels_last" or "channels_first".
    """
    x, k = _space_depth_args("space_to_depth", x, block_size, data_format)
    last = data_format == "channels_last"
    n, h, w, c = ops.shape(x) if last else [ops.shape(x)[i] for i in (0, 2, 3, 1)]
    if h % k or w % k:
        _fail("space_to_depth", f"spatial size ({h}, {w}) must be divisible by block_size={k}.")
    if last:
        x = ops.transpose(ops.reshape(x, (n, h // k, k, w // k, k, c)), (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (n, h // k, w // k, c * k * k))
    x = ops.transpose(ops.reshape(x, (n, c, h // k, k, w // k, k)), (0, 1, 3, 5, 2, 4))
    return ops.reshape(x, (n, c * k * k, h // k, w // k))


__all__ = [name for name in exported(__name__)]
