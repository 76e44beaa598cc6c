"""``keras.backend``: Keras 3's backend utilities (names, dtypes, session state).

Not to be confused with ``mini_keras.backends``, the package of backend implementations.
"""

from mini_keras.backend.dtypes import is_float_dtype, is_int_dtype, result_type, standardize_dtype
from mini_keras.backend.session import clear_session, get_uid, is_keras_tensor
from mini_keras.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

__all__ = [
    "backend",
    "clear_session",
    "epsilon",
    "floatx",
    "get_uid",
    "image_data_format",
    "is_float_dtype",
    "is_int_dtype",
    "is_keras_tensor",
    "result_type",
    "set_epsilon",
    "set_floatx",
    "set_image_data_format",
    "standardize_dtype",
]
