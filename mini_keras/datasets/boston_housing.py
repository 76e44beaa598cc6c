"""Boston housing prices: 506 suburbs, 13 features, median home value in k$ (a regression set)."""

from __future__ import annotations

import numpy as np

from mini_keras.datasets._files import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113):
    """Load Boston housing (downloaded once, checksum-verified).

    Args:
        path: file name in the cache.
        test_split: fraction of the shuffled samples kept for the test set, in [0, 1).
        seed: shuffling seed.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays (404, 13), (404,), (102, 13),
        (102,) with the default split.
    """
    if not 0 <= test_split < 1:
        raise ValueError(f"boston_housing.load_data: test_split must be in [0, 1), received "
                         f"{test_split}")
    with np.load(get_file(path, ORIGIN_FOLDER + "boston_housing.npz", FILE_HASH),
                 allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
