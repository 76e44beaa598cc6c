"""Utilities: seeding, data helpers, plotting."""

from mini_keras.utils.data import normalize, to_categorical
from mini_keras.utils.file_utils import get_file
from mini_keras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from mini_keras.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from mini_keras.utils.plotting import plot_history
from mini_keras.utils.py_dataset import PyDataset
from mini_keras.utils.rng import set_random_seed
from mini_keras.utils.sequence_utils import pad_sequences

__all__ = [
    "PyDataset",
    "array_to_img",
    "get_file",
    "img_to_array",
    "load_img",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_history",
    "save_img",
    "set_random_seed",
    "to_categorical",
    "unpack_x_y_sample_weight",
]
