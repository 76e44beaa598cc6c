"""``keras.ops.math``: special functions, top-k, segment reductions and Fourier transforms.

Every op is declared once, in one of the modules below, with ``@primitive`` or ``@composite``
(see :mod:`mini_keras.ops.declare`); ``__all__`` is derived from the registry.
"""

from mini_keras.ops.declare import family_names as _family_names
from mini_keras.ops.math.fourier import *
from mini_keras.ops.math.general import *

__all__ = [name for name in _family_names("math")]
