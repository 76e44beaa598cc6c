"""``mini_keras.ops``: the Keras 3 op namespace, dispatched to the current backend.

Every op runs on whichever backend is current (the default backend, or the backend of the
layer/model whose code is running). Arguments may be Python scalars, numpy arrays, backend tensors,
:class:`~mini_keras.core.variable.Variable` objects, or KerasTensors (the call then becomes a node
of a functional model). Each op is declared once, in the module of its Keras 3 family
(:mod:`.numpy`, :mod:`.nn`, :mod:`.linalg`, :mod:`.math`, :mod:`.core`, :mod:`.einops`,
:mod:`.image`), with ``@primitive`` or ``@composite`` (:mod:`mini_keras.ops.declare`); all of
them are also exported here, flat, as in Keras 3 (except the image family, as in Keras 3).
"""

from mini_keras.ops import core, einops, image, linalg, math, nn, numpy  # noqa: F401 - Keras 3 submodules
from mini_keras.ops.core import *
from mini_keras.ops.declare import REGISTRY as _REGISTRY
from mini_keras.ops.einops import *
from mini_keras.ops.linalg import *
from mini_keras.ops.math import *
from mini_keras.ops.nn import *
from mini_keras.ops.numpy import *

__all__ = [n for n, info in _REGISTRY.items() if info.family != "image"]
