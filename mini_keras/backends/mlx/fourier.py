"""mlx backend, Fourier transforms on ``(real, imag)`` pairs (``mx.fft``, complex64 only)."""

from __future__ import annotations

import mlx.core as mx

from mini_keras.backends.mlx.core import convert_to_tensor


def fft(x):
    """``mx.fft.fft`` on the last axis of ``real + 1j * imag``.

    MLX has complex64 only: float64 inputs raise (a silent float32 transform would lose the
    precision asked for); half precision is computed in float32 and cast back.
    """
    real, imag = (convert_to_tensor(p) for p in x)
    dtype = real.dtype
    if dtype == mx.float64:
        raise TypeError("ops.fft: the mlx backend has no complex128, so float64 inputs are not "
                        "supported; cast them to float32.")
    real, imag = real.astype(mx.float32), imag.astype(mx.float32)
    out = mx.fft.fft(real + 1j * imag, axis=-1)
    return mx.real(out).astype(dtype), mx.imag(out).astype(dtype)
