"""Backend contract, random streams. ``seed`` is an int tensor or sequence of shape (2,) = (seed,
counter); the same seed gives the same numbers on the same backend.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``."""


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples."""


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples restricted to ``[mean - 2 stddev, mean + 2 stddev]`` (floatx default)."""


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """For 2-D ``logits`` (batch, classes): ``num_samples`` class indices per row drawn with
    probabilities ``softmax(logits)``; shape ``(batch, num_samples)``."""


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """Uniform integers in ``[minval, maxval)``."""


def random_shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` in a random order (one permutation)."""
