"""Utilities: seeding, data helpers, plotting."""

from mini_keras.backend import clear_session, is_keras_tensor, standardize_dtype
from mini_keras.config import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)
from mini_keras.saving import (
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    serialize_keras_object,
)
from mini_keras.utils import bounding_boxes, legacy
from mini_keras.utils.audio_dataset import audio_dataset_from_directory
from mini_keras.utils.data import normalize, to_categorical
from mini_keras.utils.file_utils import get_file
from mini_keras.utils.graph_utils import get_source_inputs
from mini_keras.utils.image_dataset import image_dataset_from_directory
from mini_keras.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from mini_keras.utils.model_visualization import model_to_dot, plot_model
from mini_keras.utils.named_config import Config
from mini_keras.utils.numpy_dataset import NumpyDataset
from mini_keras.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight
from mini_keras.utils.plotting import plot_history
from mini_keras.utils.progbar import Progbar
from mini_keras.utils.py_dataset import PyDataset
from mini_keras.utils.rng import set_random_seed
from mini_keras.utils.sequence_utils import pad_sequences
from mini_keras.utils.split_dataset import split_dataset
from mini_keras.utils.text_dataset import text_dataset_from_directory
from mini_keras.utils.timeseries_dataset import timeseries_dataset_from_array

CustomObjectScope = custom_object_scope  # Keras 3 exports the class under both names
Sequence = PyDataset  # Keras 3's older name for PyDataset

__all__ = [
    "Config",
    "CustomObjectScope",
    "FeatureSpace",
    "NumpyDataset",
    "Progbar",
    "PyDataset",
    "Sequence",
    "array_to_img",
    "audio_dataset_from_directory",
    "bounding_boxes",
    "clear_session",
    "custom_object_scope",
    "deserialize_keras_object",
    "disable_interactive_logging",
    "enable_interactive_logging",
    "get_custom_objects",
    "get_file",
    "get_registered_name",
    "get_registered_object",
    "get_source_inputs",
    "image_dataset_from_directory",
    "img_to_array",
    "is_interactive_logging_enabled",
    "is_keras_tensor",
    "legacy",
    "load_img",
    "model_to_dot",
    "normalize",
    "pack_x_y_sample_weight",
    "pad_sequences",
    "plot_history",
    "plot_model",
    "register_keras_serializable",
    "save_img",
    "serialize_keras_object",
    "set_random_seed",
    "split_dataset",
    "standardize_dtype",
    "text_dataset_from_directory",
    "timeseries_dataset_from_array",
    "to_categorical",
    "unpack_x_y_sample_weight",
]


def __getattr__(name):
    """``FeatureSpace`` is built of layers, which import this package: load it on first use."""
    if name == "FeatureSpace":
        from mini_keras.utils.feature_space import FeatureSpace
        return FeatureSpace
    raise AttributeError(f"module 'mini_keras.utils' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), "FeatureSpace"})
