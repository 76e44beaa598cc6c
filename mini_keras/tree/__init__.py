"""``keras.tree``: utilities for nested structures (Keras 3's names and semantics)."""

from mini_keras.tree import tree_api
from mini_keras.tree.tree_api import *

__all__ = tree_api.__all__
