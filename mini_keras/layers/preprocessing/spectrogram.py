"""Audio preprocessing: ``STFTSpectrogram``, a short-time Fourier transform as a convolution with
Keras 3's Fourier kernels (weights ``real_kernel`` / ``imag_kernel``, initializer ``STFT``), and
``MelSpectrogram`` (no weights), on ``ops.stft`` and a mel filter bank built on the host."""

from __future__ import annotations

import math
import warnings

import numpy as np

from mini_keras import config, ops
from mini_keras.initializers.stft_initializer import STFT, get_window
from mini_keras.layers.layer import Layer

__all__ = ["MelSpectrogram", "STFTSpectrogram"]

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


class STFTSpectrogram(Layer):
    """Spectrogram of each channel of a batch of signals ``(batch, time, channels)``
    (channels-last; ``(batch, channels, time)`` for channels-first).

    The frames are ``frame_length`` samples every ``frame_step`` and the transform has
    ``fft_length // 2 + 1`` bins; it is a strided 1-D convolution with (trainable) Fourier kernels
    ``(frame_length, 1, fft_length // 2 + 1)``, so the weights load from and save to Keras 3.

    Args:
        mode: "log" (log magnitude), "magnitude", "psd" (power spectral density), "real",
            "imag", "angle" or "stft" (real and imaginary bins concatenated).
        frame_length: samples per frame.
        frame_step: hop between frames (default ``frame_length // 2``), at most frame_length.
        fft_length: transform size (default: the next power of two >= frame_length).
        window: window name (``STFT`` initializer's names), an array, or None.
        periodic: periodic form of a named window.
        scaling: "density", "spectrum" or None (see the ``STFT`` initializer).
        padding: "valid" or "same" framing.
        expand_dims: keep frequency and channel axes apart (``(batch, time, freq, channels)``)
            instead of merging them.
        data_format: "channels_last" or "channels_first" (default: the config's).
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        if frame_step is not None and not 1 <= frame_step <= frame_length:
            raise ValueError("STFTSpectrogram: `frame_step` must be a positive integer not "
                             f"greater than `frame_length`, received frame_step={frame_step}, "
                             f"frame_length={frame_length}.")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError("STFTSpectrogram: `fft_length` must be >= `frame_length`, received "
                             f"fft_length={fft_length}, frame_length={frame_length}.")
        if fft_length is not None and fft_length & (fft_length - 1):
            warnings.warn(f"STFTSpectrogram: `fft_length` is recommended to be a power of two, "
                          f"received fft_length={fft_length}.", stacklevel=2)
        if mode not in _MODES:
            raise ValueError(f"STFTSpectrogram: `mode` must be one of {', '.join(_MODES)}, "
                             f"received mode={mode!r}.")
        if scaling not in (None, "density", "spectrum"):
            raise ValueError("STFTSpectrogram: `scaling` must be None, 'density' or 'spectrum', "
                             f"received scaling={scaling!r}.")
        if padding not in ("valid", "same"):
            raise ValueError("STFTSpectrogram: `padding` must be 'valid' or 'same', received "
                             f"padding={padding!r}.")
        if isinstance(window, str):
            get_window(window, 1)  # an unknown name fails here, not at build
        data_format = data_format or config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("STFTSpectrogram: `data_format` must be 'channels_last' or "
                             f"'channels_first', received {data_format!r}.")
        super().__init__(**kwargs)
        self.mode, self.frame_length, self.frame_step = mode, frame_length, frame_step
        self.fft_length, self.window, self.periodic = fft_length, window, periodic
        self.scaling, self.padding, self.expand_dims = scaling, padding, expand_dims
        self.data_format = data_format
        self._frame_step = frame_step or frame_length // 2
        self._fft_length = fft_length or 2 ** math.ceil(math.log2(frame_length))

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"STFTSpectrogram: expects inputs of rank 3 (batch, time, "
                             f"channels), received shape {tuple(input_shape)}.")
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        for side in ("real", "imag"):
            if self.mode != {"real": "imag", "imag": "real"}[side]:
                setattr(self, f"{side}_kernel", self.add_weight(
                    name=f"{side}_kernel", shape=shape,
                    initializer=STFT(side, self.window, self.scaling, self.periodic)))
        self.built = True

    def _transform(self, inputs, kernel):
        """Convolve every channel: ``(batch, channels, frames, bins)``."""
        if self.data_format == "channels_last":
            inputs = ops.transpose(inputs, (0, 2, 1))
        _, channels, time = ops.shape(inputs)
        signals = ops.reshape(inputs, (-1, time, 1))
        out = ops.conv(signals, ops.cast(kernel, ops.dtype(inputs)), strides=self._frame_step,
                       padding=self.padding, data_format="channels_last")
        frames, bins = ops.shape(out)[1:]
        return ops.reshape(out, (-1, channels, frames, bins))

    def _layout(self, out):
        """``(batch, channels, frames, bins)`` in the layer's output layout."""
        _, channels, frames, bins = ops.shape(out)
        if self.data_format == "channels_last":
            if self.expand_dims:
                return ops.transpose(out, (0, 2, 3, 1))
            return ops.reshape(ops.transpose(out, (0, 2, 1, 3)), (-1, frames, channels * bins))
        if self.expand_dims:
            return out
        return ops.reshape(ops.transpose(out, (0, 1, 3, 2)), (-1, channels * bins, frames))

    def call(self, inputs):
        inputs = ops.convert_to_tensor(inputs)
        if ops.dtype(inputs) not in ("float16", "float32", "float64"):
            raise TypeError("STFTSpectrogram: inputs must be float16, float32 or float64, "
                            f"received {ops.dtype(inputs)}.")
        real = self._transform(inputs, self.real_kernel) if self.mode != "imag" else None
        imag = self._transform(inputs, self.imag_kernel) if self.mode != "real" else None
        if self.mode in ("real", "imag"):
            return self._layout(real if self.mode == "real" else imag)
        if self.mode == "angle":
            return self._layout(ops.arctan2(imag, real))
        if self.mode == "stft":
            return self._layout(ops.concatenate([real, imag], axis=-1))
        power = ops.add(ops.square(real), ops.square(imag))
        if self.mode == "psd":  # one-sided density: every bin but the first and last counts twice
            inner = ops.getitem(power, (Ellipsis, slice(1, -1)))
            return self._layout(ops.add(power, ops.pad(inner, [(0, 0)] * 3 + [(1, 1)])))
        eps = config.epsilon()
        magnitude = self._layout(ops.sqrt(ops.maximum(power, eps)))
        return magnitude if self.mode == "magnitude" else ops.log(ops.maximum(magnitude, eps))

    def compute_output_shape(self, input_shape):
        batch = input_shape[0]
        time, channels = ((input_shape[1], input_shape[2]) if self.data_format == "channels_last"
                          else (input_shape[2], input_shape[1]))
        bins = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        if time is None:
            frames = None
        elif self.padding == "same":
            frames = -(-time // self._frame_step)
        else:
            frames = (time - self.frame_length) // self._frame_step + 1
        if self.data_format == "channels_last":
            return (batch, frames, bins, channels) if self.expand_dims else (
                batch, frames, None if channels is None else bins * channels)
        return (batch, channels, frames, bins) if self.expand_dims else (
            batch, None if channels is None else bins * channels, frames)

    def get_config(self):
        return {**super().get_config(), "mode": self.mode, "frame_length": self.frame_length,
                "frame_step": self.frame_step, "fft_length": self.fft_length,
                "window": self.window, "periodic": self.periodic, "scaling": self.scaling,
                "padding": self.padding, "data_format": self.data_format,
                "expand_dims": self.expand_dims}


_MEL_BREAK_HZ, _MEL_Q = 700.0, 1127.0  # the HTK mel scale: 1127 * ln(1 + f / 700)


def _hertz_to_mel(hertz):
    return _MEL_Q * np.log1p(np.asarray(hertz, np.float64) / _MEL_BREAK_HZ)


def mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate, lower_edge_hertz,
                      upper_edge_hertz):
    """``(num_spectrogram_bins, num_mel_bins)`` triangular filters, linear in mel, the DC bin
    left out (TensorFlow's ``linear_to_mel_weight_matrix``), computed in float32 on the host."""
    f32 = np.float32
    bins_mel = _hertz_to_mel(np.linspace(0.0, sampling_rate / 2.0, num_spectrogram_bins,
                                         dtype=f32)[1:]).astype(f32)[:, None]
    edges = np.linspace(_hertz_to_mel(lower_edge_hertz).astype(f32),
                        _hertz_to_mel(upper_edge_hertz).astype(f32), num_mel_bins + 2, dtype=f32)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = np.maximum(f32(0), np.minimum(rising, falling))
    return np.pad(weights, [(1, 0), (0, 0)]).astype(f32)


class MelSpectrogram(Layer):
    """Mel spectrogram of raw audio ``(time,)`` or ``(batch, time)``: ``(..., num_mel_bins,
    frames)``, optionally in decibels.

    Args:
        fft_length: STFT size.
        sequence_stride: hop between frames.
        sequence_length: window length (default ``fft_length``; at most ``fft_length``).
        window: "hann", "hamming" or None (``ops.stft``'s windows).
        sampling_rate: samples per second of the audio.
        num_mel_bins: mel filters.
        min_freq, max_freq: the filters' frequency range in Hz (``max_freq`` defaults to
            ``sampling_rate / 2``).
        power_to_db: convert to decibels ``10 log10(power / ref_power)``, floored at
            ``top_db`` below the maximum.
        top_db: the decibel range kept.
        mag_exp: exponent of the STFT magnitude (2: power).
        min_power: floor of the power before the logarithm.
        ref_power: reference power of 0 dB.
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        sequence_length = sequence_length or fft_length
        if fft_length < sequence_length:
            raise ValueError("MelSpectrogram: `fft_length` must be >= `sequence_length`, "
                             f"received sequence_length={sequence_length}, "
                             f"fft_length={fft_length}.")
        if window not in (None, "hann", "hamming") and isinstance(window, str):
            raise ValueError(f'MelSpectrogram: `window` must be "hann", "hamming" or None, '
                             f"received {window!r}.")
        super().__init__(**kwargs)
        self.fft_length, self.sequence_stride = fft_length, sequence_stride
        self.sequence_length, self.window = sequence_length, window
        self.sampling_rate, self.num_mel_bins = sampling_rate, num_mel_bins
        self.min_freq, self.max_freq = min_freq, max_freq or int(sampling_rate / 2)
        self.power_to_db, self.top_db, self.mag_exp = power_to_db, top_db, mag_exp
        self.min_power, self.ref_power = min_power, ref_power
        self.built = True

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"
        inputs = ops.cast(ops.convert_to_tensor(inputs), dtype)
        if len(ops.shape(inputs)) not in (1, 2):
            raise ValueError("MelSpectrogram: expects audio of shape (time,) or (batch, time), "
                             f"received shape {tuple(ops.shape(inputs))}.")
        real, imag = ops.stft(inputs, self.sequence_length, self.sequence_stride,
                              self.fft_length, window=self.window, center=True)
        spectrum = ops.power(ops.sqrt(ops.add(ops.square(real), ops.square(imag))),
                             self.mag_exp)
        weights = mel_weight_matrix(self.num_mel_bins, ops.shape(spectrum)[-1],
                                    self.sampling_rate, self.min_freq, self.max_freq)
        out = ops.tensordot(spectrum, ops.convert_to_tensor(weights, dtype), axes=1)
        if self.power_to_db:
            out = ops.multiply(10.0, ops.log10(ops.maximum(out, self.min_power)))
            reference = max(abs(float(self.ref_power)), self.min_power)
            out = ops.subtract(out, 10.0 * math.log10(reference))
            out = ops.maximum(out, ops.subtract(ops.max(out), self.top_db))
        return ops.cast(ops.swapaxes(out, -1, -2), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        time = input_shape[-1]
        frames = None if time is None else 1 + (
            time + 2 * (self.fft_length // 2) - self.fft_length) // self.sequence_stride
        return (*tuple(input_shape[:-1]), self.num_mel_bins, frames)

    def get_config(self):
        return {**super().get_config(), "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length, "window": self.window,
                "sampling_rate": self.sampling_rate, "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq, "max_freq": self.max_freq,
                "power_to_db": self.power_to_db, "top_db": self.top_db,
                "mag_exp": self.mag_exp, "min_power": self.min_power,
                "ref_power": self.ref_power}
