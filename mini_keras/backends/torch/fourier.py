"""torch backend, Fourier transforms on ``(real, imag)`` pairs (``torch.fft``)."""

from __future__ import annotations

import torch

from mini_keras.backends.torch.core import convert_to_tensor


def fft(x):
    """``torch.fft.fft`` on the last axis of ``complex(real, imag)``."""
    real, imag = (convert_to_tensor(p) for p in x)
    dtype = real.dtype
    if dtype not in (torch.float32, torch.float64):  # no complex32 kernels: compute in float32
        real, imag = real.float(), imag.float()
    out = torch.fft.fft(torch.complex(real, imag), dim=-1)
    return out.real.to(dtype), out.imag.to(dtype)
