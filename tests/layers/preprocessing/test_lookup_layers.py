"""StringLookup / IntegerLookup on every backend, against Keras 3 on the same inputs."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

WORDS = np.array([["a", "z"], ["c", "b"], ["c", "c"]])
VOCAB = ["a", "b", "c"]


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _same(ours, theirs):
    ours, theirs = _np(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    if theirs.dtype.kind in "iu":
        np.testing.assert_array_equal(ours, theirs)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("inputs", [WORDS, WORDS[:, 0]], ids=["rank2", "rank1"])
def test_string_lookup_modes_match_keras(backend, mode, inputs):
    ours = keras.layers.StringLookup(vocabulary=VOCAB, output_mode=mode)
    theirs = real.layers.StringLookup(vocabulary=VOCAB, output_mode=mode)
    _same(ours(inputs), theirs(inputs))
    assert ours.get_vocabulary() == [str(t) for t in theirs.get_vocabulary()]
    if mode == "int":
        assert _np(ours(inputs)).dtype == np.int64 or backend == "jax"


def test_string_lookup_tf_idf_oov_mask_invert(backend):
    idf = [0.5, 1.0, 2.0]
    for kwargs in ({"output_mode": "tf_idf", "idf_weights": idf}, {"num_oov_indices": 3},
                   {"mask_token": ""}, {"num_oov_indices": 0}):
        ours = keras.layers.StringLookup(vocabulary=VOCAB, **kwargs)
        theirs = real.layers.StringLookup(vocabulary=VOCAB, **kwargs)
        data = (np.array(["a", "b", "c", "a"]) if kwargs.get("num_oov_indices") == 0 else
                np.array(["a", "", "zz", "yy", "x", "c", "qqqqqqqqqqqqqqqqqqqqqq"]))
        _same(ours(data), theirs(data))
        assert ours.get_vocabulary() == [str(t) for t in theirs.get_vocabulary()]
    inverse = keras.layers.StringLookup(vocabulary=VOCAB, invert=True)
    out = inverse(np.array([[1, 3], [0, 2]]))
    ref = real.layers.StringLookup(vocabulary=VOCAB, invert=True)(np.array([[1, 3], [0, 2]]))
    assert [[str(v) for v in row] for row in np.asarray(out)] == [
        [v.decode() for v in row] for row in np.asarray(ref)]


def test_string_lookup_adapt_order_and_max_tokens(backend):
    data = np.array(["b", "a", "c", "b", "d", "a", "e", "b", "é", "é"])
    for kwargs in ({}, {"max_tokens": 4}, {"mask_token": "[MASK]"}):
        ours, theirs = keras.layers.StringLookup(**kwargs), real.layers.StringLookup(**kwargs)
        ours.adapt(data)
        theirs.adapt(data)
        assert ours.get_vocabulary() == [str(t) for t in theirs.get_vocabulary()]
        _same(ours(data), theirs(data))


def test_integer_lookup_matches_keras(backend):
    vocab = [12, 36, 1138]
    ints = np.array([[12, 1138], [42, 0]])
    for kwargs in ({}, {"mask_token": 0}, {"num_oov_indices": 2}, {"output_mode": "multi_hot"}):
        ours = keras.layers.IntegerLookup(vocabulary=vocab, **kwargs)
        theirs = real.layers.IntegerLookup(vocabulary=vocab, **kwargs)
        _same(ours(ints), theirs(ints))
    ours = keras.layers.IntegerLookup(vocabulary=vocab, invert=True)
    theirs = real.layers.IntegerLookup(vocabulary=vocab, invert=True)
    _same(ours(np.array([[1, 3], [0, 2]])), theirs(np.array([[1, 3], [0, 2]])))
    data = np.array([7, 7, 3, 9, 3, 7, 100])
    ours, theirs = keras.layers.IntegerLookup(), real.layers.IntegerLookup()
    ours.adapt(data)
    theirs.adapt(data)
    assert ours.get_vocabulary() == [int(v) for v in theirs.get_vocabulary()]


def test_lookup_config_round_trip_and_keras_config(backend):
    ours = keras.layers.StringLookup(vocabulary=VOCAB, output_mode="count", name="lk")
    config = ours.get_config()
    theirs = real.layers.StringLookup(vocabulary=VOCAB, output_mode="count", name="lk")
    assert set(config) == set(theirs.get_config())
    clone = keras.layers.StringLookup.from_config(config)
    _same(clone(WORDS), _np(ours(WORDS)))


def test_lookup_errors_name_layer_and_expected_input(backend):
    layer = keras.layers.StringLookup(vocabulary=VOCAB, name="words")
    with pytest.raises(TypeError, match="StringLookup 'words' expects strings"):
        layer(np.array([1.5, 2.0]))
    ints = keras.layers.IntegerLookup(vocabulary=[1, 2], name="ids")
    with pytest.raises(TypeError, match="IntegerLookup 'ids' expects integers"):
        ints(np.array(["a"]))
    with pytest.raises(ValueError, match="OOV values"):
        keras.layers.StringLookup(vocabulary=VOCAB, num_oov_indices=0)(np.array(["q"]))
    with pytest.raises(ValueError, match="repeated"):
        keras.layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(RuntimeError, match="set the vocabulary"):
        keras.layers.StringLookup(output_mode="multi_hot")(np.array(["a"]))
