"""CategoryEncoding, Hashing (FarmHash bins) and Discretization against Keras 3."""

import os
import random

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.layers.preprocessing.farmhash import hash_bucket

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IDS = np.array([[0, 1], [0, 0], [1, 2], [3, 1]])


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _same(ours, theirs):
    ours, theirs = _np(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_fingerprint64_equals_tensorflow_for_every_length():
    tf = pytest.importorskip("tensorflow")
    rng = random.Random(0)
    values = [bytes(rng.randrange(256) for _ in range(n)) for n in range(0, 300, 3)]
    values += ["héllo wörld".encode(), b"", b"a" * 1000]
    expected = tf.strings.to_hash_bucket_fast(values, 2**62).numpy().tolist()
    assert hash_bucket(values, 2**62) == expected


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
def test_category_encoding_matches_keras(backend, mode):
    ours = keras.layers.CategoryEncoding(num_tokens=4, output_mode=mode)
    theirs = real.layers.CategoryEncoding(num_tokens=4, output_mode=mode)
    for ids in (IDS, IDS[:, 0]):
        _same(ours(ids), theirs(ids))
    assert ours.compute_output_shape((None, 2)) == theirs.compute_output_shape((None, 2))
    if mode == "count":
        weights = np.array([[0.5, 1.0], [2.0, 1.0], [1.0, 1.0], [3.0, 0.25]], "float32")
        _same(ours(IDS, count_weights=weights), theirs(IDS, count_weights=weights))


def test_category_encoding_in_a_model_and_errors(backend):
    inputs = keras.Input(shape=(2,), dtype="int32")
    model = keras.Model(inputs, keras.layers.CategoryEncoding(5, name="ce")(inputs))
    assert model.outputs[0].shape == (None, 5)
    _same(model.predict(IDS, verbose=0), real.layers.CategoryEncoding(5)(IDS))
    with pytest.raises(ValueError, match=r"CategoryEncoding 'ce': every id must be in \[0, 5\)"):
        model.get_layer("ce")(np.array([[7, 1]]))


@pytest.mark.parametrize("kwargs", [{"num_bins": 5}, {"num_bins": 7, "mask_value": ""},
                                    {"num_bins": 4, "output_mode": "multi_hot"},
                                    {"num_bins": 3, "output_mode": "one_hot"}])
def test_hashing_strings_matches_keras(backend, kwargs):
    words = np.array([["A"], ["B"], [""], ["a much longer string, over 64 bytes " + "." * 40],
                      ["é"]])
    ours, theirs = keras.layers.Hashing(**kwargs), real.layers.Hashing(**kwargs)
    _same(ours(words), theirs(words))
    assert ours.get_config().keys() == theirs.get_config().keys()


def test_hashing_numbers_matches_keras(backend):
    ints = np.array([[1], [2], [3], [40000], [-7]])
    ours, theirs = keras.layers.Hashing(num_bins=5), real.layers.Hashing(num_bins=5)
    _same(ours(ints), theirs(ints))
    floats = np.array([[1.7], [-2.2], [3.0]], "float32")
    _same(ours(floats), theirs(floats))


def test_discretization_matches_keras(backend):
    x = np.array([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]], "float32")
    for mode in ("int", "one_hot", "multi_hot", "count"):
        ours = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)
        theirs = real.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0], output_mode=mode)
        _same(ours(x), theirs(x))
    data = np.random.default_rng(0).normal(size=(500, 2)).astype("float32")
    for kwargs in ({"num_bins": 4}, {"num_bins": 7, "epsilon": 0.05}):
        ours, theirs = keras.layers.Discretization(**kwargs), real.layers.Discretization(**kwargs)
        ours.adapt(data)
        theirs.adapt(data)
        np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
        _same(ours(data[:8]), theirs(data[:8]))
    assert _np(ours(x)).dtype == np.int32
    with pytest.raises(ValueError, match="num_bins"):
        keras.layers.Discretization()
