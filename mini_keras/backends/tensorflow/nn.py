"""TensorFlow backend: activations, cross-entropies, convolutions and pooling (Keras 3 rules)."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor, promote, to_float
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- activations


def relu(x):
    """``max(x, 0)``."""
    return tf.nn.relu(convert_to_tensor(x))


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return tf.sigmoid(to_float(x))


def softplus(x):
    """``log(1 + exp(x))``."""
    return tf.math.softplus(to_float(x))


def softsign(x):
    """``x / (1 + |x|)``."""
    return tf.nn.softsign(to_float(x))


def silu(x):
    """``x * sigmoid(x)``."""
    return tf.nn.silu(to_float(x))


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``)."""
    return tf.nn.gelu(to_float(x), approximate=approximate)


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    x = to_float(x)
    if alpha == 1.0:
        return tf.nn.elu(x)
    return tf.where(x > 0, x, alpha * tf.nn.elu(x))  # elu's own gradient never overflows


def selu(x):
    """Scaled ELU (alpha=1.67326324, scale=1.05070098)."""
    return tf.nn.selu(to_float(x))


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""
    return tf.nn.leaky_relu(to_float(x), alpha=negative_slope)


def softmax(x, axis=-1):
    """Softmax along ``axis`` (an int or a tuple)."""
    x = to_float(x)
    if isinstance(axis, (tuple, list)):
        return tf.exp(x - tf.reduce_logsumexp(x, axis=list(axis), keepdims=True))
    return tf.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis`` (an int or a tuple)."""
    x = to_float(x)
    if isinstance(axis, (tuple, list)):
        return x - tf.reduce_logsumexp(x, axis=list(axis), keepdims=True)
    return tf.nn.log_softmax(x, axis=axis)


# ---------------------------------------------------------------------------- cross-entropies

def _check_same_shape(name, target, output):
    if target.shape.rank != output.shape.rank or not target.shape.is_compatible_with(
            output.shape):
        raise ValueError(f"{name}: target and output must have the same shape, received "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}.")


def _clipped(probs):
    eps = config.epsilon()
    return tf.clip_by_value(probs, eps, 1.0 - eps)


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with one-hot/probability targets (Keras 3 clipping rule)."""
    output = to_float(output)
    target = tf.cast(convert_to_tensor(target), output.dtype)
    _check_same_shape("categorical_crossentropy", target, output)
    if from_logits:
        return -tf.reduce_sum(target * tf.nn.log_softmax(output, axis=axis), axis=axis)
    probs = _clipped(output / tf.reduce_sum(output, axis=axis, keepdims=True))
    return -tf.reduce_sum(target * tf.math.log(probs), axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer targets (Keras 3 clipping rule)."""
    output = to_float(output)
    target = convert_to_tensor(target)
    rank = output.shape.rank
    axis = axis % rank
    if target.shape.rank == rank and target.shape[axis] == 1:
        target = tf.squeeze(target, axis)
    expected = output.shape[:axis] + output.shape[axis + 1:]
    if target.shape.rank != rank - 1 or not target.shape.is_compatible_with(expected):
        raise ValueError(
            "sparse_categorical_crossentropy: target must have the shape of output without the "
            f"class axis ({tuple(expected)}), received target.shape={tuple(target.shape)}.")
    target = tf.cast(target, tf.int32)
    if from_logits and axis == rank - 1:
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if from_logits:
        log_probs = tf.nn.log_softmax(output, axis=axis)
    else:
        log_probs = tf.math.log(_clipped(output / tf.reduce_sum(output, axis, keepdims=True)))
    one_hot = tf.one_hot(target, output.shape[axis], axis=axis, dtype=output.dtype)
    return -tf.reduce_sum(one_hot * log_probs, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[eps, 1 - eps]``)."""
    output = to_float(output)
    target = tf.cast(convert_to_tensor(target), output.dtype)
    _check_same_shape("binary_crossentropy", target, output)
    if from_logits:
        return tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    probs = _clipped(output)
    return -(target * tf.math.log(probs) + (1.0 - target) * tf.math.log(1.0 - probs))


# ---------------------------------------------------------------------------- convolution helpers

def _tuple(value, n, name):
    value = (value,) * n if isinstance(value, int) else tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name}: expected an int or {n} values, received {value}.")
    return value


def _padding(padding, name):
    padding = padding.lower()
    if padding not in ("valid", "same"):
        raise ValueError(f"{name}: padding must be 'valid' or 'same', received {padding!r}.")
    return padding.upper()


def _channels_first(data_format, name):
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{name}: data_format must be 'channels_last' or 'channels_first', "
                         f"received {data_format!r}.")
    return data_format == "channels_first"


def _to_last(x):
    rank = x.shape.rank
    return tf.transpose(x, [0] + list(range(2, rank)) + [1])


def _to_first(x):
    rank = x.shape.rank
    return tf.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))


def _same_pad(x, kernel_size, strides, dilation):
    """Pad ``x`` explicitly as TF's "SAME" would (extra element at the end)."""
    pads = [[0, 0]]
    for axis, (k, s, d) in enumerate(zip(kernel_size, strides, dilation), start=1):
        size = x.shape[axis] if x.shape[axis] is not None else tf.shape(x)[axis]
        total = tf.maximum((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
        pads.append([total // 2, total - total // 2])
    return tf.pad(x, [*pads, [0, 0]])


def _strided(op, x, kernel, strides, padding, dilation, equal_strides_only=False):
    """Run ``op(x, kernel, strides, padding, dilation)``; where TF refuses the stride/dilation
    combination, pad explicitly, run with stride 1 and subsample."""
    needs_workaround = max(strides) > 1 and (
        max(dilation) > 1 or (equal_strides_only and len(set(strides)) > 1))
    if not needs_workaround:
        return op(x, kernel, strides, padding, dilation)
    if padding == "SAME":
        x = _same_pad(x, kernel.shape[:-2], strides, dilation)
    out = op(x, kernel, (1,) * len(strides), "VALID", dilation)
    return out[(slice(None),) + tuple(slice(None, None, s) for s in strides)]


def _grouped_convolution(x, kernel, strides, padding, dilation):
    """``tf.nn.convolution`` that also handles groups (TF's CPU kernels lack grouped gradients)."""
    groups = x.shape[-1] // kernel.shape[-2]
    if groups == 1:
        return tf.nn.convolution(x, kernel, strides, padding, dilations=dilation)
    pieces = zip(tf.split(x, groups, axis=-1), tf.split(kernel, groups, axis=-1))
    return tf.concat([tf.nn.convolution(xi, ki, strides, padding, dilations=dilation)
                      for xi, ki in pieces], axis=-1)


# ---------------------------------------------------------------------------- convolutions

def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel`` is spatial + (in_channels / groups, out_channels)."""
    inputs, kernel = promote(to_float(inputs), kernel)
    first = _channels_first(data_format, "conv")
    x = _to_last(inputs) if first else inputs
    n = x.shape.rank - 2
    if x.shape[-1] % kernel.shape[-2]:
        raise ValueError(f"conv: input channels ({x.shape[-1]}) must be a multiple of the "
                         f"kernel's input channels ({kernel.shape[-2]}).")
    out = _strided(_grouped_convolution, x, kernel, _tuple(strides, n, "conv"),
                   _padding(padding, "conv"), _tuple(dilation_rate, n, "conv"))
    return _to_first(out) if first else out


def _depthwise2d(x, kernel, strides, padding, dilation):
    return tf.nn.depthwise_conv2d(x, kernel, (1,) + tuple(strides) + (1,), padding,
                                  dilations=dilation)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise 1-D/2-D convolution; ``kernel`` is spatial + (in_channels, multiplier)."""
    inputs, kernel = promote(to_float(inputs), kernel)
    first = _channels_first(data_format, "depthwise_conv")
    x = _to_last(inputs) if first else inputs
    n = x.shape.rank - 2
    if n not in (1, 2):
        raise NotImplementedError(f"depthwise_conv (tensorflow): 1-D or 2-D only, received "
                                  f"{n}-D inputs.")
    strides = _tuple(strides, n, "depthwise_conv")
    dilation = _tuple(dilation_rate, n, "depthwise_conv")
    if n == 1:  # as a 2-D conv over a height-1 image; a height stride on 1 row is harmless
        x, kernel = x[:, None], kernel[None]
        strides, dilation = strides * 2, (1,) + dilation
    out = _strided(_depthwise2d, x, kernel, strides, _padding(padding, "depthwise_conv"),
                   dilation, equal_strides_only=True)
    if n == 1:
        out = out[:, 0]
    return _to_first(out) if first else out


def _dilate_kernel(kernel, dilation):
    """Insert ``d - 1`` zeros between kernel taps along each spatial axis."""
    for axis, d in enumerate(dilation):
        if d == 1:
            continue
        size = kernel.shape[axis]
        spread = tf.stack([kernel] + [tf.zeros_like(kernel)] * (d - 1), axis=axis + 1)
        shape = list(kernel.shape)
        shape[axis] = size * d
        kernel = tf.reshape(spread, shape)
        kernel = kernel[(slice(None),) * axis + (slice(0, (size - 1) * d + 1),)]
    return kernel


def _transpose_window(size, kernel_size, stride, padding, output_padding):
    """``(crop_before, length)`` of the Keras 3 output inside the full transposed convolution
    (length ``(size - 1) * stride + kernel_size``; kernel already dilated). Same sizes as Keras'
    ``deconv_output_length`` and the same placement as its JAX backend, which also covers the
    cases TF's own "SAME" refuses (even kernel, ``output_padding=0``)."""
    if padding == "VALID":
        extra = max(kernel_size, stride) - kernel_size if output_padding is None else output_padding
        return 0, (size - 1) * stride + kernel_size + extra
    if output_padding is None:
        pad_len = stride + kernel_size - 2
    else:
        pad_len = kernel_size + kernel_size % 2 - 2 + output_padding
    left = min(pad_len // 2 + pad_len % 2, kernel_size - 1)
    return kernel_size - 1 - left, (size - 1) * stride - kernel_size + 2 + pad_len


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel`` is spatial + (out_channels, in_channels)."""
    inputs, kernel = promote(to_float(inputs), kernel)
    first = _channels_first(data_format, "conv_transpose")
    x = _to_last(inputs) if first else inputs
    n = x.shape.rank - 2
    strides = _tuple(strides, n, "conv_transpose")
    padding = _padding(padding, "conv_transpose")
    paddings = [None] * n if output_padding is None else _tuple(output_padding, n,
                                                                "conv_transpose")
    # CPU kernels lack dilated transposed convolutions: dilate the kernel itself instead.
    kernel = _dilate_kernel(kernel, _tuple(dilation_rate, n, "conv_transpose"))
    sizes = x.shape[1:-1]
    if None in sizes:
        raise ValueError(f"conv_transpose (tensorflow): spatial dimensions must be known, "
                         f"received input shape {tuple(x.shape)}.")
    full = [(size - 1) * s + k for size, s, k in zip(sizes, strides, kernel.shape[:-2])]
    batch = x.shape[0] if x.shape[0] is not None else tf.shape(x)[0]
    output_shape = [batch, *full, kernel.shape[-2]]
    if not isinstance(batch, int):
        output_shape = tf.stack(output_shape)
    out = tf.nn.conv_transpose(x, kernel, output_shape, strides, "VALID")
    windows = [_transpose_window(size, k, s, padding, op)
               for size, k, s, op in zip(sizes, kernel.shape[:-2], strides, paddings)]
    grow = [max(before + length - f, 0) for (before, length), f in zip(windows, full)]
    if any(grow):
        out = tf.pad(out, [[0, 0], *([0, g] for g in grow), [0, 0]])
    out = out[(slice(None), *(slice(b, b + length) for b, length in windows))]
    return _to_first(out) if first else out


# ---------------------------------------------------------------------------- pooling

def _pool(name, op, inputs, pool_size, strides, padding, data_format):
    inputs = to_float(inputs)
    first = _channels_first(data_format, name)
    x = _to_last(inputs) if first else inputs
    n = x.shape.rank - 2
    pool_size = _tuple(pool_size, n, name)
    strides = pool_size if strides is None else _tuple(strides, n, name)
    out = op(x, pool_size, strides, _padding(padding, name))
    return _to_first(out) if first else out


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; ``strides`` default to ``pool_size``."""
    return _pool("max_pool", tf.nn.max_pool, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; "same" padding averages only real entries (TF's rule)."""
    return _pool("average_pool", tf.nn.avg_pool, inputs, pool_size, strides, padding,
                 data_format)
