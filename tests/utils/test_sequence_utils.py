"""pad_sequences against Keras 3 on the same inputs."""

import numpy as np
import pytest

import mini_keras

keras = pytest.importorskip("keras")

SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize("kwargs", [
    {},
    {"maxlen": 3},
    {"maxlen": 4, "padding": "post"},
    {"maxlen": 2, "truncating": "post", "value": -1},
    {"maxlen": 6, "dtype": "float32", "value": 0.5},
])
def test_pad_sequences_matches_keras(kwargs):
    ours = mini_keras.utils.pad_sequences(SEQUENCES, **kwargs)
    ref = keras.utils.pad_sequences(SEQUENCES, **kwargs)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)


def test_pad_sequences_multidimensional_and_errors():
    seqs = [np.ones((2, 3)), np.zeros((1, 3))]
    np.testing.assert_array_equal(mini_keras.utils.pad_sequences(seqs, dtype="float32"),
                                  keras.utils.pad_sequences(seqs, dtype="float32"))
    with pytest.raises(ValueError, match="padding must be"):
        mini_keras.utils.pad_sequences(SEQUENCES, padding="middle")
    with pytest.raises(ValueError, match="non-iterable 3 at index 1"):
        mini_keras.utils.pad_sequences([[1], 3])
