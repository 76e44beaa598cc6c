"""``keras.ops.core``: conversion, casting, slicing/scatter and control flow."""

from mini_keras.ops.core.control_flow import *
from mini_keras.ops.core.tensors import *
from mini_keras.ops.declare import family_names as _family_names

__all__ = [name for name in _family_names("core")]
