"""The math family, Fourier transforms: fft, fft2, ifft2, rfft, irfft, stft, istft, and the
complex views view_as_real / view_as_complex.

Backends hold real tensors, so a complex tensor is Keras 3's pair ``(real, imag)`` of float
tensors. One backend primitive, :func:`fft` (1-D, last axis), carries the transform; the others
are composites of it (``ifft(z) = conj(fft(conj(z))) / n``), so they run, differentiate and
trace the same on every backend.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from mini_keras import backends, config, ops
from mini_keras.ops.checks import _fail, _is_float, _positive_int, _slice
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


@primitive(keras_class="FFT")
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


def _frame_args(op, sequence_length, sequence_stride, fft_length, window):
    """Check the framing arguments shared by :func:`stft` and :func:`istft`."""
    if not isinstance(sequence_stride, numbers.Integral) or isinstance(sequence_stride, bool) \
            or sequence_stride <= 0:
        _fail(op, f"`sequence_stride` must be a positive integer, received {sequence_stride!r}.")
    _positive_int(op, sequence_length, "sequence_length")
    _positive_int(op, fft_length, "fft_length")
    if fft_length < sequence_length:
        _fail(op, f"`fft_length` must be >= `sequence_length`, received sequence_length="
                  f"{sequence_length}, fft_length={fft_length}.")
    if isinstance(window, str) and window not in ("hann", "hamming"):
        _fail(op, f'a string `window` must be "hann" or "hamming", received {window!r}.')


def _window(op, window, sequence_length, fft_length, dtype):
    """The window (periodic hann/hamming, a given tensor, or None), centred in ``fft_length``."""
    if window is None:
        return None
    if isinstance(window, str):  # TensorFlow's "periodic" windows: odd lengths are symmetric
        a = {"hann": 0.5, "hamming": 0.54}[window]
        period = sequence_length - sequence_length % 2 if sequence_length > 1 else 1
        values = a - (1 - a) * np.cos(2 * math.pi * np.arange(sequence_length) / period)
        win = ops.convert_to_tensor(values if sequence_length > 1 else np.ones(1), dtype)
    else:
        win = ops.cast(ops.convert_to_tensor(unwrap(window)), dtype)
        if tuple(ops.shape(win)) != (sequence_length,):
            _fail(op, f"`window` must have shape ({sequence_length},) (the sequence_length), "
                      f"received {tuple(ops.shape(win))}.")
    left = (fft_length - sequence_length) // 2
    return ops.pad(win, [(left, fft_length - sequence_length - left)])


def _overlap_add(frames, step):
    """Sum frames ``(..., T, L)`` placed every ``step`` entries: ``(..., (T - 1) * step + L)``."""
    shape = tuple(ops.shape(frames))
    batch, (count, length) = shape[:-2], shape[-2:]
    total = (count - 1) * step + length
    flat = ops.transpose(ops.reshape(frames, (-1, count * length)))  # (T * L, batch)
    ids = (np.arange(count)[:, None] * step + np.arange(length)[None, :]).reshape(-1)
    out = ops.segment_sum(flat, ops.convert_to_tensor(ids.astype(np.int32)), num_segments=total)
    return ops.reshape(ops.transpose(out), batch + (total,))


@composite(keras_class="STFT")
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis.

    Args:
        x: float32/float64 tensor ``(..., length)``.
        sequence_length: window length.
        sequence_stride: hop between frames.
        fft_length: transform size (>= ``sequence_length``; the window is centred in it).
        window: "hann" or "hamming" (periodic), a tensor ``(sequence_length,)``, or None.
        center: reflect-pad ``fft_length // 2`` on both sides so frame ``t`` is centred at
            ``t * sequence_stride``.

    Returns:
        tuple ``(real, imag)`` of shape ``(..., frames, fft_length // 2 + 1)``.
    """
    x = ops.convert_to_tensor(unwrap(x))
    if ops.dtype(x) not in ("float32", "float64"):
        _fail("stft", f"`x` must be float32 or float64, received {ops.dtype(x)}.", TypeError)
    _frame_args("stft", sequence_length, sequence_stride, fft_length, window)
    if not ops.shape(x):
        _fail("stft", "`x` must have rank >= 1, received a scalar.")
    if center:
        rank = len(ops.shape(x))
        x = ops.pad(x, [(0, 0)] * (rank - 1) + [(fft_length // 2, fft_length // 2)],
                    mode="reflect")
    frames = ops.extract_sequences(x, fft_length, sequence_stride)
    win = _window("stft", window, sequence_length, fft_length, ops.dtype(x))
    if win is not None:
        frames = ops.multiply(frames, win)
    return ops.rfft(frames, fft_length)


@composite(keras_class="ISTFT")
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse of :func:`stft` (TensorFlow's ``inverse_stft`` windowing, then overlap-add).

    Args:
        x: tuple ``(real, imag)`` of float tensors ``(..., frames, fft_length // 2 + 1)``.
        sequence_length, sequence_stride, fft_length, window, center: as given to ``stft``
            (``window=None``: plain overlap-add of the frames, no normalisation).
        length: crop the output to this many entries (default: all, less the centre padding).

    Returns:
        float tensor ``(..., length)``.
    """
    real, imag = _pair("istft", x, min_rank=2)
    _frame_args("istft", sequence_length, sequence_stride, fft_length, window)
    frames = ops.irfft((real, imag), fft_length)
    win = _window("istft", window, sequence_length, fft_length, ops.dtype(frames))
    if win is not None:  # divide by the summed squared windows that overlap each position
        overlaps = -(-fft_length // sequence_stride)
        denom = ops.pad(ops.square(win), [(0, overlaps * sequence_stride - fft_length)])
        denom = ops.sum(ops.reshape(denom, (overlaps, sequence_stride)), axis=0)
        denom = ops.reshape(ops.tile(ops.expand_dims(denom, 0), (overlaps, 1)), (-1,))
        frames = ops.multiply(frames, ops.divide(win, _slice(denom, 0, 0, fft_length)))
    out = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + _positive_int("istft", length, "length")
    else:
        end = ops.shape(out)[-1] - start
    return _slice(out, len(ops.shape(out)) - 1, start, end)


@composite
def view_as_real(x):
    """A complex tensor as real numbers: ``(..., 2)`` holding the real and imaginary parts.

    Backend tensors are real, so complex values come as numpy arrays or Python numbers (their
    parts are split on the host); a real tensor gives imaginary parts 0.

    Args:
        x: numpy complex array, Python complex, or a real tensor.

    Returns:
        float tensor of shape ``x.shape + (2,)``.
    """
    x = unwrap(x)
    if isinstance(x, (complex, np.complexfloating)) or (
            isinstance(x, (np.ndarray, list, tuple)) and np.iscomplexobj(np.asarray(x))):
        host = np.asarray(x)
        part = np.float64 if host.dtype == np.complex128 else np.float32
        return ops.convert_to_tensor(np.stack([host.real, host.imag], axis=-1).astype(part))
    x = ops.convert_to_tensor(x)
    if not _is_float(x):
        x = ops.cast(x, config.floatx())
    return ops.stack([x, ops.zeros_like(x)], axis=-1)


@composite
def view_as_complex(x):
    """A real tensor ``(..., 2)`` as complex numbers ``x[..., 0] + 1j * x[..., 1]``.

    mini_keras tensors are real on every backend, so this raises; the pair
    ``(x[..., 0], x[..., 1])`` is the ``(real, imag)`` form that ``ops.fft`` and friends take.

    Args:
        x: real tensor whose last axis has size 2.
    """
    raise NotImplementedError(
        f"ops.view_as_complex: complex tensors are not supported by the "
        f"{backends.current_name()} backend (mini_keras tensors are real); use the (real, imag) "
        "pair (x[..., 0], x[..., 1]), which ops.fft/ifft2/irfft take.")


__all__ = [name for name in exported(__name__)]
