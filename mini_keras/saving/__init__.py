"""``mini_keras.saving``: the ``.keras`` format, weights files and object (de)serialization.

Files are Keras 3 compatible in both directions: a model saved here loads in Keras 3 and a
model saved by Keras 3 (with layers mini_keras has) loads here, on any backend.
"""

from mini_keras.saving.object_registration import (
                                                   CustomObjectScope,
                                                   custom_object_scope,
                                                   get_custom_objects,
                                                   get_registered_name,
                                                   get_registered_object,
                                                   register_keras_serializable,
)
from mini_keras.saving.saving_lib import load_model, load_weights, save_model, save_weights
from mini_keras.saving.serialization import deserialize_keras_object, serialize_keras_object

__all__ = [
                                                   "CustomObjectScope",
                                                   "custom_object_scope",
                                                   "deserialize_keras_object",
                                                   "get_custom_objects",
                                                   "get_registered_name",
                                                   "get_registered_object",
                                                   "load_model",
                                                   "load_weights",
                                                   "register_keras_serializable",
                                                   "save_model",
                                                   "save_weights",
                                                   "serialize_keras_object",
]
