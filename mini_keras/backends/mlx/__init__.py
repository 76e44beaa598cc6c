"""The MLX backend: every function of :mod:`mini_keras.backends.contract`, on ``mlx.core``.

MLX arrays are immutable and lazy: a Variable's handle is its current array, re-bound on
assign; ``value_and_grad`` is ``mx.value_and_grad`` over the StatelessScope-pure step (as on
JAX); ``compile`` runs that pure step and ``mx.eval``-uates its new state every call. Float32 by
default; float64 exists on the CPU only (elsewhere a clear ``TypeError``).
"""

import sys

from mini_keras.backends import contract as _contract
from mini_keras.backends import functional_optim as _functional_optim
from mini_keras.backends.mlx import (
    control_flow as _control_flow,
)
from mini_keras.backends.mlx import (
    conv as _conv,
)
from mini_keras.backends.mlx import (
    core as _core,
)
from mini_keras.backends.mlx import (
    math as _math,
)
from mini_keras.backends.mlx import (
    nn as _nn,
)
from mini_keras.backends.mlx import (
    nn_ext as _nn_ext,
)
from mini_keras.backends.mlx import (
    numpy_ext as _numpy_ext,
)
from mini_keras.backends.mlx import (
    random as _random,
)
from mini_keras.backends.mlx import (
    rnn as _rnn,
)
from mini_keras.backends.mlx import (
    shape as _shape,
)

FRAMEWORK = "mlx"
PIP_EXTRA = "mini_keras[mlx]"
CAPABILITIES = frozenset({"float64", "float16", "bfloat16", "bfloat16_storage", "autodiff",
                          "accelerators"})

# Every contract name, taken from the first of these modules that defines it (core's ``shape``
# function, not the ``shape`` submodule). The fused optimizer updates are bound below.
_SOURCES = (_core, _random, _control_flow, _math, _nn, _conv, _shape, _nn_ext, _numpy_ext, _rnn)
__all__ = list(_contract.functions())  # every contract function, by name

_module = sys.modules[__name__]
for _name in __all__:
    for _source in _SOURCES:
        _fn = getattr(_source, _name, None)
        if callable(_fn) and not isinstance(_fn, type(sys)):
            setattr(_module, _name, _fn)
            break

# Fused optimizer updates: pure functions over this backend's ops (as JAX's and TF's).
adam_update, sgd_update = _functional_optim.bind(_module)

# MLX's operators (``mx_array * variable``) convert the other operand through the
# ``__mlx_array__`` protocol, so Variables join MLX arithmetic as they do numpy's.
from mini_keras.core.variable import Variable as _Variable

_Variable.__mlx_array__ = lambda self: self.value

_missing = [n for n in __all__ if not callable(getattr(_module, n, None))]
if _missing:
    raise ImportError(f"The MLX backend does not implement contract functions {_missing}.")
del _name, _source, _fn, _missing
