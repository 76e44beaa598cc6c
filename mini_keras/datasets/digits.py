"""The 8x8 handwritten digits bundled with scikit-learn (1,797 images; no download needed).

This is mini_keras' offline dataset: ``python -m mini_keras.compare`` and the MNIST examples use
it when MNIST cannot be downloaded. The images come from the UCI "Optical Recognition of
Handwritten Digits" set (pixel values 0-16).
"""

from __future__ import annotations

import numpy as np


def load_data(test_split: float = 0.2, seed: int = 0):
    """Load the digits, split into train and test sets.

    Args:
        test_split: fraction of the shuffled images kept for the test set.
        seed: shuffling seed.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (n, 8, 8) with pixel
        values 0-16 and uint8 labels 0-9 (1,437 train / 360 test with the defaults).

    Raises:
        ImportError: scikit-learn (which ships the data) is not installed.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("mini_keras.datasets.digits reads the copy bundled with scikit-learn: "
                          "pip install scikit-learn") from e
    bunch = load_digits()
    x = bunch.images.astype("uint8")
    y = bunch.target.astype("uint8")
    indices = np.random.RandomState(seed).permutation(len(x))
    x, y = x[indices], y[indices]
    split = len(x) - round(len(x) * test_split)
    return (x[:split], y[:split]), (x[split:], y[split:])
