"""Recurrent layers: SimpleRNN, LSTM, GRU, the cells and RNN, ConvLSTM1D/2D/3D, and the wrappers
Bidirectional and TimeDistributed.

``base`` holds the shared recurrent machinery (the loop over time), ``cell_math`` the weights
and step of each recurrence, ``cells`` the three layers, ``cell_layers`` the cells,
``rnn_layer`` the RNN layer running any cell, ``conv_lstm`` ConvLSTM1D/2D/3D, ``wrappers`` the
layers that wrap another layer.
"""

from mini_keras.layers.rnn import cell_layers, cells, conv_lstm, rnn_layer, wrappers
from mini_keras.layers.rnn.cell_layers import *
from mini_keras.layers.rnn.cells import *
from mini_keras.layers.rnn.conv_lstm import *
from mini_keras.layers.rnn.rnn_layer import *
from mini_keras.layers.rnn.wrappers import *

__all__ = (cells.__all__ + cell_layers.__all__ + rnn_layer.__all__ + conv_lstm.__all__
           + wrappers.__all__)
