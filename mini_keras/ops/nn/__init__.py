"""``keras.ops.nn``: activations, normalization, convolution/attention and losses."""

from mini_keras.ops.declare import family_names as _family_names
from mini_keras.ops.nn.activations import *
from mini_keras.ops.nn.adaptive_pool import *
from mini_keras.ops.nn.conv import *
from mini_keras.ops.nn.ctc import *
from mini_keras.ops.nn.losses import *
from mini_keras.ops.nn.normalization import *
from mini_keras.ops.nn.patches import *

__all__ = [name for name in _family_names("nn")]
