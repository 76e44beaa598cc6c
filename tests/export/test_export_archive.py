"""ExportArchive: custom endpoints, variable collections and signatures, from every backend."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.export import ExportArchive, TensorSpec
from tests.export.conftest import build_model

tf = pytest.importorskip("tensorflow")
ATOL = 1e-5  # same TensorFlow kernels as predict on the tensorflow backend; see test_model_export


def test_custom_endpoints_signatures_and_variable_collection(backend, tmp_path):
    model, x = build_model("cnn")
    expected = model.predict(x, verbose=0)
    archive = ExportArchive()
    assert archive.track(model) is model
    archive.add_endpoint("serve", lambda t: model(t, training=False),
                         input_signature=[keras.Input((8, 8, 2))])
    archive.add_endpoint("scores_and_argmax",
                         lambda t: {"scores": 2.0 * model(t, training=False),
                                    "best": keras.ops.argmax(model(t, training=False), axis=-1)},
                         input_signature=[TensorSpec((None, 8, 8, 2), "float32", "images")])
    archive.add_variable_collection("bn_statistics", model.layers[1].non_trainable_variables)
    path = tmp_path / "archive"
    archive.write_out(str(path), verbose=False)

    loaded = tf.saved_model.load(str(path))
    for batch in (1, 5):
        np.testing.assert_allclose(loaded.serve(x[:batch]).numpy(), expected[:batch],
                                   rtol=0, atol=ATOL)
        both = loaded.scores_and_argmax(x[:batch])
        np.testing.assert_allclose(both["scores"].numpy(), 2 * expected[:batch], rtol=0,
                                   atol=2 * ATOL)
        np.testing.assert_array_equal(both["best"].numpy(), expected[:batch].argmax(-1))
    # as in Keras 3: every endpoint is a signature; the first is also serving_default
    assert set(loaded.signatures) == {"serve", "scores_and_argmax", "serving_default"}
    assert loaded.signatures["serving_default"].structured_input_signature[1]
    spec = next(iter(loaded.signatures["scores_and_argmax"].structured_input_signature[1]
                     .values()))
    assert spec.shape.as_list() == [None, 8, 8, 2] and spec.name == "images"
    saved_stats = [v.numpy() for v in loaded.bn_statistics]
    for saved, variable in zip(saved_stats, model.layers[1].non_trainable_variables):
        np.testing.assert_array_equal(saved, variable.numpy())
    assert len(saved_stats) == 2


def test_track_and_add_endpoint_defaults_to_the_model_signature(backend, tmp_path, capsys):
    model, x = build_model("mlp")
    archive = ExportArchive()
    archive.track_and_add_endpoint("predict_probs", model)
    archive.write_out(str(tmp_path / "a"))
    out = capsys.readouterr().out
    assert f"Saved artifact at '{tmp_path / 'a'}'" in out and "predict_probs" in out
    loaded = tf.saved_model.load(str(tmp_path / "a"))
    np.testing.assert_allclose(loaded.predict_probs(x).numpy(), model.predict(x, verbose=0),
                               rtol=0, atol=ATOL)


def test_archive_errors(backend, tmp_path):
    model, _ = build_model("mlp")
    archive = ExportArchive()
    with pytest.raises(ValueError, match="no endpoint; call add_endpoint"):
        archive.write_out(str(tmp_path / "a"))
    with pytest.raises(TypeError, match="expected a mini_keras Layer or Model, received int"):
        archive.track(3)
    with pytest.raises(ValueError, match="'dense_.*' is not built"):
        archive.track(keras.layers.Dense(2, name=f"dense_{backend}"))
    with pytest.raises(ValueError, match="pass input_signature="):
        archive.add_endpoint("serve", model)
    with pytest.raises(TypeError, match="fn must be a callable"):
        archive.add_endpoint("serve", 3, input_signature=[keras.Input((8,))])
    with pytest.raises(ValueError, match="Python identifier"):
        archive.add_endpoint("not valid", model, input_signature=[keras.Input((8,))])
    archive.add_endpoint("serve", model, input_signature=[keras.Input((8,))])
    with pytest.raises(ValueError, match="'serve' is already used"):
        archive.add_endpoint("serve", model, input_signature=[keras.Input((8,))])
    with pytest.raises(ValueError, match="expected a list/tuple/set of mini_keras Variables"):
        archive.add_variable_collection("weights", [np.zeros(2)])
    assert not list(tmp_path.iterdir())
