"""``mini_keras.random``: seeded random tensors on the current backend.

``seed`` is an int, a :class:`SeedGenerator` (a new draw per call: use this inside layers and
compiled steps) or None (a fresh, unreproducible draw). The same seed gives the same numbers on
the same backend; the streams of the four backends differ (each uses its framework's generator:
numpy ``default_rng``, ``torch.Generator``, JAX keys, TensorFlow stateless ops). Initial weights
are drawn on the host instead (see ``mini_keras.initializers``), so they match everywhere.
"""

from __future__ import annotations

import numbers

import numpy as np

from mini_keras import ops
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.ops.backend_calls import backend_function

__all__ = [
    "SeedGenerator",
    "categorical",
    "dropout",
    "normal",
    "randint",
    "shuffle",
    "truncated_normal",
    "uniform",
]


# The backends' random samplers (run on the current backend, Variables unwrapped); the public
# functions below check their arguments and pass the seed.
_random_uniform = backend_function("random_uniform")
_random_normal = backend_function("random_normal")
_random_truncated_normal = backend_function("random_truncated_normal")
_random_categorical = backend_function("random_categorical")
_random_randint = backend_function("random_randint")
_random_shuffle = backend_function("random_shuffle")


def _seed(seed):
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return None
    return np.array([int(seed) % 2**31, 0], dtype="int32")


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``.

    Args:
        shape: output shape.
        minval, maxval: the range.
        dtype: float dtype (floatx by default).
        seed: int, SeedGenerator or None.
    """
    return _random_uniform(tuple(shape), minval, maxval, dtype, _seed(seed))


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples.

    Args:
        shape: output shape.
        mean, stddev: the distribution's parameters.
        dtype: float dtype (floatx by default).
        seed: int, SeedGenerator or None.
    """
    return _random_normal(tuple(shape), mean, stddev, dtype, _seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn until within two standard deviations of the mean.

    Args:
        shape: output shape.
        mean, stddev: parameters of the untruncated normal.
        dtype: float dtype (floatx by default).
        seed: int, SeedGenerator or None.
    """
    return _random_truncated_normal(tuple(shape), mean, stddev, dtype, _seed(seed))


def categorical(logits, num_samples, dtype="int32", seed=None):
    """Draw class indices with probabilities ``softmax(logits)``, independently per row.

    Args:
        logits: 2-D tensor ``(batch, classes)`` of unnormalized log-probabilities.
        num_samples: draws per row.
        dtype: int dtype of the result.
        seed: int, SeedGenerator or None.

    Returns:
        int tensor ``(batch, num_samples)``.
    """
    logits = ops.convert_to_tensor(logits)
    if len(ops.shape(logits)) != 2:
        raise ValueError("random.categorical: `logits` must be 2-D (batch, classes), received "
                         f"shape {tuple(ops.shape(logits))}.")
    if not isinstance(num_samples, numbers.Integral) or num_samples < 1:
        raise ValueError("random.categorical: `num_samples` must be a positive int, received "
                         f"{num_samples!r}.")
    return _random_categorical(logits, int(num_samples), dtype, _seed(seed))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Uniform integers in ``[minval, maxval)``.

    Args:
        shape: output shape.
        minval, maxval: the range (``minval < maxval``).
        dtype: int dtype of the result.
        seed: int, SeedGenerator or None.
    """
    if "int" not in str(dtype):
        raise TypeError(f"random.randint: `dtype` must be an integer dtype, received {dtype!r}.")
    if int(minval) >= int(maxval):
        raise ValueError(f"random.randint: `minval` must be < `maxval`, received {minval} and "
                         f"{maxval}.")
    return _random_randint(tuple(shape), int(minval), int(maxval), dtype, _seed(seed))


def shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` in a random order.

    Args:
        x: tensor.
        axis: the shuffled axis.
        seed: int, SeedGenerator or None.
    """
    x = ops.convert_to_tensor(x)
    rank = len(ops.shape(x))
    if not isinstance(axis, numbers.Integral) or not -rank <= axis < rank:
        raise ValueError(f"random.shuffle: `axis`={axis!r} is out of range for a tensor of rank "
                         f"{rank}.")
    return _random_shuffle(x, int(axis) % rank, _seed(seed))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zero each entry with probability ``rate``; scale the kept ones by ``1 / (1 - rate)``.

    Args:
        inputs: tensor.
        rate: drop probability in ``[0, 1)``.
        noise_shape: shape of the keep mask (broadcast to ``inputs``); None entries take the
            input's size.
        seed: int, SeedGenerator or None.
    """
    inputs = ops.convert_to_tensor(inputs)
    dtype = ops.dtype(inputs)
    shape = tuple(noise_shape) if noise_shape is not None else tuple(ops.shape(inputs))
    shape = tuple(s if s is not None else d for s, d in zip(shape, ops.shape(inputs)))
    keep = ops.greater_equal(_random_uniform(shape, 0.0, 1.0, dtype, _seed(seed)), rate)
    return ops.where(keep, ops.divide(inputs, 1.0 - rate), ops.zeros((), dtype=dtype))
