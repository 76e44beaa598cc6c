"""Recurrent layers (SimpleRNN, LSTM, GRU) and the wrappers Bidirectional and TimeDistributed.

``base`` holds the shared recurrent machinery, ``cells`` the three recurrences, ``wrappers`` the
layers that wrap another layer.
"""

from mini_keras.layers.rnn import cells, wrappers
from mini_keras.layers.rnn.cells import *
from mini_keras.layers.rnn.wrappers import *

__all__ = cells.__all__ + wrappers.__all__
