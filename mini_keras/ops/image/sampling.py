"""Resampling ops of ``keras.ops.image``: ``map_coordinates``, ``perspective_transform``,
``elastic_transform``, ``scale_and_translate``.

Composites written in ``ops`` calls, following Keras 3's TensorFlow backend: interpolation is
a gather (``ops.take``) with weights, so every op differentiates with respect to its inputs.
"""

from __future__ import annotations

import itertools

import numpy as np

from mini_keras import config, ops
from mini_keras import random as mk_random
from mini_keras.ops.declare import composite, exported
from mini_keras.ops.image import AFFINE_FILL_MODES, AFFINE_INTERPOLATIONS, affine_transform
from mini_keras.ops.image.filters import gaussian_blur

MAP_COORDINATES_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fix_index(index, size: int, fill_mode: str):
    """(in-range index, valid mask or None) of an int32 index along an axis of ``size``."""
    if fill_mode == "constant":
        valid = ops.logical_and(ops.greater_equal(index, 0), ops.less(index, size))
        return ops.clip(index, 0, size - 1), valid
    if fill_mode == "nearest":
        return ops.clip(index, 0, size - 1), None
    if fill_mode == "wrap":
        return ops.mod(index, size), None
    if fill_mode == "mirror":  # (c d c b | a b c d | c b a b): period 2 (size - 1)
        if size == 1:
            return ops.zeros_like(index), None
        period = 2 * (size - 1)
        index = ops.mod(ops.abs(index), period)
        return ops.where(ops.greater_equal(index, size), ops.subtract(period, index),
                         index), None
    # reflect: (d c b a | a b c d | d c b a), as Keras' TensorFlow backend computes it
    index = ops.abs(index)
    index = ops.mod(index, 2 * size)
    under = ops.less(index, size)
    return ops.where(under, index, ops.subtract(2 * size - 1, index)), None


def _nodes(coordinate, order: int):
    """[(int32 index, weight or None)] of one axis' coordinate for ``order`` 0 or 1."""
    if order == 0:
        c = coordinate if ops.dtype(coordinate).startswith("int") else ops.round(coordinate)
        return [(ops.cast(c, "int32"), None)]
    lower = ops.floor(coordinate)
    upper_weight = ops.subtract(coordinate, lower)
    index = ops.cast(lower, "int32")
    return [(index, ops.subtract(1.0, upper_weight)), (ops.add(index, 1), upper_weight)]


def _sample(inputs, coordinates: list, order: int, fill_mode: str, fill_value, exact=()):
    """Interpolate ``inputs`` at per-axis coordinate tensors (axes in ``exact`` are int32
    indices already in range and get a single node)."""
    shape = ops.shape(inputs)
    flat = ops.reshape(inputs, (-1,))
    strides = [int(np.prod(shape[i + 1:])) for i in range(len(shape))]
    axes = []
    for axis, (coordinate, size) in enumerate(zip(coordinates, shape)):
        if axis in exact:
            axes.append([(coordinate, None, None)])
            continue
        nodes = []
        for index, weight in _nodes(coordinate, order):
            safe, valid = _fix_index(index, size, fill_mode)
            nodes.append((safe, valid, weight))
        axes.append(nodes)
    weight_dtype = None
    for nodes in axes:
        for _, _, weight in nodes:
            if weight is not None:
                weight_dtype = ops.dtype(weight)
    dtype = weight_dtype or (ops.dtype(inputs) if ops.dtype(inputs).startswith(
        ("float", "bfloat")) else config.floatx())
    fill = ops.cast(ops.convert_to_tensor(fill_value), dtype)
    out = None
    for combo in itertools.product(*axes):
        linear, valid, weight = None, None, None
        for stride, (index, ok, w) in zip(strides, combo):
            term = ops.multiply(index, stride)
            linear = term if linear is None else ops.add(linear, term)
            if ok is not None:
                valid = ok if valid is None else ops.logical_and(valid, ok)
            if w is not None:
                weight = w if weight is None else ops.multiply(weight, w)
        value = ops.cast(ops.take(flat, linear), dtype)
        if valid is not None:
            value = ops.where(valid, value, fill)
        if weight is not None:
            value = ops.multiply(ops.cast(weight, dtype), value)
        out = value if out is None else ops.add(out, value)
    if not ops.dtype(inputs).startswith(("float", "bfloat")):
        out = ops.round(out)
    return ops.cast(out, ops.dtype(inputs))


@composite
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one row of coordinates per input axis), by
    nearest neighbour (``order=0``) or linear interpolation (``order=1``).

    Args:
        inputs: an array of any rank ``n``.
        coordinates: ``(n, ...)``: the coordinates of each output point, axis by axis.
        order: 0 or 1.
        fill_mode: outside the input, "constant" (``fill_value``), "nearest", "wrap",
            "mirror" (``c d c b | a b c d | c b a b``) or "reflect" (``d c b a | a b c d``).
        fill_value: value outside the input in "constant" mode.

    Returns:
        an array of shape ``coordinates.shape[1:]`` and ``inputs``' dtype (integers rounded).
    """
    inputs = ops.convert_to_tensor(inputs)
    coordinates = ops.convert_to_tensor(coordinates)
    rank = len(ops.shape(inputs))
    if len(ops.shape(coordinates)) < 2:
        raise ValueError(f"ops.image.map_coordinates: `coordinates` must have rank 2 or more, "
                         f"received shape {tuple(ops.shape(coordinates))}.")
    if ops.shape(coordinates)[0] != rank:
        raise ValueError(f"ops.image.map_coordinates: the first dimension of `coordinates` "
                         f"must equal the rank of `inputs` ({rank}), received "
                         f"{ops.shape(coordinates)[0]}.")
    if fill_mode not in MAP_COORDINATES_FILL_MODES:
        raise ValueError(f"ops.image.map_coordinates: `fill_mode` must be one of "
                         f"{list(MAP_COORDINATES_FILL_MODES)}, received {fill_mode!r}.")
    if order not in (0, 1):
        raise NotImplementedError(f"ops.image.map_coordinates: `order` must be 0 or 1, "
                                  f"received {order!r}.")
    return _sample(inputs, [coordinates[i] for i in range(rank)], order, fill_mode,
                   fill_value)


def _homography(start, end):
    """The 8 projective coefficients mapping ``end`` corners to ``start`` corners."""
    rows, targets = [], []
    for i in range(4):
        sx, sy = start[:, i, 0], start[:, i, 1]
        ex, ey = end[:, i, 0], end[:, i, 1]
        one, zero = ops.ones_like(ex), ops.zeros_like(ex)
        rows.append(ops.stack([ex, ey, one, zero, zero, zero, ops.negative(ops.multiply(sx, ex)),
                               ops.negative(ops.multiply(sx, ey))], axis=-1))
        rows.append(ops.stack([zero, zero, zero, ex, ey, one, ops.negative(ops.multiply(sy, ex)),
                               ops.negative(ops.multiply(sy, ey))], axis=-1))
        targets += [sx, sy]
    matrix = ops.stack(rows, axis=1)
    target = ops.expand_dims(ops.stack(targets, axis=-1), -1)
    return ops.reshape(ops.linalg.solve(matrix, target), (-1, 8))


@composite
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warp images so that the 4 ``start_points`` corners move to ``end_points``.

    Args:
        images: rank 3 (one image) or 4 (a batch).
        start_points, end_points: ``(4, 2)`` or ``(batch, 4, 2)`` ``(x, y)`` corners
            (top-left, top-right, bottom-right, bottom-left).
        interpolation: "bilinear" or "nearest".
        fill_value: value of the pixels that fall outside the input.
        data_format: "channels_last" or "channels_first".
    """
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"ops.image.perspective_transform: `interpolation` must be one of "
                         f"{list(AFFINE_INTERPOLATIONS)}, received {interpolation!r}.")
    if len(ops.shape(images)) not in (3, 4):
        raise ValueError(f"ops.image.perspective_transform: `images` must have rank 3 or 4, "
                         f"received shape {tuple(ops.shape(images))}.")
    start = ops.cast(ops.convert_to_tensor(start_points), "float32")
    end = ops.cast(ops.convert_to_tensor(end_points), "float32")
    for name, points in (("start_points", start), ("end_points", end)):
        shape = tuple(ops.shape(points))
        if len(shape) not in (2, 3) or shape[-2:] != (4, 2):
            raise ValueError(f"ops.image.perspective_transform: `{name}` must have shape "
                             f"(4, 2) or (batch, 4, 2), received {shape}.")
    if tuple(ops.shape(start)) != tuple(ops.shape(end)):
        raise ValueError("ops.image.perspective_transform: `start_points` and `end_points` "
                         f"must have the same shape, received {tuple(ops.shape(start))} and "
                         f"{tuple(ops.shape(end))}.")
    if len(ops.shape(start)) == 2:
        start, end = ops.expand_dims(start, 0), ops.expand_dims(end, 0)
    transform = _homography(start, end)
    if len(ops.shape(images)) == 3:
        transform = transform[0]
    return affine_transform(images, transform, interpolation, "constant", fill_value,
                            data_format)


@composite
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Elastic deformation: displace each pixel by Gaussian-smoothed random fields scaled by
    ``alpha`` (one field per axis and image, drawn from ``seed``).

    Args:
        images: rank 3 or 4.
        alpha: the displacement scale (0: the identity).
        sigma: the smoothing of the fields (kernel size ``6 * int(sigma) | 1``).
        interpolation: "bilinear" or "nearest".
        fill_mode: "constant", "nearest", "wrap" or "reflect".
        fill_value: value outside the image in "constant" mode.
        seed: an int or a ``SeedGenerator``.
        data_format: "channels_last" or "channels_first".
    """
    if interpolation not in AFFINE_INTERPOLATIONS:
        raise ValueError(f"ops.image.elastic_transform: `interpolation` must be one of "
                         f"{list(AFFINE_INTERPOLATIONS)}, received {interpolation!r}.")
    if fill_mode not in AFFINE_FILL_MODES:
        raise ValueError(f"ops.image.elastic_transform: `fill_mode` must be one of "
                         f"{list(AFFINE_FILL_MODES)}, received {fill_mode!r}.")
    images = ops.convert_to_tensor(images)
    if len(ops.shape(images)) not in (3, 4):
        raise ValueError(f"ops.image.elastic_transform: `images` must have rank 3 or 4, "
                         f"received shape {tuple(ops.shape(images))}.")
    sigma_value = sigma if isinstance(sigma, (int, float)) else float(
        ops.convert_to_numpy(sigma))
    size = (6 * int(sigma_value)) | 1
    return elastic_warp(images, alpha, sigma, size, interpolation, fill_mode, fill_value,
                        seed, data_format)


def elastic_warp(images, alpha, sigma, kernel_size: int, interpolation, fill_mode,
                 fill_value, seed, data_format):
    """:func:`elastic_transform` with the smoothing kernel size given, so ``alpha`` and
    ``sigma`` may be traced tensors (the random layers draw them inside compiled steps)."""
    data_format = data_format or config.image_data_format()
    rank = len(ops.shape(images))
    x = images if rank == 4 else ops.expand_dims(images, 0)
    if data_format == "channels_first":
        x = ops.transpose(x, (0, 2, 3, 1))
    batch, height, width, channels = ops.shape(x)
    dtype = ops.dtype(x) if ops.dtype(x).startswith(("float", "bfloat")) else config.floatx()
    if isinstance(sigma, (int, float)):
        sigma = float(sigma)
    else:  # a drawn sigma near 0 would give 0/0 in the kernel: there it is a delta anyway
        sigma = ops.maximum(ops.cast(sigma, dtype), 1e-3)
    fields = mk_random.normal((2, batch, height, width, 1), dtype=dtype, seed=seed)
    fields = ops.reshape(ops.multiply(fields, sigma), (2 * batch, height, width, 1))
    sigmas = ops.stack([sigma, sigma]) if not isinstance(sigma, float) else (sigma, sigma)
    fields = gaussian_blur(fields, (kernel_size, kernel_size), sigmas,
                           data_format="channels_last")
    alpha = ops.cast(alpha, dtype) if not isinstance(alpha, (int, float)) else float(alpha)
    fields = ops.multiply(ops.reshape(fields, (2, batch, height, width, 1)), alpha)
    grid_y, grid_x = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    src_y = ops.add(ops.convert_to_tensor(grid_y.astype(dtype)[None, :, :, None]), fields[1])
    src_x = ops.add(ops.convert_to_tensor(grid_x.astype(dtype)[None, :, :, None]), fields[0])
    full = (batch, height, width, channels)
    src_y = ops.broadcast_to(src_y, full)
    src_x = ops.broadcast_to(src_x, full)
    b = ops.convert_to_tensor(np.broadcast_to(np.arange(batch).reshape(-1, 1, 1, 1),
                                              full).astype("int32"))
    c = ops.convert_to_tensor(np.broadcast_to(np.arange(channels), full).astype("int32"))
    order = AFFINE_INTERPOLATIONS.index(interpolation)
    out = _sample(x, [b, src_y, src_x, c], order, fill_mode, fill_value, exact=(0, 3))
    if data_format == "channels_first":
        out = ops.transpose(out, (0, 3, 1, 2))
    return ops.squeeze(out, 0) if rank == 3 else out


SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic",
                               "tricubic", "lanczos3", "lanczos5")


def _kernel(method: str, x):
    if method == "linear":
        return ops.maximum(0.0, ops.subtract(1.0, ops.abs(x)))
    if method == "cubic":
        near = ops.add(ops.multiply(ops.multiply(ops.subtract(ops.multiply(1.5, x), 2.5), x),
                                    x), 1.0)
        far = ops.add(ops.multiply(ops.subtract(ops.multiply(ops.add(
            ops.multiply(-0.5, x), 2.5), x), 4.0), x), 2.0)
        return ops.where(ops.greater_equal(x, 2.0), 0.0,
                         ops.where(ops.greater_equal(x, 1.0), far, near))
    radius = 3.0 if method == "lanczos3" else 5.0
    y = ops.multiply(ops.multiply(radius, ops.sin(ops.multiply(np.pi, x))),
                     ops.sin(ops.multiply(np.pi / radius, x)))
    safe = ops.where(ops.equal(x, 0.0), 1.0, ops.multiply(np.pi ** 2, ops.square(x)))
    out = ops.where(ops.greater(x, 1e-3), ops.divide(y, safe), 1.0)
    return ops.where(ops.greater(x, radius), 0.0, out)


def _weights(in_size: int, out_size: int, scale, translation, method: str, antialias: bool):
    inv = ops.divide(1.0, scale)
    kernel_scale = ops.maximum(inv, 1.0) if antialias else 1.0
    dtype = ops.dtype(inv)
    sample = ops.subtract(ops.subtract(ops.multiply(
        ops.add(ops.arange(out_size, dtype=dtype), 0.5), inv), ops.multiply(translation, inv)),
        0.5)
    x = ops.divide(ops.abs(ops.subtract(ops.expand_dims(sample, 0), ops.expand_dims(
        ops.arange(in_size, dtype=dtype), 1))), kernel_scale)
    weights = _kernel(method, x)
    total = ops.sum(weights, axis=0, keepdims=True)
    weights = ops.where(ops.greater(ops.abs(total), 1000.0 * float(np.finfo(np.float32).eps)),
                        ops.divide(weights, ops.where(ops.equal(total, 0.0), 1.0, total)), 0.0)
    inside = ops.logical_and(ops.greater_equal(sample, -0.5),
                             ops.less_equal(sample, in_size - 0.5))
    return ops.where(ops.expand_dims(inside, 0), weights, 0.0)


@composite
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resample ``images`` along ``spatial_dims`` to ``output_shape``: output sample ``o`` of
    a dim reads the input around ``(o + 0.5 - translation) / scale - 0.5`` (JAX's
    ``scale_and_translate``, as Keras 3).

    Args:
        images: an array of any rank.
        output_shape: the full output shape.
        scale, translation: one value per spatial dim.
        spatial_dims: the dims to resample.
        method: "linear"/"bilinear"/"trilinear", "cubic"/"bicubic"/"tricubic", "lanczos3"
            or "lanczos5".
        antialias: widen the kernel when downsampling.
    """
    if method not in SCALE_AND_TRANSLATE_METHODS:
        raise ValueError(f"ops.image.scale_and_translate: `method` must be one of "
                         f"{list(SCALE_AND_TRANSLATE_METHODS)}, received {method!r}.")
    kind = ("linear" if method in ("linear", "bilinear", "trilinear") else
            "cubic" if method in ("cubic", "bicubic", "tricubic") else method)
    x = ops.convert_to_tensor(images)
    scale, translation = ops.convert_to_tensor(scale), ops.convert_to_tensor(translation)
    dtypes = (ops.dtype(scale), ops.dtype(translation))
    dtype = "float64" if "float64" in dtypes else config.floatx()
    scale, translation = ops.cast(scale, dtype), ops.cast(translation, dtype)
    rank = len(ops.shape(x))
    integer = not ops.dtype(x).startswith(("float", "bfloat"))
    out = ops.cast(x, "float32") if integer else x
    for i, d in enumerate(spatial_dims):
        d = d % rank
        w = ops.cast(_weights(ops.shape(x)[d], int(output_shape[d]), scale[i], translation[i],
                              kind, antialias), ops.dtype(out))
        out = ops.moveaxis(ops.tensordot(out, w, axes=([d], [0])), -1, d)
    if integer:
        out = ops.cast(ops.clip(ops.round(out), ops.min(x), ops.max(x)), ops.dtype(x))
    return out


__all__ = [name for name in exported(__name__)]
