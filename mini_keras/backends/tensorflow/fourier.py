"""tensorflow backend, Fourier transforms on ``(real, imag)`` pairs (``tf.signal``)."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor


def fft(x):
    """``tf.signal.fft`` (last axis) of ``tf.complex(real, imag)``."""
    real, imag = (convert_to_tensor(p) for p in x)
    dtype = real.dtype
    if dtype not in (tf.float32, tf.float64):  # tf.complex takes float32/float64 only
        real, imag = tf.cast(real, tf.float32), tf.cast(imag, tf.float32)
    out = tf.signal.fft(tf.complex(real, imag))
    return tf.cast(tf.math.real(out), dtype), tf.cast(tf.math.imag(out), dtype)
