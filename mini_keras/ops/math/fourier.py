"""The math family, Fourier transforms: fft, fft2, ifft2, rfft, irfft.

Backends hold real tensors, so a complex tensor is Keras 3's pair ``(real, imag)`` of float
tensors. One backend primitive, :func:`fft` (1-D, last axis), carries the transform; the others
are composites of it (``ifft(z) = conj(fft(conj(z))) / n``), so they run, differentiate and
trace the same on every backend.
"""

from __future__ import annotations

import numbers

from mini_keras import config, ops
from mini_keras.ops.checks import _fail, _is_float, _slice
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _pair(op, x, min_rank=1):
    """``x`` = (real, imag) as two float tensors of one shape and dtype (rank >= min_rank)."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        what = f"{type(x).__name__} of {len(x)}" if isinstance(x, (tuple, list)) \
            else type(x).__name__
        _fail(op, f"`x` must be a tuple of two tensors (real, imaginary), received {what}.")
    real, imag = (ops.convert_to_tensor(unwrap(p)) for p in x)
    if tuple(ops.shape(real)) != tuple(ops.shape(imag)):
        _fail(op, f"the real and imaginary parts of `x` must have the same shape, received "
                  f"{tuple(ops.shape(real))} and {tuple(ops.shape(imag))}.")
    if not _is_float(real) or not _is_float(imag):
        _fail(op, f"both parts of `x` must be float tensors, received dtypes {ops.dtype(real)} "
                  f"and {ops.dtype(imag)}.")
    if len(ops.shape(real)) < min_rank:
        _fail(op, f"`x` must have rank >= {min_rank}, received shape {tuple(ops.shape(real))}.")
    if ops.dtype(real) != ops.dtype(imag):
        _fail(op, f"the real and imaginary parts of `x` must have the same dtype, received "
                  f"{ops.dtype(real)} and {ops.dtype(imag)}.")
    return real, imag


def _length(op, fft_length):
    if fft_length is None:
        return None
    if not isinstance(fft_length, numbers.Integral) or isinstance(fft_length, bool) \
            or fft_length < 1:
        _fail(op, f"`fft_length` must be a positive int or None, received {fft_length!r}.")
    return int(fft_length)


def _fit_last(x, n):
    """``x`` cropped or zero-padded along its last axis to ``n`` entries."""
    have = ops.shape(x)[-1]
    if have >= n:
        return _slice(x, len(ops.shape(x)) - 1, 0, n)
    widths = [(0, 0)] * (len(ops.shape(x)) - 1) + [(0, n - have)]
    return ops.pad(x, widths)


def _swap_last_two(pair):
    return tuple(ops.swapaxes(p, -1, -2) for p in pair)


@primitive
def fft(x):
    """Fast Fourier transform along the last axis.

    Args:
        x: tuple ``(real, imag)`` of two float tensors of the same shape (rank >= 1).

    Returns:
        tuple ``(real, imag)`` of the transform, same shape and dtype.
    """
    return {'x': _pair("fft", x)}


@composite(keras_class="FFT2")
def fft2(x):
    """2-D fast Fourier transform along the last two axes.

    Args:
        x: tuple ``(real, imag)`` of two float tensors of the same shape (rank >= 2).

    Returns:
        tuple ``(real, imag)`` of the transform, same shape and dtype.
    """
    pair = ops.fft(_pair("fft2", x, min_rank=2))
    return _swap_last_two(ops.fft(_swap_last_two(pair)))


@composite(keras_class="IFFT2")
def ifft2(x):
    """2-D inverse fast Fourier transform along the last two axes (``1 / (h w)`` scaling).

    Args:
        x: tuple ``(real, imag)`` of two float tensors of the same shape (rank >= 2).

    Returns:
        tuple ``(real, imag)`` of the inverse transform, same shape and dtype.
    """
    real, imag = _pair("ifft2", x, min_rank=2)
    h, w = ops.shape(real)[-2:]
    out_real, out_imag = ops.fft2((real, ops.negative(imag)))
    scale = ops.cast(1.0 / (h * w), ops.dtype(real))
    return ops.multiply(out_real, scale), ops.multiply(ops.negative(out_imag), scale)


@composite(keras_class="RFFT")
def rfft(x, fft_length=None):
    """Fourier transform of a real signal along the last axis: the ``fft_length // 2 + 1``
    non-negative frequency terms.

    Args:
        x: real tensor (rank >= 1); integers are cast to floatx.
        fft_length: transform length; the last axis is cropped or zero-padded to it (default:
            its own length).

    Returns:
        tuple ``(real, imag)``, shape ``x.shape[:-1] + (fft_length // 2 + 1,)``, ``x``'s dtype.
    """
    x = ops.convert_to_tensor(unwrap(x))
    if not ops.shape(x):
        _fail("rfft", "`x` must have rank >= 1, received a scalar.")
    if not _is_float(x):
        x = ops.cast(x, config.floatx())
    n = _length("rfft", fft_length) or ops.shape(x)[-1]
    x = _fit_last(x, n)
    real, imag = ops.fft((x, ops.zeros_like(x)))
    rank = len(ops.shape(x))
    return _slice(real, rank - 1, 0, n // 2 + 1), _slice(imag, rank - 1, 0, n // 2 + 1)


@composite(keras_class="IRFFT")
def irfft(x, fft_length=None):
    """Inverse of :func:`rfft`: the real signal whose transform has these non-negative
    frequency terms (the imaginary parts of the zero and Nyquist terms are ignored).

    Args:
        x: tuple ``(real, imag)`` of float tensors (rank >= 1), the ``n // 2 + 1`` terms.
        fft_length: output length ``n`` (default ``2 * (x.shape[-1] - 1)``; pass it for odd
            lengths); the terms are cropped or zero-padded to ``n // 2 + 1``.

    Returns:
        real tensor of shape ``x.shape[:-1] + (n,)``.
    """
    real, imag = _pair("irfft", x)
    n = _length("irfft", fft_length) or 2 * (ops.shape(real)[-1] - 1)
    if n < 1:
        _fail("irfft", f"cannot infer the output length from a last axis of size "
                       f"{ops.shape(real)[-1]}; pass `fft_length`.")
    half = n // 2 + 1
    real, imag = _fit_last(real, half), _fit_last(imag, half)
    last = len(ops.shape(real)) - 1
    # The full Hermitian spectrum: X[k] = conj(X[n - k]) for k > n // 2.
    def tail(part):
        return ops.flip(_slice(part, last, 1, n - half + 1), axis=last)
    full_real = ops.concatenate([real, tail(real)], axis=last)
    full_imag = ops.concatenate([imag, ops.negative(tail(imag))], axis=last)
    # ifft(z) = conj(fft(conj(z))) / n, whose real part is Re(fft(conj(z))) / n.
    out, _ = ops.fft((full_real, ops.negative(full_imag)))
    return ops.multiply(out, ops.cast(1.0 / n, ops.dtype(out)))


__all__ = [name for name in exported(__name__)]
