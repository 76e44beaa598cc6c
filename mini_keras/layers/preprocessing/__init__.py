"""Keras 3's preprocessing layers (``keras.layers.TextVectorization``, ``RandomFlip``...).

Strings never reach a backend: text and lookup layers take numpy ``str``/``bytes``/object
arrays (or a ``tf.string`` tensor) and compute on the host, then hand integer or float
results to the layer's backend. Each module lists its public classes in ``__all__``; this
package re-exports exactly those.
"""

from mini_keras.layers.preprocessing import (
    categorical,
    crossing,
    image_adjust,
    image_clahe,
    image_color,
    image_geometry,
    image_mix,
    image_policies,
    image_random,
    image_warp,
    index_lookup,
    normalization_layers,
    pipeline,
    spectrogram,
    text_vectorization,
)
from mini_keras.layers.preprocessing.categorical import *
from mini_keras.layers.preprocessing.crossing import *
from mini_keras.layers.preprocessing.image_adjust import *
from mini_keras.layers.preprocessing.image_clahe import *
from mini_keras.layers.preprocessing.image_color import *
from mini_keras.layers.preprocessing.image_geometry import *
from mini_keras.layers.preprocessing.image_mix import *
from mini_keras.layers.preprocessing.image_policies import *
from mini_keras.layers.preprocessing.image_random import *
from mini_keras.layers.preprocessing.image_warp import *
from mini_keras.layers.preprocessing.index_lookup import *
from mini_keras.layers.preprocessing.normalization_layers import *
from mini_keras.layers.preprocessing.pipeline import *
from mini_keras.layers.preprocessing.spectrogram import *
from mini_keras.layers.preprocessing.text_vectorization import *

__all__ = [name for module in (categorical, crossing, image_adjust, image_clahe, image_color,
                               image_geometry, image_mix, image_policies, image_random,
                               image_warp, index_lookup, normalization_layers, pipeline,
                               spectrogram, text_vectorization)
           for name in module.__all__]
