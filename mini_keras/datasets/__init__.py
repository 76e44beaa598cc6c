"""``mini_keras.datasets``: Keras 3's small datasets, downloaded once and cached.

Each module has ``load_data()`` with Keras 3's signature and return shapes. Files are fetched
from the canonical URLs into ``~/.mini_keras/datasets`` (or ``$MINI_KERAS_HOME/datasets``), their
checksum is verified, and later calls read the cache. Offline, the first call fails with a
message naming the URL and the cache path. ``digits`` needs no download (it ships with
scikit-learn).
"""

from mini_keras.datasets import (
    boston_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from mini_keras.datasets._files import DownloadError, cache_dir, download_timeout, get_file

__all__ = ["DownloadError", "boston_housing", "cache_dir", "cifar10", "cifar100", "digits",
           "download_timeout", "fashion_mnist", "get_file", "imdb", "mnist", "reuters"]
