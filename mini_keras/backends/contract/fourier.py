"""Backend contract, Fourier transforms. Backends hold real tensors, so a complex tensor is the
pair ``(real, imag)`` of two float tensors of one shape and dtype (Keras 3's convention); the
other transforms of ``ops.math`` (``fft2``, ``ifft2``, ``rfft``, ``irfft``, ``stft``,
``istft``) are composites of this one.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def fft(x):
    """1-D discrete Fourier transform along the last axis: ``X[k] = sum_t x[t] e^{-2i pi kt/n}``.

    ``x`` is ``(real, imag)``: two float tensors of the same shape (rank >= 1) and dtype (the
    op layer checks and promotes them). Returns the pair ``(real, imag)`` of the result, same
    shape and dtype (float16/bfloat16 are computed in float32, then cast back). Differentiable
    in both parts (the adjoint of the transform is ``conj(fft(conj(g)))``).
    """
