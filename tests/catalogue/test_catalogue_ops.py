"""Ops added for Keras 3 parity, on every backend: values equal numpy's and Keras 3's, dtypes
equal Keras 3's, and bad arguments are named."""

import numpy as np
import pytest
from catalogue_helpers import keras_numpy, ours_numpy, real_keras

from mini_keras import ops

WINDOWS = ["hanning", "hamming", "blackman", "bartlett"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("points", [0, 1, 2, 7, 16])
def test_window_matches_numpy_and_keras(backend, name, points):
    got = ours_numpy(getattr(ops, name)(points))
    expected = keras_numpy(getattr(real_keras().ops, name)(points))
    assert got.dtype == expected.dtype and got.shape == expected.shape == (points,)
    # float32 cosines of angles up to 2 pi: a few ulps of 1 (Keras rounds differently)
    np.testing.assert_allclose(got, getattr(np, name)(points), rtol=0, atol=5e-7)
    np.testing.assert_allclose(got, expected, rtol=0, atol=5e-7)


def test_window_needs_an_int():
    with pytest.raises(TypeError, match=r"ops.hanning: `x` must be a Python int"):
        ops.hanning(3.5)
