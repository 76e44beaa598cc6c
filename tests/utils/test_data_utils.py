"""normalize against Keras 3."""

import numpy as np
import pytest

import mini_keras

keras = pytest.importorskip("keras")


@pytest.mark.parametrize("axis, order", [(-1, 2), (1, 1), (-1, 1)])
def test_normalize_matches_keras(axis, order):
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    x[1] = 0.0
    ours = mini_keras.utils.normalize(x, axis=axis, order=order)
    ref = keras.utils.normalize(x, axis=axis, order=order)
    assert ours.dtype == ref.dtype
    np.testing.assert_allclose(ours, ref, rtol=1e-6)


def test_normalize_axis_0_normalizes_columns():
    x = np.array([[3.0, 0.0], [4.0, 0.0]], dtype="float32")
    np.testing.assert_allclose(mini_keras.utils.normalize(x, axis=0), [[0.6, 0], [0.8, 0]])
