"""Fashion-MNIST: 60,000 + 10,000 grayscale 28x28 images of 10 kinds of clothing."""

from __future__ import annotations

import gzip

import numpy as np

from mini_keras.datasets._files import get_file

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# md5 sums published in the Fashion-MNIST repository (github.com/zalandoresearch/fashion-mnist).
FILE_HASHES = {
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
}
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def _read_idx(path: str, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_data():
    """Load Fashion-MNIST (four IDX files, downloaded once and checksum-verified).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 arrays of shapes (60000, 28, 28),
        (60000,), (10000, 28, 28), (10000,); labels index :data:`CLASS_NAMES`.
    """
    paths = {name: get_file(name, ORIGIN_FOLDER + name, digest, cache_subdir="fashion-mnist")
             for name, digest in FILE_HASHES.items()}
    y_train = _read_idx(paths["train-labels-idx1-ubyte.gz"], 8)
    x_train = _read_idx(paths["train-images-idx3-ubyte.gz"], 16).reshape(len(y_train), 28, 28)
    y_test = _read_idx(paths["t10k-labels-idx1-ubyte.gz"], 8)
    x_test = _read_idx(paths["t10k-images-idx3-ubyte.gz"], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
