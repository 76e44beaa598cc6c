"""MNIST handwritten digits: 60,000 + 10,000 grayscale 28x28 images of the digits 0-9."""

from __future__ import annotations

import numpy as np

from mini_keras.datasets._files import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz"):
    """Load MNIST (downloaded once into the cache, checksum-verified).

    Args:
        path: file name in the cache (``~/.mini_keras/datasets`` or ``$MINI_KERAS_HOME``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (60000, 28, 28),
        (60000,), (10000, 28, 28), (10000,); pixels in 0-255, labels 0-9.
    """
    path = get_file(path, ORIGIN_FOLDER + "mnist.npz", FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
