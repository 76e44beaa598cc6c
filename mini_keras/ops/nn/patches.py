"""Sliding blocks and polar coordinates of the nn family: unfold (im2col), fold (col2im), polar.

``unfold``/``fold`` follow ``torch.nn.functional.unfold/fold`` on channels-first images; both are
composites over index arithmetic done on the host (a ``take`` for unfold, a ``segment_sum`` for
fold), so they differentiate on every backend.
"""

from __future__ import annotations

import numbers

import numpy as np

from mini_keras import backends, ops
from mini_keras.ops.checks import _fail, _tensor
from mini_keras.ops.declare import composite, exported


def _two(op, value, name, minimum):
    """An int or a pair of ints (each >= ``minimum``) as a pair."""
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= minimum
            for v in pair):
        _fail(op, f"`{name}` must be an int or a pair of ints >= {minimum}, received {value!r}.")
    return int(pair[0]), int(pair[1])


def _geometry(op, size, kernel_size, dilation, padding, stride):
    """Block starts per axis and the padded size: ``(blocks, padded)`` for each of H and W."""
    kernel = _two(op, kernel_size, "kernel_size", 1)
    dilation, padding = _two(op, dilation, "dilation", 1), _two(op, padding, "padding", 0)
    stride = _two(op, stride, "stride", 1)
    out = []
    for n, k, d, p, s in zip(size, kernel, dilation, padding, stride):
        padded = n + 2 * p
        blocks = (padded - d * (k - 1) - 1) // s + 1
        if blocks < 1:
            _fail(op, f"the kernel ({kernel}, dilation {dilation}) does not fit the padded "
                      f"spatial size {padded}.")
        out.append((k, d, p, s, blocks, padded))
    return out


def _flat_indices(geometry):
    """Index into the flattened padded image of each (kernel offset, block) entry."""
    (kh, dh, _, sh, nh, _), (kw, dw, _, sw, nw, width) = geometry
    rows = np.arange(kh)[:, None, None, None] * dh + np.arange(nh)[None, None, :, None] * sh
    cols = np.arange(kw)[None, :, None, None] * dw + np.arange(nw)[None, None, None, :] * sw
    return (rows * width + cols).reshape(-1).astype(np.int32)  # (kh*kw*nh*nw,)


@composite
def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks (im2col) from channels-first images.

    Args:
        x: tensor ``(N, C, H, W)``.
        kernel_size: int or ``(kH, kW)``.
        dilation: spacing between kernel points (int or pair).
        padding: zero padding on both sides of each spatial axis (int or pair).
        stride: step between blocks (int or pair).

    Returns:
        tensor ``(N, C * kH * kW, L)`` with ``L`` the number of blocks.
    """
    x = _tensor(x)
    if len(ops.shape(x)) != 4:
        _fail("unfold", f"`x` must be a 4-D (N, C, H, W) tensor, received shape "
                        f"{tuple(ops.shape(x))}.")
    n, c, h, w = ops.shape(x)
    geometry = _geometry("unfold", (h, w), kernel_size, dilation, padding, stride)
    (kh, _, ph, _, nh, hp), (kw, _, pw, _, nw, wp) = geometry
    x = ops.pad(x, [(0, 0), (0, 0), (ph, ph), (pw, pw)])
    picked = ops.take(ops.reshape(x, (n, c, hp * wp)), _flat_indices(geometry), axis=2)
    return ops.reshape(picked, (n, c * kh * kw, nh * nw))


@composite
def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into channels-first images (col2im, the adjoint of unfold).

    Args:
        x: tensor ``(N, C * kH * kW, L)``.
        output_size: int or ``(H, W)``, the spatial size of the result.
        kernel_size, dilation, padding, stride: as given to :func:`unfold`.

    Returns:
        tensor ``(N, C, H, W)``; overlapping entries are summed.
    """
    x = _tensor(x)
    if len(ops.shape(x)) != 3:
        _fail("fold", f"`x` must be a 3-D (N, C * kH * kW, L) tensor, received shape "
                      f"{tuple(ops.shape(x))}.")
    h, w = _two("fold", output_size, "output_size", 1)
    geometry = _geometry("fold", (h, w), kernel_size, dilation, padding, stride)
    (kh, _, ph, _, nh, hp), (kw, _, pw, _, nw, wp) = geometry
    n, ckk, blocks = ops.shape(x)
    if ckk % (kh * kw) or blocks != nh * nw:
        _fail("fold", f"`x` of shape {tuple(ops.shape(x))} does not hold C * {kh * kw} rows and "
                      f"{nh * nw} blocks for output_size {(h, w)}.")
    c = ckk // (kh * kw)
    rows = ops.transpose(ops.reshape(x, (n * c, kh * kw * blocks)))  # (entries, N * C)
    summed = ops.segment_sum(rows, ops.convert_to_tensor(_flat_indices(geometry)),
                             num_segments=hp * wp)
    image = ops.reshape(ops.transpose(summed), (n, c, hp, wp))
    return ops.getitem(image, (slice(None), slice(None), slice(ph, ph + h), slice(pw, pw + w)))


@composite
def polar(abs_, angle):
    """Complex numbers ``abs_ * (cos(angle) + 1j * sin(angle))``.

    mini_keras tensors are real on every backend, so this raises; ``(abs_ * cos(angle),
    abs_ * sin(angle))`` is the ``(real, imag)`` pair that ``ops.fft`` and friends take.

    Args:
        abs_: magnitudes.
        angle: angles in radians.
    """
    raise NotImplementedError(
        f"ops.polar: complex tensors are not supported by the {backends.current_name()} "
        "backend (mini_keras tensors are real); use the (real, imag) pair "
        "(abs_ * cos(angle), abs_ * sin(angle)), which ops.fft/ifft2/irfft take.")


__all__ = [name for name in exported(__name__)]
