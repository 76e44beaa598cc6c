"""Public numpy-like and linear-algebra ops beyond the core set (Keras 3 ``keras.ops`` names).

Ops that are contract primitives (:mod:`mini_keras.backends.contract_numpy_ext`) dispatch with
:func:`~mini_keras.ops.dispatch.make_op`; the rest are composites written once from other backend
functions, so they behave and differentiate identically on every backend. Arguments are checked
before dispatch, so a bad call fails with the same message everywhere:
``ops.<name>: `<argument>` ...``. Shape, axis and ``q``-like arguments must be static (Python
values), as under ``jax.jit``.

The ops live in private modules by family: ``_elementwise``, ``_reductions`` (reductions, scans,
search), ``_arrays`` (creation and shapes), ``_products`` and ``_linalg``.
"""

from mini_keras.ops import _arrays, _elementwise, _linalg, _products, _reductions
from mini_keras.ops._arrays import *
from mini_keras.ops._elementwise import *
from mini_keras.ops._linalg import *
from mini_keras.ops._products import *
from mini_keras.ops._reductions import *

__all__ = []
__all__ += _elementwise.__all__
__all__ += _reductions.__all__
__all__ += _arrays.__all__
__all__ += _products.__all__
__all__ += _linalg.__all__
