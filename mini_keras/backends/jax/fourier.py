"""jax backend, Fourier transforms on ``(real, imag)`` pairs (``jnp.fft``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mini_keras.backends.jax.core import convert_to_tensor


def fft(x):
    """``jnp.fft.fft`` on the last axis of ``complex(real, imag)``."""
    real, imag = (convert_to_tensor(p) for p in x)
    dtype = real.dtype
    if dtype not in (jnp.float32, jnp.float64):  # half precision: computed in float32
        real, imag = real.astype(jnp.float32), imag.astype(jnp.float32)
    out = jnp.fft.fft(jax.lax.complex(real, imag), axis=-1)
    return jnp.real(out).astype(dtype), jnp.imag(out).astype(dtype)
