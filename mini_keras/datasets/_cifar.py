"""Shared reader for the CIFAR-10/100 "python version" batches (pickled dicts)."""

from __future__ import annotations

import numpy as np

from mini_keras import config
from mini_keras.datasets._safe_pickle import load_pickle


def load_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, np.ndarray]:
    """Read one batch file: ``(data (n, 3, 32, 32) uint8, labels (n,) uint8)``.

    The batches were pickled by Python 2, so they are read with ``encoding="bytes"`` and the
    restricted unpickler (numpy arrays only).
    """
    raw = load_pickle(fpath, encoding="bytes")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in raw.items()}
    data = np.asarray(batch["data"], dtype="uint8").reshape(-1, 3, 32, 32)
    return data, np.asarray(batch[label_key], dtype="uint8")


def to_image_format(x: np.ndarray) -> np.ndarray:
    """Channels-first batches to ``config.image_data_format()`` (channels_last by default)."""
    return x.transpose(0, 2, 3, 1) if config.image_data_format() == "channels_last" else x
