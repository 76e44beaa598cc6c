"""numpy backend, the extra samplers: random_truncated_normal, random_categorical, random_randint,
random_shuffle."""

from __future__ import annotations

import numpy as np

from mini_keras.backends.numpy.autodiff import data as _arr
from mini_keras.backends.numpy.core import _rng, _shape_tuple, as_input, floatx_dtype, np_dtype
from mini_keras.backends.numpy.shapes import take


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples within two standard deviations (rejection sampling)."""
    rng, shape = _rng(seed), _shape_tuple(shape)
    sample = rng.standard_normal(shape)
    bad = np.abs(sample) > 2
    while bad.any():
        sample[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(sample) > 2
    target = floatx_dtype() if dtype is None else np_dtype(dtype)
    return (float(_arr(mean)) + float(_arr(stddev)) * sample).astype(target)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """Class indices drawn with probabilities ``softmax(logits)`` (Gumbel-max trick)."""
    a = np.asarray(_arr(as_input(logits)), dtype=np.float64)
    gumbel = -np.log(-np.log(_rng(seed).random((a.shape[0], int(num_samples), a.shape[1]))))
    return np.argmax(a[:, None, :] + gumbel, axis=-1).astype(np_dtype(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """Uniform integers in ``[minval, maxval)``."""
    out = _rng(seed).integers(int(_arr(minval)), int(_arr(maxval)), _shape_tuple(shape))
    return out.astype(np_dtype(dtype))


def random_shuffle(x, axis=0, seed=None):
    """Permute the slices of ``x`` along ``axis``."""
    x = as_input(x)
    order = _rng(seed).permutation(_arr(x).shape[axis])
    return take(x, order, axis=axis)
