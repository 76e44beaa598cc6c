"""numpy backend, Fourier transforms on ``(real, imag)`` pairs, with their gradients."""

from __future__ import annotations

import numpy as np

from mini_keras.backends.numpy.autodiff import data, record
from mini_keras.backends.numpy.core import as_input


def _compute_dtype(dtype):
    """complex128 for float64, else complex64 (half precision is computed in float32)."""
    return np.complex128 if dtype == np.float64 else np.complex64


def _complex(real, imag, dtype):
    part = np.float64 if dtype == np.float64 else np.float32
    return real.astype(part) + 1j * imag.astype(part)


def fft(x):
    """``np.fft.fft`` on the last axis. Gradient: the adjoint ``conj(fft(conj(g)))`` of the
    linear map, split back into the parts of the input."""
    real, imag = (as_input(p) for p in x)
    dtype = data(real).dtype
    out = np.fft.fft(_complex(data(real), data(imag), dtype), axis=-1)

    def adjoint(g):  # conj(fft(conj(g))) as the pair of gradients (real part, imag part)
        y = np.conj(np.fft.fft(np.conj(g), axis=-1)).astype(_compute_dtype(dtype))
        return y.real.astype(dtype, copy=False), y.imag.astype(dtype, copy=False)

    def backward_real(g):
        return adjoint(_complex(g, np.zeros_like(g), dtype))

    def backward_imag(g):
        return adjoint(_complex(np.zeros_like(g), g, dtype))
    out = out.astype(_compute_dtype(dtype), copy=False)
    return (record(out.real.astype(dtype), (real, imag), backward_real),
            record(out.imag.astype(dtype), (real, imag), backward_imag))
