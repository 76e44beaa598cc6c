"""``CustomModel(inputs, outputs)``: a Model subclass built functionally (Keras 3's semantics:
the graph plus the subclass's methods), saved and loaded, both ways with Keras 3."""

from __future__ import annotations

import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.models.functional import Functional

X = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")


def _custom_class(module):
    class CustomModel(module.Model):
        def train_step(self, data):
            return super().train_step(data)

        def describe(self):
            return f"custom {self.name}"

    return CustomModel


def _build(module, cls):
    inputs = module.Input((3,))
    return cls(inputs, module.layers.Dense(2, name="out")(inputs), name="custom")


def test_subclass_built_functionally_keeps_methods(backend):
    cls = _custom_class(keras)
    model = _build(keras, cls)
    assert isinstance(model, cls) and isinstance(model, Functional)
    assert type(model).__name__ == "CustomModel"
    assert model.describe() == "custom custom"
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(model.predict(X, verbose=0), X @ kernel + bias, rtol=1e-5,
                               atol=1e-6)
    model.compile(optimizer="sgd", loss="mse")
    loss = model.train_on_batch(X, np.zeros((5, 2), "float32"))
    np.testing.assert_allclose(loss, np.mean((X @ kernel + bias) ** 2), rtol=1e-5)


def test_subclass_saves_and_loads(backend, tmp_path):
    cls = _custom_class(keras)
    model = _build(keras, cls)
    model.save(tmp_path / "custom.keras")
    loaded = keras.models.load_model(tmp_path / "custom.keras",
                                     custom_objects={"CustomModel": cls})
    assert isinstance(loaded, cls) and isinstance(loaded, Functional)
    assert loaded.describe() == "custom custom"
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               rtol=1e-6)


def test_subclass_file_round_trips_with_keras3(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    theirs_cls, ours_cls = _custom_class(keras3), _custom_class(keras)
    reference = _build(keras3, theirs_cls)
    expected = np.asarray(reference.predict(X, verbose=0))
    reference.save(tmp_path / "keras3.keras")
    loaded = keras.models.load_model(tmp_path / "keras3.keras",
                                     custom_objects={"CustomModel": ours_cls})
    assert isinstance(loaded, ours_cls)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), expected, rtol=1e-6, atol=1e-7)
    loaded.save(tmp_path / "ours.keras")
    back = keras3.models.load_model(tmp_path / "ours.keras",
                                    custom_objects={"CustomModel": theirs_cls})
    assert isinstance(back, theirs_cls)
    np.testing.assert_allclose(np.asarray(back.predict(X, verbose=0)), expected, rtol=1e-6,
                               atol=1e-7)
