"""Keras 3's graph accessors: model.inputs/outputs/input/output/input_shape/output_shape on
Sequential and Functional models, layer.input/layer.output, and the feature-extraction
pattern built on them (``Model(model.inputs, model.get_layer(name).output)``)."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def _stack(lib):
    model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(4, name="hidden"),
                            lib.layers.Dense(2, name="top")])
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _described(model):
    return {"inputs": [tuple(t.shape) for t in model.inputs],
            "outputs": [tuple(t.shape) for t in model.outputs],
            "input_shape": tuple(model.input_shape), "output_shape": tuple(model.output_shape),
            "hidden_out": tuple(model.get_layer("hidden").output.shape),
            "top_in": tuple(model.get_layer("top").input.shape)}


def test_graph_accessors_and_feature_extraction_match_keras(backend):
    keras3 = pytest.importorskip("keras")
    results = {}
    for lib in (keras, keras3):
        model = _stack(lib)
        functional = lib.Model(model.inputs, model.outputs)
        extractor = lib.Model(model.inputs, [model.get_layer("hidden").output, model.outputs[0]])
        features, logits = extractor.predict(X, verbose=0)
        results[lib.__name__] = (_described(model), _described(functional),
                                 np.asarray(features), np.asarray(logits),
                                 np.asarray(model.predict(X, verbose=0)))
    ours, theirs = results["mini_keras"], results["keras"]
    assert ours[0] == theirs[0] and ours[1] == theirs[1]
    for got, want in zip(ours[2:], theirs[2:]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)  # float32, two Dense
    np.testing.assert_allclose(ours[3], ours[4], rtol=1e-6)


def test_unbuilt_accessors_raise_clearly():
    with pytest.raises(AttributeError, match="has never been called"):
        keras.layers.Dense(2).output  # noqa: B018
    with pytest.raises(AttributeError, match="no defined input yet"):
        keras.Sequential([keras.layers.Dense(2)]).input  # noqa: B018
    x = keras.Input((3,))
    dense = keras.layers.Dense(2)
    y = dense(x)
    assert dense.input is x and dense.output is y
