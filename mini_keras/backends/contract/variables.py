"""Backend contract, native storage behind a Variable. Functions receive and return handles, never
``Variable`` objects.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def variable_create(value, dtype, trainable):
    """Create the native storage for a Variable from an initial array/tensor; return a handle.

    (tensorflow: a ``tf.Variable``; torch: a tensor on the device; numpy/jax: an array.)
    """


def variable_read(handle):
    """Return the variable's current value as something every op of this backend accepts."""


def variable_assign(handle, value):
    """Store ``value`` (same shape and dtype) into the variable; return the (possibly new) handle."""
