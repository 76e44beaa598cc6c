"""keras.models.clone_model with Keras 3's arguments (input_tensors, clone_function,
call_function, recursive), on every backend, against Keras 3 on the same model and weights."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def _functional(lib):
    inner = lib.Sequential([lib.Input((4,)), lib.layers.Dense(4, activation="relu",
                                                                name="inner_dense")],
                           name="inner")
    x = lib.Input((3,), name="x")
    h = lib.layers.Dense(4, name="d1")(x)
    out = lib.layers.Dense(2, name="d2")(inner(h))
    model = lib.Model(x, out, name="outer")
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _predict(model):
    return np.asarray(model.predict(X, verbose=0))


def _relu6_call(lib):
    def call_function(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        return lib.ops.minimum(out, 0.5) if layer.name == "d1" else out
    return call_function


def test_clone_variants_match_keras(backend):
    keras3 = pytest.importorskip("keras")
    got, want = {}, {}
    for lib, out in ((keras, got), (keras3, want)):
        model = _functional(lib)
        share = lib.models.clone_model(model, clone_function=lambda layer: layer)
        out["shared"] = _predict(share)
        called = lib.models.clone_model(model, clone_function=lambda layer: layer,
                                        call_function=_relu6_call(lib))
        out["called"] = _predict(called)
        fresh = lib.models.clone_model(model)
        out["names"] = [layer.name for layer in fresh.layers]
        out["shapes"] = [tuple(w.shape) for w in fresh.weights]
        recursive = lib.models.clone_model(
            model, recursive=True, clone_function=lambda layer: layer.__class__.from_config(
                {**layer.get_config(), "name": "c_" + layer.name}))
        out["recursive"] = [layer.name for layer in recursive.layers] + [
            layer.name for layer in recursive.get_layer("inner").layers]
        new_input = lib.Input((3,), name="new_x")
        on_input = lib.models.clone_model(model, input_tensors=new_input,
                                          clone_function=lambda layer: layer)
        out["input_name"] = on_input.inputs[0].name
        out["on_input"] = _predict(on_input)
    np.testing.assert_allclose(got["shared"], _predict(_functional(keras)), rtol=1e-6)
    for key in ("shared", "called", "on_input"):
        # float32: three small Dense layers
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for key in ("names", "shapes", "recursive"):
        assert got[key] == want[key], key


def test_sequential_clone_keeps_input_and_compile(backend):
    model = keras.Sequential([keras.Input((3,), name="inp"), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    clone = keras.models.clone_model(model)
    assert clone.compiled and type(clone.optimizer).__name__ == "Adam"
    assert clone.inputs[0].name == "inp" and clone.output_shape == (None, 2)
    assert not any(a is b for a, b in zip(clone.weights, model.weights))
    clone.fit(X, X[:, :2], epochs=1, verbose=0)  # trains on its own weights
    with pytest.raises(ValueError, match="`call_function` is not supported with Sequential"):
        keras.models.clone_model(model, call_function=lambda layer, *a, **k: layer(*a, **k))
    with pytest.raises(ValueError, match="single tensor"):
        keras.models.clone_model(model, input_tensors=[keras.Input((3,)), keras.Input((3,))])


def test_subclassed_clone_refuses_graph_arguments():
    class Custom(keras.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units, self.dense = units, keras.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = Custom(3)
    model(X)
    clone = keras.models.clone_model(model)
    assert type(clone) is Custom and clone.units == 3
    with pytest.raises(ValueError, match="only supported for Sequential and Functional"):
        keras.models.clone_model(model, clone_function=lambda layer: layer)
    with pytest.raises(ValueError, match="only supported for Functional"):
        keras.models.clone_model(model, call_function=lambda layer, *a: layer(*a))
