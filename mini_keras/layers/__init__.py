"""``mini_keras.layers``: the Keras 3 layer classes.

Each module lists its public classes in ``__all__``; this package re-exports exactly those.
"""

from mini_keras.layers import (
                               activation_layers,
                               aliases,
                               attention,
                               convolutional,
                               einsum_dense,
                               embedding,
                               grouped_query_attention,
                               identity_masking,
                               interop,
                               layer_serialization,
                               merging,
                               normalization,
                               pooling,
                               preprocessing,
                               regularization,
                               reshaping,
                               rms_normalization,
                               rnn,
                               spectral_normalization,
                               wrapper,
)
from mini_keras.layers.activation_layers import *
from mini_keras.layers.aliases import *
from mini_keras.layers.attention import *
from mini_keras.layers.convolutional import *
from mini_keras.layers.core import Activation, Dense, Dropout, Flatten, Input, InputLayer
from mini_keras.layers.einsum_dense import *
from mini_keras.layers.embedding import *
from mini_keras.layers.grouped_query_attention import *
from mini_keras.layers.identity_masking import *
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.interop import *
from mini_keras.layers.lambda_layer import Lambda
from mini_keras.layers.layer import Layer
from mini_keras.layers.layer_serialization import *
from mini_keras.layers.merging import *
from mini_keras.layers.normalization import *
from mini_keras.layers.pooling import *
from mini_keras.layers.preprocessing import *
from mini_keras.layers.regularization import *
from mini_keras.layers.reshaping import *
from mini_keras.layers.rms_normalization import *
from mini_keras.layers.rnn import *
from mini_keras.layers.spectral_normalization import *
from mini_keras.layers.tfsm_layer import TFSMLayer
from mini_keras.layers.wrapper import *

__all__ = (["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout",
            "Flatten", "Lambda", "TFSMLayer"] + activation_layers.__all__ + attention.__all__ + convolutional.__all__
           + embedding.__all__ + merging.__all__ + normalization.__all__ + pooling.__all__
           + preprocessing.__all__ + regularization.__all__ + reshaping.__all__ + rnn.__all__
           + aliases.__all__ + identity_masking.__all__ + rms_normalization.__all__
           + layer_serialization.__all__ + wrapper.__all__ + einsum_dense.__all__
           + interop.__all__ + spectral_normalization.__all__ + grouped_query_attention.__all__)
