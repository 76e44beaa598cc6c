"""``mini_keras.models``: Model, Sequential and the functional API."""

from mini_keras.models.functional import Functional
from mini_keras.models.model import Model
from mini_keras.models.sequential import Sequential

__all__ = ["Model", "Sequential", "Functional"]
