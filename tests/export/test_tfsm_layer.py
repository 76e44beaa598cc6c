"""TFSMLayer: a SavedModel exported from any backend, called as a tensorflow-backend layer."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.export import ExportArchive
from tests.export.conftest import build_model

pytest.importorskip("tensorflow")
ATOL = 1e-5  # the SavedModel runs TensorFlow's kernels; see test_model_export


def test_round_trip_from_every_backend(backend, tmp_path):
    model, x = build_model("cnn")
    expected = model.predict(x, verbose=0)
    model.export(str(tmp_path / "sm"), verbose=False)
    with backends.backend_scope("tensorflow"):
        layer = keras.layers.TFSMLayer(str(tmp_path / "sm"), call_endpoint="serve")
        np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=0, atol=ATOL)
        # inside a functional model, then through its config
        inputs = keras.Input((8, 8, 2))
        outputs = layer(inputs)
        assert outputs.shape == (None, 3) and outputs.dtype == "float32"
        wrapped = keras.Model(inputs, outputs)
        np.testing.assert_allclose(wrapped.predict(x, verbose=0), expected, rtol=0, atol=ATOL)
        clone = keras.layers.TFSMLayer.from_config(layer.get_config())
        np.testing.assert_allclose(np.asarray(clone(x[:1])), expected[:1], rtol=0, atol=ATOL)
    assert layer.backend == "tensorflow"
    # the SavedModel's variables are the layer's weights, and writing them reaches the endpoint
    assert sorted(w.shape for w in layer.trainable_weights) == sorted(
        tuple(w.shape) for w in model.trainable_weights)
    kernel = next(w for w in layer.trainable_weights if w.shape == (3,))  # the last bias
    kernel.assign(kernel.numpy() + 1.0)
    np.testing.assert_allclose(np.asarray(layer(x)), expected + 1.0, rtol=0, atol=ATOL)


def test_custom_endpoint_and_errors(backend, tmp_path):
    model, x = build_model("mlp")
    archive = ExportArchive()
    archive.track(model)
    archive.add_endpoint("half", lambda t: 0.5 * model(t, training=False),
                         input_signature=[keras.Input((8,))])
    archive.write_out(str(tmp_path / "a"), verbose=False)
    if backend != "tensorflow":
        with pytest.raises(ValueError, match=f"tensorflow backend only.*is '{backend}'"):
            keras.layers.TFSMLayer(str(tmp_path / "a"), call_endpoint="half")
        return
    layer = keras.layers.TFSMLayer(str(tmp_path / "a"), call_endpoint="half")
    np.testing.assert_allclose(np.asarray(layer(x)), 0.5 * model.predict(x, verbose=0),
                               rtol=0, atol=ATOL)
    with pytest.raises(ValueError, match=r"has no endpoint 'serve'; it has \[.*'half'"):
        keras.layers.TFSMLayer(str(tmp_path / "a"))
    with pytest.raises(FileNotFoundError, match="No SavedModel directory"):
        keras.layers.TFSMLayer(str(tmp_path / "missing"))


def test_fit_trains_the_savedmodel_variables_like_the_original(backend, tmp_path):
    """One SGD step through TFSMLayer equals one step on the exported model itself."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 2)).astype("float32")
    keras.utils.set_random_seed(5)
    original = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                                 keras.layers.Dense(2)])
    original.export(str(tmp_path / "sm"), verbose=False)
    with backends.backend_scope("tensorflow"):
        inputs = keras.Input((4,))
        wrapped = keras.Model(inputs, keras.layers.TFSMLayer(str(tmp_path / "sm"))(inputs))
        wrapped.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        loss = wrapped.train_on_batch(x, y)
    original.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    expected_loss = original.train_on_batch(x, y)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-5)
    np.testing.assert_allclose(wrapped.predict(x, verbose=0), original.predict(x, verbose=0),
                               rtol=0, atol=1e-5)
    frozen = keras.layers.TFSMLayer(str(tmp_path / "sm"), trainable=False) \
        if backend == "tensorflow" else None
    if frozen is not None:
        assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 4
