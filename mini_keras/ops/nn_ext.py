"""Public ops of the nn / math / core families beyond the spine (Keras 3 names and arguments).

Ops backed by a contract function (``top_k``, ``cond``, ``custom_gradient`` ...) validate their
arguments here and dispatch; the others are written once from contract functions, so they have the
same value, dtype and gradient on every backend. Bad arguments raise the same ``ValueError`` /
``TypeError`` text on every backend, naming the op and the argument.
"""

from __future__ import annotations

import builtins
import math
import numbers

import numpy as np

from mini_keras import config
from mini_keras.backends import current
from mini_keras.ops.dispatch import unwrap

__all__ = [
    "associative_scan",
    "batch_normalization",
    "cdist",
    "celu",
    # core
    "cond",
    "custom_gradient",
    "depth_to_space",
    "dot_product_attention",
    "erfc",
    "erfinv",
    "extract_sequences",
    "fori_loop",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "in_top_k",
    "layer_normalization",
    "log_sigmoid",
    "map",
    "moments",
    "multi_hot",
    "normalize",
    "psnr",
    # nn
    "relu6",
    "rms_normalization",
    "saturate_cast",
    "scatter",
    "scatter_update",
    "segment_max",
    "segment_sum",
    "separable_conv",
    "slice",
    "slice_update",
    "soft_shrink",
    "space_to_depth",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "switch",
    "tanh_shrink",
    "threshold",
    # math
    "top_k",
    "unstack",
    "vectorized_map",
    "while_loop",
]


# ============================================================================ helpers

def _fail(op, message, error=ValueError):
    raise error(f"ops.{op}: {message}")


def _float(x):
    """``x`` as a backend tensor, ints/bools cast to floatx (activations are float-only)."""
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    return x if "float" in b.dtype(x) else b.cast(x, config.floatx())


def _axis(op, axis, rank, name="axis"):
    """Normalize an int axis against ``rank``, or raise naming ``op`` and the argument."""
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        _fail(op, f"`{name}` must be an int, received {axis!r}.", TypeError)
    if not -rank <= axis < rank:
        _fail(op, f"`{name}`={axis} is out of range for a tensor of rank {rank}.")
    return int(axis) % rank


def _positive_int(op, value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        _fail(op, f"`{name}` must be a positive int, received {value!r}.",
              TypeError if not isinstance(value, numbers.Integral) else ValueError)
    return int(value)


def _callable(op, fn, name):
    if not callable(fn):
        _fail(op, f"`{name}` must be callable, received {type(fn).__name__}.", TypeError)


# ============================================================================ nn: activations

def relu6(x):
    """``min(max(x, 0), 6)``.

    Args:
        x: input tensor.
    """
    return current().clip(_float(x), 0.0, 6.0)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid ``clip(x / 6 + 0.5, 0, 1)``.

    Args:
        x: input tensor.
    """
    b = current()
    return b.clip(b.add(b.divide(_float(x), 6.0), 0.5), 0.0, 1.0)


def hard_silu(x):
    """``x * hard_sigmoid(x)``.

    Args:
        x: input tensor.
    """
    x = _float(x)
    return current().multiply(x, hard_sigmoid(x))


def hard_swish(x):
    """Alias of :func:`hard_silu`: ``x * hard_sigmoid(x)``.

    Args:
        x: input tensor.
    """
    return hard_silu(x)


def log_sigmoid(x):
    """``log(sigmoid(x)) = -softplus(-x)``, computed stably.

    Args:
        x: input tensor.
    """
    b = current()
    return b.negative(b.softplus(b.negative(_float(x))))


def sparse_plus(x):
    """0 for ``x <= -1``, ``(x + 1)^2 / 4`` for ``-1 < x < 1``, ``x`` for ``x >= 1``.

    Args:
        x: input tensor.
    """
    b = current()
    x = _float(x)
    quadratic = b.multiply(b.square(b.add(x, 1.0)), 0.25)
    return b.where(b.less_equal(x, -1.0), b.zeros((), b.dtype(x)),
                   b.where(b.less(x, 1.0), quadratic, x))


def sparse_sigmoid(x):
    """0 for ``x <= -1``, ``(x + 1) / 2`` in between, 1 for ``x >= 1``.

    Args:
        x: input tensor.
    """
    b = current()
    return b.clip(b.multiply(b.add(_float(x), 1.0), 0.5), 0.0, 1.0)


def squareplus(x, b=4):
    """``(x + sqrt(x^2 + b)) / 2``, a smooth ReLU.

    Args:
        x: input tensor.
        b: smoothness (>= 0).
    """
    k = current()
    x = _float(x)
    return k.multiply(k.add(x, k.sqrt(k.add(k.square(x), float(b)))), 0.5)


def celu(x, alpha=1.0):
    """``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``.

    Args:
        x: input tensor.
        alpha: scale of the negative part (non-zero).
    """
    if alpha == 0:
        _fail("celu", "`alpha` must be non-zero, received 0.")
    b = current()
    x = _float(x)
    negative = b.multiply(b.expm1(b.divide(b.minimum(x, 0.0), float(alpha))), float(alpha))
    return b.add(b.maximum(x, 0.0), negative)


def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in two halves ``a, g`` along ``axis``; ``a * sigmoid(g)``.

    Args:
        x: input tensor (``x.shape[axis]`` even).
        axis: the axis to split.
    """
    b = current()
    x = _float(x)
    shape = b.shape(x)
    axis = _axis("glu", axis, len(shape))
    if shape[axis] is not None and shape[axis] % 2:
        _fail("glu", f"`x`.shape[{axis}] must be even to split it in two halves, received "
                     f"shape {tuple(shape)}.")
    first, gate = b.split(x, 2, axis=axis)
    return b.multiply(first, b.sigmoid(gate))


def hard_tanh(x):
    """``clip(x, -1, 1)``.

    Args:
        x: input tensor.
    """
    return current().clip(_float(x), -1.0, 1.0)


def hard_shrink(x, threshold=0.5):
    """``x`` where ``|x| > threshold``, else 0.

    Args:
        x: input tensor.
        threshold: the dead-zone half width.
    """
    b = current()
    x = _float(x)
    return b.where(b.greater(b.abs(x), float(threshold)), x, b.zeros((), b.dtype(x)))


def soft_shrink(x, threshold=0.5):
    """``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, else 0.

    Args:
        x: input tensor.
        threshold: the dead-zone half width.
    """
    b = current()
    x = _float(x)
    t = float(threshold)
    zero = b.zeros((), b.dtype(x))
    return b.where(b.greater(x, t), b.subtract(x, t),
                   b.where(b.less(x, -t), b.add(x, t), zero))


def tanh_shrink(x):
    """``x - tanh(x)``.

    Args:
        x: input tensor.
    """
    b = current()
    x = _float(x)
    return b.subtract(x, b.tanh(x))


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``.

    Args:
        x: input tensor.
        threshold: the cut-off.
        default_value: the value below it.
    """
    b = current()
    x = _float(x)
    return b.where(b.greater(x, float(threshold)), x, b.full((), float(default_value), b.dtype(x)))


def sparsemax(x, axis=-1):
    """Sparsemax: the Euclidean projection of ``x`` onto the probability simplex along ``axis``.

    ``tau`` is ``(sum of the k largest entries - 1) / k`` for the support size ``k`` (Keras 3.15
    sums the running sums instead, which is wrong whenever ``k > 1``; this follows the paper).

    Args:
        x: input tensor (logits).
        axis: the axis that sums to one.
    """
    b = current()
    x = _float(x)
    rank = len(b.shape(x))
    axis = _axis("sparsemax", axis, rank)
    n = b.shape(x)[axis]
    ranks = b.reshape(b.arange(1, n + 1, dtype=b.dtype(x)),
                      [n if d == axis else 1 for d in range(rank)])
    ordered = b.flip(b.sort(x, axis=axis), axis=axis)  # descending
    cumulative = b.cumsum(ordered, axis=axis)
    support = b.greater(b.subtract(ordered, b.divide(b.subtract(cumulative, 1.0), ranks)), 0.0)
    k = b.sum(b.cast(support, b.dtype(x)), axis=axis, keepdims=True)
    kept = b.where(support, ordered, b.zeros((), b.dtype(x)))  # the support is a prefix
    tau = b.divide(b.subtract(b.sum(kept, axis=axis, keepdims=True), 1.0), k)
    return b.maximum(b.subtract(x, tau), 0.0)


# ============================================================================ nn: encoding, statistics

def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encode integer ids: 1 at every class present in a row (floatx by default).

    Args:
        inputs: int tensor of ids, shape ``(batch, ids)`` or ``(ids,)``.
        num_classes: number of classes (required).
        axis: where the class axis goes.
        dtype: output dtype.
        sparse: must be False (no sparse tensors here).
    """
    num_classes = kwargs.pop("num_tokens", num_classes)  # Keras' legacy name
    if kwargs:
        _fail("multi_hot", f"unexpected arguments {sorted(kwargs)}.", TypeError)
    if num_classes is None:
        _fail("multi_hot", "`num_classes` is required.")
    _positive_int("multi_hot", num_classes, "num_classes")
    if sparse:
        _fail("multi_hot", "`sparse=True` is not supported (dense tensors only).")
    b = current()
    inputs = b.convert_to_tensor(unwrap(inputs))
    rank = len(b.shape(inputs))
    encoded = b.one_hot(inputs, int(num_classes), axis=axis, dtype=dtype)
    return b.max(encoded, axis=1 if rank > 1 else 0)


def _axes_tuple(op, axes, rank):
    axes = (axes,) if isinstance(axes, numbers.Integral) else tuple(axes)
    return tuple(sorted(_axis(op, a, rank, "axes") for a in axes))


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
    b = current()
    x = _float(x)
    axes = _axes_tuple("moments", axes, len(b.shape(x)))
    original = b.dtype(x)
    if original in ("float16", "bfloat16"):
        x = b.cast(x, "float32")
    mean = b.mean(x, axis=axes, keepdims=True)
    variance = b.mean(b.square(b.subtract(x, mean)), axis=axes, keepdims=True)
    if not keepdims:
        mean, variance = b.squeeze(mean, axis=axes), b.squeeze(variance, axis=axes)
    return b.cast(mean, original), b.cast(variance, original)


def _broadcast_stat(b, v, shape, axis):
    if v is None:
        return None
    v = b.convert_to_tensor(unwrap(v))
    return b.reshape(v, [shape[axis] if d == axis else 1 for d in range(len(shape))])


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset`` with 1-D statistics on ``axis``.

    Args:
        x: input tensor.
        mean, variance: 1-D tensors of length ``x.shape[axis]``.
        axis: the feature axis.
        offset, scale: optional 1-D tensors (beta, gamma).
        epsilon: added to the variance.
    """
    b = current()
    x = _float(x)
    shape = b.shape(x)
    axis = _axis("batch_normalization", axis, len(shape))
    for name, v in (("mean", mean), ("variance", variance), ("offset", offset), ("scale", scale)):
        if v is not None and tuple(b.shape(unwrap(v))) != (shape[axis],):
            _fail("batch_normalization", f"`{name}` must have shape ({shape[axis]},) to match "
                  f"x.shape[{axis}], received {tuple(b.shape(unwrap(v)))}.")
    mean, variance, offset, scale = (_broadcast_stat(b, v, shape, axis)
                                     for v in (mean, variance, offset, scale))
    inv = b.divide(1.0, b.sqrt(b.add(variance, float(epsilon))))
    if scale is not None:
        inv = b.multiply(inv, scale)
    shift = b.negative(b.multiply(mean, inv))
    if offset is not None:
        shift = b.add(shift, offset)
    return b.add(b.multiply(x, inv), shift)


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
    b = current()
    x = _float(x)
    if len(b.shape(x)) == 0:
        x = b.expand_dims(x, 0)
    epsilon = config.epsilon() if epsilon is None else epsilon
    if order == 2:
        inv = b.divide(1.0, b.sqrt(b.sum(b.square(x), axis=axis, keepdims=True)))
        return b.multiply(x, b.minimum(inv, 1.0 / epsilon))
    norm = b.power(b.sum(b.power(b.abs(x), float(order)), axis=axis, keepdims=True),
                   1.0 / order)
    return b.divide(x, b.maximum(norm, float(epsilon)))


def _compute_float32(b, x):
    original = b.dtype(x)
    return (b.cast(x, "float32") if original in ("float16", "bfloat16") else x), original


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
    b = current()
    x, original = _compute_float32(b, _float(x))
    shape = b.shape(x)
    axes = _axes_tuple("layer_normalization", axis, len(shape))
    epsilon = config.epsilon() if epsilon is None else epsilon
    target = [shape[d] if d in axes else 1 for d in range(len(shape))]

    def fit(v):
        return None if v is None else b.reshape(b.cast(unwrap(v), b.dtype(x)), target)
    gamma, beta = fit(gamma), fit(beta)
    mean, variance = moments(x, axes, keepdims=True)
    inv = b.divide(1.0, b.sqrt(b.add(variance, float(epsilon))))
    out = b.multiply(x if rms_scaling else b.subtract(x, mean), inv)
    if gamma is not None:
        out = b.multiply(out, gamma)
    if beta is not None and not rms_scaling:
        out = b.add(out, beta)
    return b.cast(out, original)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x^2) + epsilon) * scale`` over ``axis``.

    Args:
        x: input tensor.
        scale: optional multiplier (shaped like the normalized axes, or broadcastable).
        axis: int or sequence of ints.
        epsilon: added to the mean square (``config.epsilon()`` by default).
    """
    b = current()
    x, original = _compute_float32(b, _float(x))
    if len(b.shape(x)) == 0:
        x = b.expand_dims(x, 0)
    axes = _axes_tuple("rms_normalization", axis, len(b.shape(x)))
    epsilon = config.epsilon() if epsilon is None else epsilon
    mean_square = b.mean(b.square(x), axis=axes, keepdims=True)
    out = b.multiply(x, b.divide(1.0, b.sqrt(b.add(mean_square, float(epsilon)))))
    if scale is not None:
        out = b.multiply(out, b.cast(unwrap(scale), b.dtype(x)))
    return b.cast(out, original)


# ============================================================================ nn: attention, conv

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
    b = current()
    query, key, value = (_float(t) for t in (query, key, value))
    shapes = {n: tuple(b.shape(t)) for n, t in (("query", query), ("key", key), ("value", value))}
    for name, s in shapes.items():
        if len(s) != 4:
            _fail(op, f"`{name}` must be 4-D (batch, seq, heads, head_dim), received shape {s}.")
    if shapes["key"] != shapes["value"] or shapes["query"][::2] != shapes["key"][::2] or (
            shapes["query"][3] != shapes["key"][3]):
        _fail(op, f"incompatible shapes query {shapes['query']}, key {shapes['key']} and value "
                  f"{shapes['value']}.")
    head_dim = shapes["key"][3]
    scale = 1.0 / math.sqrt(head_dim) if scale is None else float(scale)
    logits = b.multiply(b.einsum("btnh,bsnh->bnts", query, key), scale)
    if bias is not None:
        logits = b.add(logits, b.cast(unwrap(bias), b.dtype(logits)))
    if attn_logits_soft_cap is not None:
        cap = float(attn_logits_soft_cap)
        logits = b.multiply(b.tanh(b.divide(logits, cap)), cap)
    keep = None
    if mask is not None:
        keep = b.cast(unwrap(mask), "bool")
    if is_causal:
        t, s = shapes["query"][1], shapes["key"][1]
        causal = b.convert_to_tensor(np.tril(np.ones((t, s), dtype=bool)))
        keep = causal if keep is None else b.logical_and(keep, causal)
    if keep is not None:
        big = 65500.0 if b.dtype(logits) == "float16" else 3.38953e38
        logits = b.where(keep, logits, b.full((), -0.7 * big, b.dtype(logits)))
    probs = b.softmax(logits, axis=-1)
    return b.einsum("bnts,bsnh->btnh", probs, value)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: ``(batch, *spatial, channels)`` (channels_last) or channels_first.
        depthwise_kernel: ``spatial + (in_channels, depth_multiplier)``.
        pointwise_kernel: ``(1,) * n + (in_channels * depth_multiplier, out_channels)``.
        strides, padding, data_format, dilation_rate: as :func:`depthwise_conv`.
    """
    b = current()
    depthwise_kernel, pointwise_kernel = unwrap(depthwise_kernel), unwrap(pointwise_kernel)
    dk, pk = tuple(b.shape(depthwise_kernel)), tuple(b.shape(pointwise_kernel))
    if len(pk) != len(dk) or pk[-2] != dk[-2] * dk[-1]:
        _fail("separable_conv", f"`pointwise_kernel` must have shape {(1,) * (len(dk) - 2)} + "
              f"({dk[-2] * dk[-1]}, out_channels) for depthwise_kernel {dk}, received {pk}.")
    hidden = b.depthwise_conv(unwrap(inputs), depthwise_kernel, strides, padding, data_format,
                              dilation_rate)
    return b.conv(hidden, pointwise_kernel, 1, "valid", data_format, 1)


def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)^2))``.

    Args:
        x1, x2: tensors of the same shape.
        max_val: the signal's dynamic range (e.g. 1.0 or 255).
    """
    b = current()
    x1, x2 = _float(x1), _float(x2)
    if tuple(b.shape(x1)) != tuple(b.shape(x2)):
        _fail("psnr", f"`x1` and `x2` must have the same shape, received {tuple(b.shape(x1))} "
                      f"and {tuple(b.shape(x2))}.")
    # keepdims until the end: 0-d intermediates would turn into Python scalars on numpy
    mse = b.mean(b.square(b.subtract(x1, x2)), keepdims=True)
    ratio = b.subtract(b.log(mse), 2.0 * math.log(float(max_val)))
    return b.reshape(b.multiply(ratio, -10.0 / math.log(10.0)), ())


def _space_depth_args(op, x, block_size, data_format):
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    if len(b.shape(x)) != 4:
        _fail(op, f"`x` must be 4-D, received shape {tuple(b.shape(x))}.")
    if data_format not in ("channels_last", "channels_first"):
        _fail(op, f"`data_format` must be 'channels_last' or 'channels_first', received "
                  f"{data_format!r}.")
    return b, x, _positive_int(op, block_size, "block_size")


def depth_to_space(x, block_size, data_format="channels_last"):
    """Move ``block_size**2`` channel groups into ``block_size x block_size`` spatial blocks.

    Args:
        x: 4-D tensor ``(N, H, W, C)`` (or ``(N, C, H, W)`` for channels_first).
        block_size: the block edge; ``C`` must be divisible by ``block_size**2``.
        data_format: "channels_last" or "channels_first".
    """
    b, x, k = _space_depth_args("depth_to_space", x, block_size, data_format)
    last = data_format == "channels_last"
    n, h, w, c = b.shape(x) if last else [b.shape(x)[i] for i in (0, 2, 3, 1)]
    if c % (k * k):
        _fail("depth_to_space", f"the channel count {c} must be divisible by block_size**2="
                                f"{k * k}.")
    if last:
        x = b.transpose(b.reshape(x, (n, h, w, k, k, c // (k * k))), (0, 1, 3, 2, 4, 5))
        return b.reshape(x, (n, h * k, w * k, c // (k * k)))
    x = b.transpose(b.reshape(x, (n, c // (k * k), k, k, h, w)), (0, 1, 4, 2, 5, 3))
    return b.reshape(x, (n, c // (k * k), h * k, w * k))


def space_to_depth(x, block_size, data_format="channels_last"):
    """Inverse of :func:`depth_to_space`: ``block_size x block_size`` blocks become channels.

    Args:
        x: 4-D tensor ``(N, H, W, C)`` (or ``(N, C, H, W)``); ``H`` and ``W`` divisible by
            ``block_size``.
        block_size: the block edge.
        data_format: "channels_last" or "channels_first".
    """
    b, x, k = _space_depth_args("space_to_depth", x, block_size, data_format)
    last = data_format == "channels_last"
    n, h, w, c = b.shape(x) if last else [b.shape(x)[i] for i in (0, 2, 3, 1)]
    if h % k or w % k:
        _fail("space_to_depth", f"spatial size ({h}, {w}) must be divisible by block_size={k}.")
    if last:
        x = b.transpose(b.reshape(x, (n, h // k, k, w // k, k, c)), (0, 1, 3, 2, 4, 5))
        return b.reshape(x, (n, h // k, w // k, c * k * k))
    x = b.transpose(b.reshape(x, (n, c, h // k, k, w // k, k)), (0, 1, 3, 5, 2, 4))
    return b.reshape(x, (n, c * k * k, h // k, w // k))


# ============================================================================ math

def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis.

    Args:
        x: input tensor (rank >= 1).
        k: how many (``1 <= k <= x.shape[-1]``).
        sorted: accepted for Keras compatibility; results are always sorted descending.

    Returns:
        ``(values, indices)``: values in ``x``'s dtype, int32 indices.
    """
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    shape = b.shape(x)
    if not shape:
        _fail("top_k", "`x` must have rank >= 1, received a scalar.")
    if not isinstance(k, numbers.Integral) or isinstance(k, bool):
        _fail("top_k", f"`k` must be an int, received {k!r}.", TypeError)
    if shape[-1] is not None and not 1 <= k <= shape[-1]:
        _fail("top_k", f"`k` must be in [1, {shape[-1]}] (the size of the last axis of x), "
                       f"received {k}.")
    return b.top_k(x, int(k), sorted)


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions of its row (ties count).

    Args:
        targets: int tensor ``(batch,)``.
        predictions: float tensor ``(batch, classes)``.
        k: number of top entries.

    Returns:
        bool tensor ``(batch,)``.
    """
    b = current()
    targets, predictions = (b.convert_to_tensor(unwrap(t)) for t in (targets, predictions))
    ts, ps = tuple(b.shape(targets)), tuple(b.shape(predictions))
    if len(ps) != 2 or ts != ps[:1]:
        _fail("in_top_k", f"`targets` must have shape (batch,) and `predictions` (batch, "
                          f"classes), received {ts} and {ps}.")
    kth = b.getitem(top_k(predictions, k)[0], (builtins.slice(None), -1))
    picked = b.take_along_axis(predictions, b.expand_dims(b.cast(targets, "int32"), 1), axis=1)
    return b.greater_equal(b.squeeze(picked, axis=1), kth)


def _segment_args(op, data, segment_ids, num_segments):
    b = current()
    data, segment_ids = b.convert_to_tensor(unwrap(data)), b.convert_to_tensor(unwrap(segment_ids))
    ds, ss = tuple(b.shape(data)), tuple(b.shape(segment_ids))
    if "int" not in b.dtype(segment_ids):
        _fail(op, f"`segment_ids` must be integers, received dtype {b.dtype(segment_ids)}.",
              TypeError)
    if not ds or len(ss) != 1 or ss[0] != ds[0]:
        _fail(op, f"`segment_ids` must be 1-D with one id per row of `data`, received shapes "
                  f"data {ds} and segment_ids {ss}.")
    if num_segments is not None:
        _positive_int(op, num_segments, "num_segments")
    return b, data, segment_ids


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of ``data`` that share a segment id.

    Args:
        data: tensor ``(rows, ...)``.
        segment_ids: int tensor ``(rows,)`` with ids in ``[0, num_segments)``.
        num_segments: output rows (``max(segment_ids) + 1`` when None; required under jax.jit).
        sorted: whether ids are sorted (a hint).

    Returns:
        tensor ``(num_segments, ...)``; empty segments are 0.
    """
    b, data, ids = _segment_args("segment_sum", data, segment_ids, num_segments)
    return b.segment_sum(data, ids, num_segments, sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of ``data`` that share a segment id.

    Args:
        data: tensor ``(rows, ...)``.
        segment_ids: int tensor ``(rows,)`` with ids in ``[0, num_segments)``.
        num_segments: output rows (``max(segment_ids) + 1`` when None; required under jax.jit).
        sorted: whether ids are sorted (a hint).

    Returns:
        tensor ``(num_segments, ...)``; empty segments hold ``-inf`` (ints: the dtype minimum).
    """
    b, data, ids = _segment_args("segment_max", data, segment_ids, num_segments)
    return b.segment_max(data, ids, num_segments, sorted)


def erfinv(x):
    """Inverse error function on ``(-1, 1)``.

    Args:
        x: input tensor.
    """
    return current().erfinv(unwrap(x))


def erfc(x):
    """Complementary error function ``1 - erf(x)`` (absolute, not relative, precision).

    Args:
        x: input tensor.
    """
    b = current()
    return b.subtract(1.0, b.erf(_float(x)))


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` along the last axis, every ``sequence_stride`` entries.

    Args:
        x: tensor ``(..., length)``.
        sequence_length: frame length.
        sequence_stride: hop between frame starts.

    Returns:
        tensor ``(..., num_frames, sequence_length)``.
    """
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    length = _positive_int("extract_sequences", sequence_length, "sequence_length")
    stride = _positive_int("extract_sequences", sequence_stride, "sequence_stride")
    total = b.shape(x)[-1]
    if length > total:
        _fail("extract_sequences", f"`sequence_length`={length} exceeds the last axis ({total}).")
    frames = [b.getitem(x, (Ellipsis, builtins.slice(s, s + length)))
              for s in range(0, total - length + 1, stride)]
    return b.stack(frames, axis=-2)


def cdist(x, y):
    """Pairwise Euclidean distances between the rows of ``x`` and of ``y``.

    Args:
        x: ``(..., m, d)``.
        y: ``(..., n, d)``.

    Returns:
        ``(..., m, n)``.
    """
    b = current()
    x, y = _float(x), _float(y)
    if len(b.shape(x)) < 2 or len(b.shape(y)) < 2 or b.shape(x)[-1] != b.shape(y)[-1]:
        _fail("cdist", f"`x` and `y` must have rank >= 2 and the same last axis, received "
                       f"shapes {tuple(b.shape(x))} and {tuple(b.shape(y))}.")
    diff = b.subtract(b.expand_dims(x, -2), b.expand_dims(y, -3))
    return b.sqrt(b.sum(b.square(diff), axis=-1))


# ============================================================================ core: control flow

def cond(pred, true_fn, false_fn):
    """``true_fn()`` if the scalar ``pred`` is true, else ``false_fn()``; traceable under jit.

    Args:
        pred: scalar bool tensor (or Python bool).
        true_fn, false_fn: callables without arguments returning the same structure, shapes
            and dtypes.
    """
    _callable("cond", true_fn, "true_fn")
    _callable("cond", false_fn, "false_fn")
    b = current()
    pred = b.convert_to_tensor(unwrap(pred))
    if b.shape(pred) not in ((), (1,)):
        _fail("cond", f"`pred` must be a scalar, received shape {tuple(b.shape(pred))}.")
    return b.cond(pred, true_fn, false_fn)


def switch(index, branches, *operands):
    """``branches[index](*operands)`` (``index`` clamped to the valid range); traceable.

    Args:
        index: scalar int tensor.
        branches: sequence of callables returning the same structure, shapes and dtypes.
        *operands: arguments for the chosen branch.
    """
    if not branches or not all(callable(f) for f in branches):
        _fail("switch", "`branches` must be a non-empty sequence of callables.", TypeError)
    b = current()
    index = b.clip(b.cast(unwrap(index), "int32"), 0, len(branches) - 1)

    def choose(i):
        if i == len(branches) - 1:
            return branches[i](*operands)
        return b.cond(b.equal(index, i), lambda: branches[i](*operands), lambda: choose(i + 1))
    return choose(0)


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; traceable under jit.

    Args:
        lower, upper: loop bounds (ints or scalar int tensors).
        body_fun: ``(i, val) -> val`` keeping shapes and dtypes.
        init_val: initial value (tensor or list/tuple of tensors).
    """
    _callable("fori_loop", body_fun, "body_fun")
    return current().fori_loop(unwrap(lower), unwrap(upper), body_fun, unwrap(init_val))


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``; traceable under jit.

    Args:
        cond: ``(*loop_vars) -> scalar bool``.
        body: ``(*loop_vars) -> loop_vars`` (same structure, shapes and dtypes).
        loop_vars: a tuple/list of tensors, or a single tensor.
        maximum_iterations: optional cap on the number of steps.
    """
    _callable("while_loop", cond, "cond")
    _callable("while_loop", body, "body")
    if maximum_iterations is not None:
        _positive_int("while_loop", maximum_iterations, "maximum_iterations")
    return current().while_loop(cond, body, unwrap(loop_vars), maximum_iterations)


def map(f, xs):
    """``stack([f(x) for x in xs])`` over the leading axis, as a loop (``scan``); traceable.

    Args:
        f: callable on one slice.
        xs: tensor or list/tuple of tensors (``f`` then gets a list of slices).
    """
    _callable("map", f, "f")
    b = current()

    def step(carry, x):
        return carry, f(x)
    return b.scan(step, b.zeros((), "float32"), unwrap(xs))[1]


def vectorized_map(function, elements):
    """``function`` applied to each leading-axis slice of ``elements``, results stacked.

    Args:
        function: callable on one slice (a tuple of slices when ``elements`` is a sequence).
        elements: tensor or tuple/list of tensors with the same leading size.
    """
    _callable("vectorized_map", function, "function")
    return current().vectorized_map(function, unwrap(elements))


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan with an associative ``f``: ``out[i] = f(out[i - 1], elems[i])``.

    Computed as a sequential ``scan`` (same result for any associative ``f``).

    Args:
        f: ``(a, b) -> c`` on slices (lists of slices when ``elems`` is a list/tuple).
        elems: tensor or list/tuple of tensors of equal size along ``axis``.
        reverse: scan from the end.
        axis: the scanned axis.
    """
    _callable("associative_scan", f, "f")
    b = current()
    is_seq = isinstance(elems, (list, tuple))
    parts = [b.convert_to_tensor(unwrap(e)) for e in (elems if is_seq else [elems])]
    rank = len(b.shape(parts[0]))
    axis = _axis("associative_scan", axis, rank)
    perm = [axis] + [d for d in range(rank) if d != axis]
    parts = [b.transpose(p, perm) for p in parts]
    if reverse:
        parts = [b.flip(p, axis=0) for p in parts]
    first = [b.getitem(p, 0) for p in parts]
    if b.shape(parts[0])[0] > 1:
        def step(carry, x):
            out = f(carry if is_seq else carry[0], x if is_seq else x[0])
            out = list(out) if is_seq else [out]
            return out, out
        rest = [b.getitem(p, builtins.slice(1, None)) for p in parts]
        _, ys = b.scan(step, first, rest)
        parts = [b.concatenate([b.expand_dims(h, 0), y], axis=0) for h, y in zip(first, ys)]
    if reverse:
        parts = [b.flip(p, axis=0) for p in parts]
    inverse = list(np.argsort(perm))
    parts = [b.transpose(p, inverse) for p in parts]
    return type(elems)(parts) if is_seq else parts[0]


def custom_gradient(f):
    """Decorator giving ``f`` a hand-written gradient (Keras 3 style).

    ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` returns the gradient for
    each argument (one tensor, or a tuple when ``f`` takes several). ``upstream`` is passed
    positionally, so Keras' ``def grad(*args, upstream=None)`` works.

    Args:
        f: the function to wrap.
    """
    _callable("custom_gradient", f, "f")

    def wrapped(*args):
        return current().custom_gradient(f)(*[unwrap(a) for a in args])
    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped


# ============================================================================ core: scatter, slicing

def _scatter_check(op, indices, updates, shape):
    b = current()
    ishape, ushape = tuple(b.shape(indices)), tuple(b.shape(updates))
    if len(ishape) != 2 or ishape[1] > len(shape):
        _fail(op, f"`indices` must have shape (N, k) with k <= {len(shape)}, received {ishape}.")
    if ushape != ishape[:1] + tuple(shape[ishape[1]:]):
        _fail(op, f"`updates` must have shape {ishape[:1] + tuple(shape[ishape[1]:])}, "
                  f"received {ushape}.")


def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates sum).

    Args:
        indices: int tensor ``(N, k)`` of coordinates into the first ``k`` axes.
        values: tensor ``(N,) + shape[k:]``.
        shape: the output shape.
    """
    b = current()
    indices, values = b.convert_to_tensor(unwrap(indices)), b.convert_to_tensor(unwrap(values))
    shape = tuple(int(d) for d in shape)
    _scatter_check("scatter", indices, values, shape)
    return b.scatter_add(b.zeros(shape, b.dtype(values)), indices, values)


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with the entries at ``indices`` replaced by (or combined with) ``updates``.

    Args:
        inputs: tensor.
        indices: int tensor ``(N, k)``; duplicate indices sum their updates.
        updates: tensor ``(N,) + inputs.shape[k:]``.
        reduction: None (replace) or "add".
    """
    if reduction not in (None, "add"):
        _fail("scatter_update", f"`reduction` must be None or 'add', received {reduction!r}.")
    b = current()
    inputs, indices, updates = (b.convert_to_tensor(unwrap(t)) for t in (inputs, indices, updates))
    shape = tuple(b.shape(inputs))
    _scatter_check("scatter_update", indices, updates, shape)
    updates = b.cast(updates, b.dtype(inputs))
    if reduction == "add":
        return b.scatter_add(inputs, indices, updates)
    zeros = b.zeros(shape, b.dtype(inputs))
    hit = b.scatter_add(b.zeros(shape, "float32"), indices,
                        b.ones(tuple(b.shape(updates)), "float32"))
    return b.where(b.greater(hit, 0.0), b.scatter_add(zeros, indices, updates), inputs)


def _slice_check(op, inputs, start_indices, sizes, what):
    b = current()
    shape = tuple(b.shape(inputs))
    starts = unwrap(start_indices)
    count = len(starts) if isinstance(starts, (list, tuple)) else (b.shape(starts) or (1,))[0]
    if count != len(shape) or len(sizes) != len(shape):
        _fail(op, f"`start_indices` and `{what}` need one entry per axis of `inputs` "
                  f"(rank {len(shape)}), received {count} and {len(sizes)}.")
    if isinstance(starts, (list, tuple)) and all(isinstance(s, numbers.Integral) for s in starts):
        for d, (s, n, full) in enumerate(zip(starts, sizes, shape)):
            if not 0 <= s <= full - n:
                _fail(op, f"block of size {tuple(sizes)} at {tuple(starts)} does not fit in "
                          f"`inputs` of shape {shape} (axis {d}).")
    return starts


def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` at ``start_indices`` (may be traced).

    Args:
        inputs: tensor.
        start_indices: one start per axis (ints or an int tensor).
        shape: the block's size per axis.
    """
    b = current()
    inputs = b.convert_to_tensor(unwrap(inputs))
    shape = tuple(int(d) for d in shape)
    starts = _slice_check("slice", inputs, start_indices, shape, "shape")
    return b.slice(inputs, starts, shape)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``.

    Args:
        inputs: tensor.
        start_indices: one start per axis (ints or an int tensor).
        updates: tensor of the same rank that fits inside ``inputs`` there.
    """
    b = current()
    inputs, updates = b.convert_to_tensor(unwrap(inputs)), b.convert_to_tensor(unwrap(updates))
    starts = _slice_check("slice_update", inputs, start_indices, tuple(b.shape(updates)),
                          "updates")
    return b.slice_update(inputs, starts, b.cast(updates, b.dtype(inputs)))


# ============================================================================ core: casts, unstack

def _range_of(name):
    if name == "bool":
        return 0, 1
    if name == "bfloat16":
        return -3.3895313892515355e38, 3.3895313892515355e38
    info = np.iinfo(name) if "int" in name else np.finfo(name)
    return info.min, info.max


def saturate_cast(x, dtype):
    """Cast to ``dtype`` after clipping ``x`` to the range that ``dtype`` can represent.

    Args:
        x: tensor.
        dtype: target dtype name.
    """
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    source, target = b.dtype(x), str(dtype)
    in_lo, in_hi = _range_of(source)
    out_lo, out_hi = _range_of(target)
    lo, hi = builtins.max(in_lo, out_lo), builtins.min(in_hi, out_hi)
    if "float" in source and "int" in target:  # the bound must be exactly representable
        np_source = np.float32 if source == "bfloat16" else np.dtype(source).type
        while float(np_source(hi)) > hi:
            hi = float(np.nextafter(np_source(hi), np_source(0)))
        while float(np_source(lo)) < lo:
            lo = float(np.nextafter(np_source(lo), np_source(0)))
    if (lo, hi) != (in_lo, in_hi):
        cast_bound = float if "float" in source else int
        x = b.clip(x, cast_bound(lo), cast_bound(hi))
    return b.cast(x, target)


def unstack(x, num=None, axis=0):
    """Split ``x`` along ``axis`` into a list of tensors with that axis removed.

    Args:
        x: tensor.
        num: expected count (``x.shape[axis]``), optional.
        axis: the axis to unstack.
    """
    b = current()
    x = b.convert_to_tensor(unwrap(x))
    shape = b.shape(x)
    axis = _axis("unstack", axis, len(shape))
    if num is not None and num != shape[axis]:
        _fail("unstack", f"`num`={num} does not match x.shape[{axis}]={shape[axis]}.")
    return [b.squeeze(part, axis=axis) for part in b.split(x, shape[axis], axis=axis)]
