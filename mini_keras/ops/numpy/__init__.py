"""``keras.ops.numpy``: the numpy-like family (also exported flat as ``keras.ops.<name>``)."""

from mini_keras.ops.declare import family_names as _family_names
from mini_keras.ops.numpy.bitwise import *
from mini_keras.ops.numpy.complex_parts import *
from mini_keras.ops.numpy.creation import *
from mini_keras.ops.numpy.elementwise import *
from mini_keras.ops.numpy.logic import *
from mini_keras.ops.numpy.nan_reductions import *
from mini_keras.ops.numpy.products import *
from mini_keras.ops.numpy.reductions import *
from mini_keras.ops.numpy.rounding import *
from mini_keras.ops.numpy.sets import *
from mini_keras.ops.numpy.shapes import *
from mini_keras.ops.numpy.special import *
from mini_keras.ops.numpy.statistics import *
from mini_keras.ops.numpy.vectorize import *
from mini_keras.ops.numpy.windows import *

__all__ = [name for name in _family_names("numpy")]
