"""Utilities: seeding, data helpers, plotting."""

from mini_keras.utils.rng import set_random_seed
from mini_keras.utils.data import to_categorical
from mini_keras.utils.plotting import plot_history

__all__ = ["set_random_seed", "to_categorical", "plot_history"]
