"""``keras.utils.timeseries_dataset_from_array``: sliding windows over an array, batched."""

from __future__ import annotations

import functools

import numpy as np

from mini_keras.utils.dataset_format import resolve_format, tf_datasets
from mini_keras.utils.numpy_dataset import NumpyDataset

_WHERE = "timeseries_dataset_from_array"


def _check(name: str, value, low: int, length: int, low_text: str) -> None:
    if value < low:
        raise ValueError(f"{_WHERE}: `{name}` must be {low_text}, received {name}={value}")
    if value >= length:
        raise ValueError(f"{_WHERE}: `{name}` must be lower than the length of the data, "
                         f"received {name}={value} for data of length {length}")


def _validate(data, sequence_length, sequence_stride, sampling_rate, start_index, end_index):
    length = len(data)
    for name, value in (("sequence_length", sequence_length),
                        ("sequence_stride", sequence_stride), ("sampling_rate", sampling_rate)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise TypeError(f"{_WHERE}: `{name}` must be an int, received {value!r}")
    if start_index:
        _check("start_index", start_index, 0, length, "0 or greater")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"{_WHERE}: `end_index` must be higher than `start_index`, "
                             f"received start_index={start_index}, end_index={end_index}")
        _check("end_index", end_index, 1, length, "higher than 0")
    _check("sampling_rate", sampling_rate, 1, length, "higher than 0")
    _check("sequence_stride", sequence_stride, 1, length, "higher than 0")
    if sequence_length < 1:
        raise ValueError(f"{_WHERE}: `sequence_length` must be higher than 0, received "
                         f"sequence_length={sequence_length}")


def _windows(window, aligned, positions, offsets, indices):
    starts = positions[indices]
    windows = window[starts[:, None] + offsets]
    return windows if aligned is None else (windows, aligned[starts])


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """A dataset of sliding windows over ``data`` (Keras 3's function, same windows/batches).

    Window ``i`` is ``data[s : s + sequence_length * sampling_rate : sampling_rate]`` for the
    start ``s = start_index + i * sequence_stride``; with ``targets`` the dataset yields
    ``(window, targets[s])``.

    Args:
        data: array (or tensor) of timesteps along axis 0.
        targets: targets aligned with ``data`` (``targets[s]`` goes with the window starting
            at ``s``), or None for windows only.
        sequence_length: timesteps per window.
        sequence_stride: steps between window starts.
        sampling_rate: steps between the timesteps of a window.
        batch_size: windows per batch; None yields single windows.
        shuffle: shuffle the windows (window starts with ``numpy.random.RandomState(seed)``,
            then, for ``format="tf"``, a ``tf.data`` shuffle buffer as Keras).
        seed: shuffling seed.
        start_index, end_index: use ``data[start_index:end_index]`` only.
        format: ``"tf"`` (a ``tf.data.Dataset``; Keras' default) or ``"numpy"`` (a
            framework-free :class:`NumpyDataset`); see ``mini_keras.utils.dataset_format``.

    Returns:
        A dataset of batches ``windows`` or ``(windows, targets)``.

    Raises:
        ValueError: indices, strides or rates out of range, or an unknown ``format``.
    """
    fmt = resolve_format(format, _WHERE)
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError(f"{_WHERE}: `data` must have a time axis 0, received a scalar")
    _validate(data, sequence_length, sequence_stride, sampling_rate, start_index, end_index)
    if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                   or isinstance(batch_size, bool) or batch_size < 1):
        raise ValueError(f"{_WHERE}: `batch_size` must be a positive int or None, received "
                         f"batch_size={batch_size!r}")
    start_index = 0 if start_index is None else int(start_index)
    end_index = len(data) if end_index is None else int(end_index)
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        num_seqs = min(num_seqs, len(targets))
    positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype="int64")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(positions)
    window = data[start_index:end_index]
    aligned = None if targets is None else targets[start_index:end_index]
    if fmt == "tf":
        buffer = (batch_size * 8 if batch_size is not None else 1024) if shuffle else None
        return tf_datasets().timeseries(window, aligned, positions, int(sequence_length),
                                        int(sampling_rate), batch_size, buffer, seed)
    offsets = np.arange(sequence_length) * sampling_rate
    load = functools.partial(_windows, window, aligned, positions, offsets)
    return NumpyDataset.from_loader(load, len(positions), batch_size)
