"""Python operators on symbolic tensors (``inputs / 255.0``, ``x @ w``, ``-x``, ``x > 0``) build
the graph nodes Keras 3 builds, and a functional model holding them moves through ``.keras``
files both ways with Keras 3 (constants are call arguments there, not config)."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def _graph(lib):
    inputs = lib.Input((3,))
    x = (inputs * 2.0 + 1.0) / 4.0 - 0.5
    x = 3.0 - x
    x = abs(-x) ** 2 // 1.5 + x % 0.7
    x = lib.ops.concatenate([x @ np.eye(3, dtype="float32"), 1.0 / (1.0 + x)], axis=-1)
    mask = lib.ops.cast((x > 0.5) & (x < 2.0), "float32")
    x = lib.ops.where(lib.ops.not_equal(x, 0.25), x * mask + round(x, 1), x)
    return lib.Model(inputs, lib.layers.Dense(2)(x))


def test_operators_match_keras3_and_files_load_both_ways(backend, tmp_path):
    keras3 = pytest.importorskip("keras")
    ours, theirs = _graph(keras), _graph(keras3)
    theirs.set_weights([np.ones((6, 2), "float32") * 0.1, np.zeros(2, "float32")])
    ours.set_weights(theirs.get_weights())
    expected = theirs.predict(X, verbose=0)
    np.testing.assert_allclose(ours.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(keras3.models.load_model(tmp_path / "ours.keras")
                               .predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "theirs.keras")
                               .predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)
