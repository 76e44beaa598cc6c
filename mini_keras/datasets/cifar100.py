"""CIFAR-100: 50,000 + 10,000 colour 32x32 images in 100 fine / 20 coarse classes."""

from __future__ import annotations

import os

from mini_keras.datasets._cifar import load_batch, to_image_format
from mini_keras.datasets._files import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine"):
    """Load CIFAR-100 (downloaded once, checksum-verified and extracted).

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 super-classes).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (50000, 32, 32, 3),
        (50000, 1), (10000, 32, 32, 3), (10000, 1).
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"cifar100.load_data: label_mode must be 'fine' or 'coarse', "
                         f"received {label_mode!r}")
    folder = os.path.join(get_file("cifar-100-python.tar.gz", ORIGIN, FILE_HASH, extract=True),
                          "cifar-100-python")
    x_train, y_train = load_batch(os.path.join(folder, "train"), f"{label_mode}_labels")
    x_test, y_test = load_batch(os.path.join(folder, "test"), f"{label_mode}_labels")
    return ((to_image_format(x_train), y_train.reshape(-1, 1)),
            (to_image_format(x_test), y_test.reshape(-1, 1)))
