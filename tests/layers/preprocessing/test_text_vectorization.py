"""TextVectorization on every backend: adapt() vocabularies and outputs equal Keras 3's."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

SENTENCES = ["The cat sat on the mat.", "the Dog, ran!  far\tAWAY", "a cat; a DOG?", "Ünïcode  café",
             "x", "", "the the the cat"]
QUERIES = np.array(["the cat ran far", "unseen words here", "", "a dog sat on a café mat"])


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _pair(**kwargs):
    ours, theirs = keras.layers.TextVectorization(**kwargs), real.layers.TextVectorization(**kwargs)
    ours.adapt(SENTENCES)
    theirs.adapt(SENTENCES)
    return ours, theirs


def _check(ours, theirs, inputs=QUERIES):
    assert ours.get_vocabulary() == [str(t) for t in theirs.get_vocabulary()]
    mine, ref = _np(ours(inputs)), np.asarray(theirs(inputs))
    assert mine.shape == ref.shape
    np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode", ["int", "multi_hot", "count", "tf_idf"])
@pytest.mark.parametrize("ngrams", [None, 2])
def test_adapt_vocabulary_and_outputs_match_keras(backend, mode, ngrams):
    ours, theirs = _pair(output_mode=mode, ngrams=ngrams)
    _check(ours, theirs)
    _check(ours, theirs, QUERIES[:, None])
    assert ours.vocabulary_size() == theirs.vocabulary_size()


@pytest.mark.parametrize("kwargs", [
    {"max_tokens": 6, "output_sequence_length": 3},
    {"output_sequence_length": 8, "standardize": "lower"},
    {"standardize": "strip_punctuation", "split": "character"},
    {"standardize": None, "ngrams": (1, 3)},
    {"max_tokens": 5, "output_mode": "multi_hot", "pad_to_max_tokens": True},
])
def test_options_match_keras(backend, kwargs):
    ours, theirs = _pair(**kwargs)
    _check(ours, theirs)


def test_no_split_and_fixed_vocabulary(backend):
    ours, theirs = _pair(split=None, output_mode="multi_hot")
    _check(ours, theirs, np.array(["a cat; a dog?", "x"]))
    _check(ours, theirs, np.array([["a cat; a dog?"], ["x"]]))
    kwargs = {"vocabulary": ["cat", "dog", "the"], "output_sequence_length": 4}
    ours, theirs = keras.layers.TextVectorization(**kwargs), real.layers.TextVectorization(**kwargs)
    _check(ours, theirs)
    ours.set_vocabulary(["mat", "cat"])
    theirs.set_vocabulary(["mat", "cat"])
    _check(ours, theirs)
    tfidf = {"vocabulary": ["cat", "dog"], "idf_weights": [0.5, 2.0], "output_mode": "tf_idf"}
    _check(keras.layers.TextVectorization(**tfidf), real.layers.TextVectorization(**tfidf))


def test_callables_bytes_and_lists(backend):
    def shout(texts):
        return np.char.upper(texts)

    def on_commas(texts):
        return [t.split(",") for t in texts]

    layer = keras.layers.TextVectorization(standardize=shout, split=on_commas)
    layer.adapt(["a,b,a", "c"])
    assert layer.get_vocabulary() == ["", "[UNK]", "A", "C", "B"]
    np.testing.assert_array_equal(_np(layer(["b,a", "zz"])), [[4, 2], [1, 0]])
    np.testing.assert_array_equal(_np(layer(np.array([b"b,a", b"c"]))), [[4, 2], [3, 0]])


def test_config_matches_keras_and_round_trips(backend):
    ours, theirs = _pair(max_tokens=7, ngrams=2, output_sequence_length=5)
    config, ref = ours.get_config(), theirs.get_config()
    assert set(config) == set(ref)
    for key in ("max_tokens", "standardize", "split", "ngrams", "output_mode",
                "output_sequence_length", "vocabulary_size"):
        assert config[key] == ref[key], key
    clone = keras.layers.TextVectorization.from_config(config)
    clone.set_vocabulary(ours.get_vocabulary())
    np.testing.assert_array_equal(_np(clone(QUERIES)), _np(ours(QUERIES)))


def test_errors_name_the_layer_and_the_expected_input(backend):
    layer = keras.layers.TextVectorization(name="tv")
    with pytest.raises(ValueError, match="TextVectorization 'tv' has no vocabulary.*adapt"):
        layer(np.array(["hello"]))
    layer.adapt(["hello world"])
    with pytest.raises(TypeError, match="TextVectorization 'tv' expects strings"):
        layer(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"shape \(batch,\) or \(batch, 1\)"):
        layer(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="output_mode"):
        keras.layers.TextVectorization(output_mode="bag")
    with pytest.raises(ValueError, match="output_sequence_length"):
        keras.layers.TextVectorization(output_mode="count", output_sequence_length=3)
