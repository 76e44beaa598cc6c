"""``mini_keras.layers``: the Keras 3 layer classes."""

from mini_keras.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten"]
