"""CIFAR-10: 50,000 + 10,000 colour 32x32 images in 10 classes."""

from __future__ import annotations

import os

import numpy as np

from mini_keras.datasets._cifar import load_batch, to_image_format
from mini_keras.datasets._files import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")


def load_data():
    """Load CIFAR-10 (the tar.gz is downloaded once, checksum-verified and extracted).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1) with channels last (channels first when
        ``config.image_data_format() == "channels_first"``).
    """
    folder = get_file("cifar-10-python.tar.gz", ORIGIN, FILE_HASH, extract=True)
    folder = os.path.join(folder, "cifar-10-batches-py")
    batches = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in batches])
    y_train = np.concatenate([y for _, y in batches]).reshape(-1, 1)
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    return (to_image_format(x_train), y_train), (to_image_format(x_test), y_test.reshape(-1, 1))
