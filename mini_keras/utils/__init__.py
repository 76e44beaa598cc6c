"""Utilities: seeding, data helpers, plotting."""

from mini_keras.utils.data import to_categorical
from mini_keras.utils.plotting import plot_history
from mini_keras.utils.rng import set_random_seed

__all__ = ["plot_history", "set_random_seed", "to_categorical"]
