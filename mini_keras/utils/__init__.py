"""Utilities: seeding, data helpers, plotting."""

from mini_keras.utils.data import normalize, to_categorical
from mini_keras.utils.file_utils import get_file
from mini_keras.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from mini_keras.utils.plotting import plot_history
from mini_keras.utils.py_dataset import PyDataset
from mini_keras.utils.rng import set_random_seed
from mini_keras.utils.sequence_utils import pad_sequences

__all__ = [
    "PyDataset",
    "get_file",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_history",
    "set_random_seed",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
