"""Shared helpers of the catalogue tests: Keras 3 as the reference, numbers on every backend."""

from __future__ import annotations

import os

import numpy as np
import pytest

from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

F32_RTOL = 1e-5  # float32: a few ulps through a handful of ops
F32_ATOL = 1e-6


def real_keras():
    """Keras 3 (the behaviour reference), or skip."""
    return pytest.importorskip("keras")


def keras_numpy(value) -> np.ndarray:
    """A Keras 3 result as numpy."""
    return np.asarray(real_keras().ops.convert_to_numpy(value))


def ours_numpy(value) -> np.ndarray:
    """One of our results (any backend's tensor) as numpy."""
    return np.asarray(ops.convert_to_numpy(value))


def numeric_gradient(fn, x: np.ndarray, eps: float = 1e-5, keras_fn: bool = False) -> np.ndarray:
    """Central finite differences of ``sum(fn(x))`` in float64.

    ``fn`` runs on our numpy backend, or is a Keras 3 function when ``keras_fn`` (an
    independent float64 reference: make Keras objects with ``dtype="float64"``).
    """
    from mini_keras import backends
    x = np.asarray(x, np.float64)
    out = np.zeros_like(x)
    to_numpy = keras_numpy if keras_fn else ours_numpy
    with backends.backend_scope("numpy"):
        for idx in np.ndindex(x.shape):
            up, down = x.copy(), x.copy()
            up[idx] += eps
            down[idx] -= eps
            out[idx] = (float(np.sum(to_numpy(fn(up)))) -
                        float(np.sum(to_numpy(fn(down))))) / (2 * eps)
    return out


def gradient(fn, x: np.ndarray) -> np.ndarray:
    """The gradient of ``sum(fn(x))`` on the current backend."""
    def loss(values):
        return ops.sum(fn(values[0]))

    _, grads = ops.value_and_grad(loss)([ops.convert_to_tensor(x)])
    return ours_numpy(grads[0])
