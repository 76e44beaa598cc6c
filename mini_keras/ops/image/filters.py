"""Image filters of ``keras.ops.image``: ``gaussian_blur``, ``sobel_edges``, ``ssim``.

Composites on ``ops.depthwise_conv``/``ops.conv``, following Keras 3's TensorFlow backend
(``tf.nn.depthwise_conv2d`` with "SAME" zero padding for the blur, ``tf.image.sobel_edges``'
reflect padding and ``[dy, dx]`` order, Keras' backend-agnostic SSIM with "valid" filtering).
"""

from __future__ import annotations

import numpy as np

from mini_keras import config, ops
from mini_keras.ops.declare import composite, exported


def _data_format(data_format, op: str) -> str:
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"ops.image.{op}: `data_format` must be 'channels_last' or "
                         f"'channels_first', received {data_format!r}.")
    return data_format


def _check_rank(images, op: str, name: str = "images", ranks=(3, 4)) -> int:
    rank = len(ops.shape(images))
    if rank not in ranks:
        wanted = " or ".join(str(r) for r in ranks)
        raise ValueError(f"ops.image.{op}: `{name}` must have rank {wanted} (rank 3: one "
                         f"image, 4: a batch), received shape {tuple(ops.shape(images))}.")
    return rank


def _gaussian_1d(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size, dtype="float64") - (size - 1) / 2.0
    kernel = np.exp(-0.5 * (x / sigma) ** 2)
    return kernel / kernel.sum()


def _gaussian_2d(sizes: tuple, sigma, dtype):
    """Keras' 2-D kernel: ``outer(g(sizes[1], sigma[1]), g(sizes[0], sigma[0]))`` reshaped
    to ``sizes``; ``sigma`` may be numbers (built on the host) or a tensor (in ``ops``)."""
    if isinstance(sigma, (int, float)) or (isinstance(sigma, (tuple, list)) and all(
            isinstance(s, (int, float)) for s in sigma)):
        sigmas = _pair(sigma, "gaussian_blur", "sigma")
        if min(sigmas) <= 0:
            raise ValueError(f"ops.image.gaussian_blur: `sigma` must be > 0, received "
                             f"sigma={sigma!r}.")
        kernel = np.outer(_gaussian_1d(sizes[1], float(sigmas[1])),
                          _gaussian_1d(sizes[0], float(sigmas[0])))
        return ops.cast(ops.convert_to_tensor(kernel.reshape(sizes).astype("float32")), dtype)
    sigma = ops.cast(ops.reshape(ops.convert_to_tensor(sigma), (-1,)), dtype)
    sigma = ops.broadcast_to(sigma, (2,))

    def one(size, s):
        x = ops.subtract(ops.arange(size, dtype=dtype), (size - 1) / 2.0)
        k = ops.exp(ops.multiply(-0.5, ops.square(ops.divide(x, s))))
        return ops.divide(k, ops.sum(k))
    return ops.reshape(ops.outer(one(sizes[1], sigma[1]), one(sizes[0], sigma[0])), sizes)


def _pair(value, op: str, name: str) -> tuple:
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"ops.image.{op}: `{name}` must be a number or a pair, received "
                         f"{value!r}.")
    return pair


@composite
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur images with a Gaussian kernel (zero padding, "same" output size).

    Args:
        images: rank 3 (one image) or 4 (a batch), channels_last or channels_first.
        kernel_size: ``(size_0, size_1)`` of the kernel (Keras 3 builds the kernel as the
            outer product of the 1-D kernels of ``size_1``/``sigma_1`` and
            ``size_0``/``sigma_0``, reshaped to ``kernel_size``).
        sigma: ``(sigma_0, sigma_1)`` standard deviations.
        data_format: "channels_last" or "channels_first".

    Returns:
        the blurred images, same shape and dtype.
    """
    data_format = _data_format(data_format, "gaussian_blur")
    rank = _check_rank(images, "gaussian_blur")
    sizes = tuple(int(k) for k in _pair(kernel_size, "gaussian_blur", "kernel_size"))
    if min(sizes) < 1:
        raise ValueError(f"ops.image.gaussian_blur: `kernel_size` must be positive, received "
                         f"kernel_size={kernel_size!r}.")
    x = ops.convert_to_tensor(images)
    if rank == 3:
        x = ops.expand_dims(x, 0)
    if data_format == "channels_first":
        x = ops.transpose(x, (0, 2, 3, 1))
    channels = ops.shape(x)[-1]
    kernel = _gaussian_2d(sizes, sigma, ops.dtype(x))
    kernel = ops.tile(ops.reshape(kernel, (sizes[0], sizes[1], 1, 1)), (1, 1, channels, 1))
    out = ops.depthwise_conv(x, kernel, strides=1, padding="same",
                             data_format="channels_last")
    if data_format == "channels_first":
        out = ops.transpose(out, (0, 3, 1, 2))
    return ops.squeeze(out, 0) if rank == 3 else out


_SOBEL = np.stack([np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], "float32"),
                   np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], "float32")], axis=-1)


def _reflect_index(n: int) -> np.ndarray:
    """Indices of a length-``n`` axis padded by one on each side in "reflect" mode."""
    if n == 1:
        return np.zeros(3, "int32")
    return np.concatenate([[1], np.arange(n), [n - 2]]).astype("int32")


@composite
def sobel_edges(images, data_format=None):
    """Sobel gradients of each channel: ``(batch, H, W, C, 2)`` holding ``[dy, dx]``
    (channels_first: ``(batch, C, H, W, 2)``), with reflect padding, as
    ``tf.image.sobel_edges``.

    Args:
        images: a rank-4 batch of images.
        data_format: "channels_last" or "channels_first".
    """
    data_format = _data_format(data_format, "sobel_edges")
    _check_rank(images, "sobel_edges", ranks=(4,))
    x = ops.convert_to_tensor(images)
    if not ops.dtype(x).startswith(("float", "bfloat")):
        x = ops.cast(x, config.floatx())
    if data_format == "channels_first":
        x = ops.transpose(x, (0, 2, 3, 1))
    batch, height, width, channels = ops.shape(x)
    x = ops.take(ops.take(x, _reflect_index(height), axis=1), _reflect_index(width), axis=2)
    kernel = np.tile(_SOBEL.reshape(3, 3, 1, 2), (1, 1, channels, 1))
    kernel = ops.cast(ops.convert_to_tensor(kernel), ops.dtype(x))
    out = ops.depthwise_conv(x, kernel, strides=1, padding="valid",
                             data_format="channels_last")
    out = ops.reshape(out, (batch, height, width, channels, 2))
    if data_format == "channels_first":
        out = ops.transpose(out, (0, 3, 1, 2, 4))
    return out


@composite
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity of two images (or batches), averaged over the valid
    ``filter_size`` Gaussian windows and the channels (Wang et al. 2004, Keras 3's form).

    Args:
        image1, image2: images of the same shape, rank 3 or 4.
        max_val: the dynamic range of the pixel values (1.0, or 255.0 for 8-bit values).
        filter_size: size of the Gaussian window.
        filter_sigma: its standard deviation.
        k1, k2: the stabilizing constants.
        data_format: "channels_last" or "channels_first".

    Returns:
        one value per image (a scalar for rank-3 inputs), in ``image1``'s dtype.
    """
    data_format = _data_format(data_format, "ssim")
    rank = _check_rank(image1, "ssim", "image1")
    _check_rank(image2, "ssim", "image2")
    if tuple(ops.shape(image1)) != tuple(ops.shape(image2)):
        raise ValueError(f"ops.image.ssim: `image1` and `image2` must have the same shape, "
                         f"received {tuple(ops.shape(image1))} and "
                         f"{tuple(ops.shape(image2))}.")
    x1, x2 = ops.convert_to_tensor(image1), ops.convert_to_tensor(image2)
    original = ops.dtype(x1)
    compute = original if original.startswith(("float", "bfloat")) else config.floatx()
    x1, x2 = ops.cast(x1, compute), ops.cast(x2, compute)
    if rank == 3:
        x1, x2 = ops.expand_dims(x1, 0), ops.expand_dims(x2, 0)
    if data_format == "channels_last":
        x1, x2 = ops.transpose(x1, (0, 3, 1, 2)), ops.transpose(x2, (0, 3, 1, 2))
    batch, channels, height, width = ops.shape(x1)
    if filter_size > height or filter_size > width:
        raise ValueError(f"ops.image.ssim: `filter_size` ({filter_size}) must not exceed the "
                         f"image size ({height}, {width}).")
    x1 = ops.reshape(x1, (-1, height, width, 1))
    x2 = ops.reshape(x2, (-1, height, width, 1))
    g = _gaussian_1d(int(filter_size), float(filter_sigma))
    kernel = ops.cast(ops.convert_to_tensor(np.outer(g, g).reshape(
        filter_size, filter_size, 1, 1).astype("float32")), compute)

    def blur(x):
        return ops.conv(x, kernel, strides=1, padding="valid", data_format="channels_last")
    mu1, mu2 = blur(x1), blur(x2)
    mu11, mu22, mu12 = ops.multiply(mu1, mu1), ops.multiply(mu2, mu2), ops.multiply(mu1, mu2)
    s11 = ops.subtract(blur(ops.multiply(x1, x1)), mu11)
    s22 = ops.subtract(blur(ops.multiply(x2, x2)), mu22)
    s12 = ops.subtract(blur(ops.multiply(x1, x2)), mu12)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    numerator = ops.multiply(ops.add(ops.multiply(2.0, mu12), c1),
                             ops.add(ops.multiply(2.0, s12), c2))
    denominator = ops.multiply(ops.add(ops.add(mu11, mu22), c1),
                               ops.add(ops.add(s11, s22), c2))
    per_channel = ops.mean(ops.divide(numerator, denominator), axis=(1, 2, 3))
    out = ops.mean(ops.reshape(per_channel, (batch, channels)), axis=-1)
    return ops.cast(ops.squeeze(out, 0) if rank == 3 else out, original)


__all__ = [name for name in exported(__name__)]
