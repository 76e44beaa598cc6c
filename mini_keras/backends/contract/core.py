"""Backend contract, tensors, dtypes, devices and creation: what every other function builds on.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def device():
    """Return the device tensors are placed on, e.g. "cpu" or "cuda:0"."""


def convert_to_tensor(x, dtype=None):
    """Convert ``x`` (scalar, list, numpy array, tensor) to a backend tensor, optionally casting.

    Python floats/lists of floats become ``floatx()``; numpy arrays keep their dtype.
    """


def convert_to_numpy(x):
    """Return ``x`` as a numpy array (host copy; detached from any gradient graph)."""


def convert_step_input(x):
    """Prepare one host batch array (numpy) for a step: a backend tensor, or ``x`` itself where
    the compiled step takes numpy faster than a conversion would (JAX's jit dispatch)."""


def is_tensor(x):
    """Return True if ``x`` is a tensor of this backend."""


def shape(x):
    """Return the static shape of ``x`` as a tuple of Python ints."""


def dtype(x):
    """Return the canonical dtype name of ``x`` (e.g. "float32")."""


def cast(x, dtype):
    """Return ``x`` converted to ``dtype`` (no copy when already that dtype)."""


def stop_gradient(x):
    """Return ``x`` treated as a constant by differentiation."""


def zeros(shape, dtype=None):
    """Tensor of zeros."""


def ones(shape, dtype=None):
    """Tensor of ones."""


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value``."""


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (int32 for int arguments, else floatx)."""


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the ``k``-th diagonal."""
