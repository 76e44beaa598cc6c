"""Saving and loading: .keras round trips across backends, Keras 3 interop, errors, atomicity."""

import json
import os
import zipfile

import h5py
import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends, config
from mini_keras.saving import saving_lib
from tests.conftest import ALL_BACKENDS, require_backend

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 4)).astype("float32")
Y = RNG.normal(size=(8, 2)).astype("float32")


def _mlp(functional=False):
    if functional:
        inputs = keras.Input((4,), name="features")
        h = keras.layers.Dense(5, activation="relu")(inputs)
        h = keras.layers.Dropout(0.2)(h)
        return keras.Model(inputs, keras.layers.Dense(2, name="head")(h), name="mlp")
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                             keras.layers.Dropout(0.2), keras.layers.Dense(2)])


@pytest.fixture
def on_backend():
    """Switch the default backend inside a test; restores the previous one afterwards."""
    previous = backends.default_name()

    def use(name):
        require_backend(name)
        config.set_backend(name)
    yield use
    config.set_backend(previous)


# ---------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("src,dst", [(a, b) for a in ALL_BACKENDS for b in ALL_BACKENDS],
                         ids=lambda s: s)
def test_round_trip_every_backend_pair(src, dst, tmp_path, on_backend):
    on_backend(src)
    keras.utils.set_random_seed(1)
    model = _mlp(functional=(ALL_BACKENDS.index(src) + ALL_BACKENDS.index(dst)) % 2 == 1)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(X, Y, epochs=1, batch_size=4, verbose=0, shuffle=False)
    expected = model.predict(X, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    on_backend(dst)
    loaded = keras.models.load_model(path)
    assert loaded.backend == dst
    np.testing.assert_allclose(loaded.predict(X, verbose=0), expected, atol=1e-6)
    saved_opt = [v.numpy() for v in model.optimizer.variables]
    loaded_opt = [v.numpy() for v in loaded.optimizer.variables]
    assert len(saved_opt) == len(loaded_opt) == 2 + 2 * 4  # iterations, lr, (m, v) per var
    for a, b in zip(saved_opt, loaded_opt):
        np.testing.assert_allclose(a, b, atol=1e-7)


def test_resumed_training_matches_uninterrupted(backend, tmp_path):
    def fresh():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"),
                                  keras.layers.Dense(2)])
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
        return model

    full = fresh().fit(X, Y, epochs=4, batch_size=4, shuffle=False, verbose=0).history["loss"]
    model = fresh()
    first = model.fit(X, Y, epochs=2, batch_size=4, shuffle=False, verbose=0).history["loss"]
    model.save(tmp_path / "half.keras")
    resumed = keras.models.load_model(tmp_path / "half.keras")
    second = resumed.fit(X, Y, epochs=2, batch_size=4, shuffle=False,
                         verbose=0).history["loss"]
    np.testing.assert_allclose(first + second, full, rtol=1e-5, atol=1e-6)
    assert int(resumed.optimizer.iterations.numpy()) == 8


def test_weights_file_and_json(backend, tmp_path):
    model = _mlp(functional=True)
    model.compile(optimizer="sgd", loss="mse")
    model.save_weights(tmp_path / "w.weights.h5")
    clone = keras.models.model_from_json(model.to_json())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    clone.load_weights(tmp_path / "w.weights.h5")
    np.testing.assert_allclose(clone.predict(X, verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)
    with h5py.File(tmp_path / "w.weights.h5") as h5:  # Keras 3 layout
        assert h5["layers/dense/vars/0"].shape == (4, 5)
        assert h5["layers/dense/vars/1"].shape == (5,)
        assert h5["layers/dense_1/vars/0"].shape == (5, 2)
        assert h5["layers/dense/vars"].attrs["name"] == model.layers[1].name
        assert "layers/input_layer/vars" in h5 and "layers/dropout/vars" in h5
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.h5")


def test_custom_layer_registration(backend, tmp_path):
    @keras.saving.register_keras_serializable(package="tests")
    class Scale(keras.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return keras.ops.multiply(x, self.factor)

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input((4,)), Scale(3.0), keras.layers.Dense(2)])
    model.save(tmp_path / "custom.keras")
    loaded = keras.models.load_model(tmp_path / "custom.keras")
    assert isinstance(loaded.layers[0], Scale) and loaded.layers[0].factor == 3.0
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)
    config_json = json.loads(zipfile.ZipFile(tmp_path / "custom.keras").read("config.json"))
    assert config_json["config"]["layers"][1]["registered_name"] == "tests>Scale"


# ---------------------------------------------------------------------------- errors
def test_errors_are_clear(tmp_path):
    model = _mlp()
    model.save(tmp_path / "ok.keras")
    data = (tmp_path / "ok.keras").read_bytes()
    (tmp_path / "truncated.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="corrupted or truncated"):
        keras.models.load_model(tmp_path / "truncated.keras")
    (tmp_path / "garbage.keras").write_bytes(b"not a zip at all" * 10)
    with pytest.raises(ValueError, match="corrupted or truncated"):
        keras.models.load_model(tmp_path / "garbage.keras")
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save(tmp_path / "model.h5")
    with pytest.raises(ValueError, match="File format not supported"):
        keras.models.load_model(tmp_path / "model.h5")
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path / "missing.keras")

    class Unregistered(keras.Layer):
        pass

    custom = keras.Sequential([keras.Input((4,)), Unregistered(), keras.layers.Dense(2)])
    custom.save(tmp_path / "custom.keras")
    with pytest.raises(TypeError, match="Unregistered.*register_keras_serializable"):
        keras.models.load_model(tmp_path / "custom.keras")
    loaded = keras.models.load_model(tmp_path / "custom.keras",
                                     custom_objects={"Unregistered": Unregistered})
    assert isinstance(loaded.layers[0], Unregistered)


def test_lambda_needs_unsafe_mode(tmp_path):
    from mini_keras.layers.lambda_layer import Lambda
    model = keras.Sequential([keras.Input((4,)), Lambda(lambda x: x * 2.0), keras.layers.Dense(2)])
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.models.load_model(tmp_path / "lambda.keras")
    loaded = keras.models.load_model(tmp_path / "lambda.keras", safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)


def test_atomic_write_keeps_previous_file(tmp_path, monkeypatch):
    model = _mlp()
    path = tmp_path / "model.keras"
    model.save(path)
    before = path.read_bytes()
    expected = model.predict(X, verbose=0)
    model.layers[0].set_weights([w + 1 for w in model.layers[0].get_weights()])

    def crash(model, h5):
        raise RuntimeError("simulated crash while writing weights")
    monkeypatch.setattr(saving_lib, "write_weights", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        model.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.keras"]  # no temp file left behind
    monkeypatch.undo()
    np.testing.assert_allclose(keras.models.load_model(path).predict(X, verbose=0), expected,
                               atol=1e-6)


# ---------------------------------------------------------------------------- Keras 3 interop
def _keras_model(keras3, kind):
    keras3.utils.set_random_seed(0)
    layers = keras3.layers
    if kind in ("sequential", "rmsprop"):
        return keras3.Sequential([keras3.Input((4,)), layers.Dense(5, activation="relu"),
                                  layers.Dropout(0.1), layers.Dense(2)])
    if kind == "functional":
        inputs = keras3.Input((4,), name="inp")
        hidden = layers.Dense(5, activation="tanh")(inputs)
        return keras3.Model(inputs, layers.Dense(2, name="out")(hidden))
    if kind in RNN_KINDS:
        recurrent = {"lstm": lambda: layers.LSTM(6), "gru": lambda: layers.GRU(6),
                     "bidirectional": lambda: layers.Bidirectional(layers.LSTM(3))}[kind]()
        return keras3.Sequential([keras3.Input((5, 4)), recurrent, layers.Dense(2)])
    return keras3.Sequential([keras3.Input((6, 6, 1)), layers.Conv2D(3, 3, activation="relu"),
                              layers.MaxPooling2D(2), layers.Flatten(), layers.Dense(2)])


RNN_KINDS = ("lstm", "gru", "bidirectional")
INPUT_SHAPES = {"cnn": (6, 6, 6, 1), "lstm": (6, 5, 4), "gru": (6, 5, 4),
                "bidirectional": (6, 5, 4)}


@pytest.mark.parametrize("kind", ["sequential", "functional", "cnn", "rmsprop", *RNN_KINDS])
def test_keras3_interop_both_ways(kind, tmp_path, on_backend):
    """Real Keras 3 (on its own backend) saves -> we load on numpy, and the reverse."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    if kind == "cnn" and not all(hasattr(keras.layers, n) for n in ("Conv2D", "MaxPooling2D")):
        pytest.skip("mini_keras.layers has no Conv2D/MaxPooling2D yet")
    x = np.random.default_rng(5).normal(size=INPUT_SHAPES.get(kind, (6, 4))).astype("float32")
    reference = _keras_model(keras3, kind)
    optimizer = (keras3.optimizers.RMSprop(0.01, momentum=0.9, centered=True)
                 if kind == "rmsprop" else keras3.optimizers.Adam(0.01))
    reference.compile(optimizer=optimizer, loss="mse")
    reference.fit(x, np.ones((6, 2), "float32"), epochs=1, verbose=0)
    expected = np.asarray(reference.predict(x, verbose=0))
    reference.save(tmp_path / "from_keras.keras")
    on_backend("numpy")
    ours = keras.models.load_model(tmp_path / "from_keras.keras")
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, atol=1e-5)
    assert int(ours.optimizer.iterations.numpy()) == 1
    for mine, theirs in zip(ours.optimizer.variables, reference.optimizer.variables,
                            strict=True):  # slots in Keras 3's order
        np.testing.assert_allclose(mine.numpy(), np.asarray(theirs), atol=1e-7)
    ours.save(tmp_path / "from_ours.keras")
    back = keras3.models.load_model(tmp_path / "from_ours.keras")
    np.testing.assert_allclose(np.asarray(back.predict(x, verbose=0)), expected, atol=1e-5)
    assert int(np.asarray(back.optimizer.iterations)) == 1


def test_keras3_functional_op_nodes_both_ways(tmp_path, on_backend):
    """Keras 3 writes a ``NotEqual`` op node for ``Embedding(mask_zero=True)`` in a functional
    model; we load it (mask included), and Keras 3 loads our ``keras.ops`` nodes back."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    keras3.utils.set_random_seed(0)
    inp = keras3.Input((5,), dtype="int32")
    hidden = keras3.layers.LSTM(3)(keras3.layers.Embedding(10, 4, mask_zero=True)(inp))
    reference = keras3.Model(inp, keras3.layers.Dense(2)(hidden))
    x = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0], [6, 7, 8, 9, 1]], "int32")
    expected = np.asarray(reference.predict(x, verbose=0))
    reference.save(tmp_path / "masked.keras")
    on_backend("numpy")
    ours = keras.models.load_model(tmp_path / "masked.keras")
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, atol=1e-6)

    inp = keras.Input((4,))
    out = keras.ops.mean(keras.ops.square(keras.layers.Dense(3)(inp)), axis=1, keepdims=True)
    model = keras.Model(inp, out)
    xf = np.random.default_rng(1).normal(size=(3, 4)).astype("float32")
    model.save(tmp_path / "ops.keras")
    back = keras3.models.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(np.asarray(back.predict(xf, verbose=0)),
                               model.predict(xf, verbose=0), rtol=1e-5, atol=1e-6)
