"""The STFT initializer (Keras 3): Fourier kernels for a convolution that computes a
short-time Fourier transform, windowed and scaled."""

from __future__ import annotations

import numpy as np

from mini_keras.initializers.base import Initializer, np_dtype

# numpy's symmetric windows; a periodic window of length n is the symmetric one of n + 1
# without its last point (scipy's ``fftbins=True``).
_WINDOWS = {"hann": np.hanning, "hamming": np.hamming, "blackman": np.blackman,
            "bartlett": np.bartlett, "boxcar": np.ones}


def get_window(window: str, length: int, periodic: bool = False) -> np.ndarray:
    """The window ``window`` ("hann", "hamming", "blackman", "bartlett", "boxcar", or any name
    ``scipy.signal.get_window`` knows when scipy is installed) of ``length`` points.

    Raises:
        ValueError: an unknown window name.
    """
    if window in _WINDOWS:
        n = length + 1 if periodic else length
        return np.asarray(_WINDOWS[window](n), np.float64)[:length]
    try:
        from scipy import signal
    except ImportError:
        raise ValueError(f"Unknown window {window!r}: without scipy the windows are "
                         f"{', '.join(_WINDOWS)} (pip install scipy for the others).") from None
    try:
        return np.asarray(signal.get_window(window, length, periodic), np.float64)
    except ValueError as e:
        raise ValueError(f"Unknown window {window!r}: {e}") from None


class STFT(Initializer):
    """Kernels of shape ``(T, 1, F // 2 + 1)`` whose convolution is an STFT of window ``T``.

    Args:
        side: "real" (cosines) or "imag" (sines).
        window: a window name, an array of ``T`` values, or None (no window).
        scaling: "density" (divide by the window's L2 norm), "spectrum" (by its sum) or None.
        periodic: use the periodic form of a named window (for spectral analysis).
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"STFT: `side` must be 'real' or 'imag', received {side!r}")
        if isinstance(window, str):
            get_window(window, 1)  # an unknown name fails now
        if scaling not in (None, "density", "spectrum"):
            raise ValueError("STFT: `scaling` must be None, 'density' or 'spectrum', "
                             f"received scaling={scaling!r}")
        self.side, self.window, self.scaling, self.periodic = side, window, scaling, periodic

    def sample(self, shape, dtype):
        if len(shape) != 3:
            raise ValueError(f"STFT: needs a shape (frame_length, input_channels, "
                             f"fft_length // 2 + 1), received {shape}")
        frame_length, _, bins = shape
        time = np.arange(frame_length, dtype=np.float64).reshape(frame_length, 1, 1)
        freq = np.arange(bins, dtype=np.float64).reshape(1, 1, bins) / ((bins - 1) * 2)
        args = -2.0 * time * freq * np.pi
        kernel = np.cos(args) if self.side == "real" else np.sin(args)
        if self.window is not None:
            win = (get_window(self.window, frame_length, self.periodic)
                   if isinstance(self.window, str) else np.asarray(self.window, np.float64))
            if win.shape != (frame_length,):
                raise ValueError(f"STFT: the window must have shape ({frame_length},) "
                                 f"(frame_length), received {win.shape}")
            scale = {"density": np.sqrt(np.sum(win ** 2)), "spectrum": np.sum(np.abs(win)),
                     None: 1.0}[self.scaling]
            kernel = kernel * win.reshape(frame_length, 1, 1) / scale
        return np.broadcast_to(kernel, shape).astype(np_dtype(dtype))

    def get_config(self):
        window = self.window.tolist() if isinstance(self.window, np.ndarray) else self.window
        return {"side": self.side, "window": window, "periodic": self.periodic,
                "scaling": self.scaling}
