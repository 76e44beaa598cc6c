"""Model.export's bad input: clear errors, and never a half-written file."""

import importlib.util
import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import ops
from mini_keras.export import FORMATS
from tests.export.conftest import build_model


def _inverse_model():
    """Dense, then a Lambda whose matrix inverse neither ONNX nor LiteRT built-ins express."""
    def invert(x):
        return ops.reshape(ops.linalg.inv(ops.reshape(x, (-1, 2, 2)) + 3.0 * ops.eye(2)),
                           (-1, 4))
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, name="dense_in"),
                             keras.layers.Lambda(invert, name="invert")])


def test_unknown_format_lists_the_formats(backend, tmp_path):
    model, _ = build_model("mlp")
    with pytest.raises(ValueError, match="unrecognized format='tflite'") as info:
        model.export(str(tmp_path / "m"), format="tflite")
    for fmt in FORMATS:
        assert repr(fmt) in str(info.value)
    assert FORMATS == ("tf_saved_model", "onnx", "litert")


def test_unbuilt_model(backend, tmp_path):
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="'sequential.*' is not built"):
        model.export(str(tmp_path / "m.onnx"), format="onnx")


def test_unknown_keyword_names_it(backend, tmp_path):
    model, _ = build_model("mlp")
    with pytest.raises(TypeError, match=r"unrecognized arguments \['jax2tf_kwargs'\]"):
        model.export(str(tmp_path / "m.onnx"), format="onnx", jax2tf_kwargs={})
    with pytest.raises(TypeError, match="'not_an_option'.*TFLiteConverter"):
        model.export(str(tmp_path / "m.tflite"), format="litert", not_an_option=1)
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("fmt,suffix,op", [("onnx", ".onnx", "aten::linalg_inv"),
                                           ("litert", ".tflite", "tf.MatrixInverse")])
def test_unsupported_op_names_op_and_layer_and_leaves_no_file(backend, tmp_path, fmt, suffix,
                                                              op):
    model = _inverse_model()
    path = tmp_path / f"m{suffix}"
    with pytest.raises(ValueError) as info:
        model.export(str(path), format=fmt, verbose=False)
    message = str(info.value)
    assert f"layer 'invert' (Lambda) of model '{model.name}'" in message
    assert f"op '{op}'" in message
    assert f"the {fmt} format cannot express" in message
    assert os.listdir(tmp_path) == []  # neither the file nor a temporary one


@pytest.mark.parametrize("fmt,op", [("onnx", "aten::searchsorted"), ("litert", "tf.UpperBound")])
def test_discretization_names_its_op_where_the_format_lacks_it(backend, tmp_path, fmt, op):
    """A real layer whose op (a sorted search) has no ONNX/LiteRT built-in; SavedModel works."""
    inputs = keras.Input((3,))
    bins = keras.layers.Discretization(bin_boundaries=[0.0, 1.0], name="bins")(inputs)
    model = keras.Model(inputs, bins)
    with pytest.raises(ValueError, match=f"layer 'bins' \\(Discretization\\).*op '{op}'"):
        model.export(str(tmp_path / f"m.{'onnx' if fmt == 'onnx' else 'tflite'}"), format=fmt,
                     verbose=False)
    assert os.listdir(tmp_path) == []


def test_host_preprocessing_layer_is_refused_by_name(backend, tmp_path):
    lookup = keras.layers.IntegerLookup(vocabulary=[3, 5, 7], name="ids")
    inputs = keras.Input((2,), dtype="int32")
    model = keras.Model(inputs, keras.layers.Dense(1)(lookup(inputs)))
    for fmt, name in (("tf_saved_model", "sm"), ("onnx", "m.onnx")):
        with pytest.raises(ValueError,
                           match="layer 'ids' \\(IntegerLookup\\) computes on the host"):
            model.export(str(tmp_path / name), format=fmt)
    assert os.listdir(tmp_path) == []


def test_failed_export_keeps_the_previous_file(backend, tmp_path):
    path = tmp_path / "m.onnx"
    good, _ = build_model("mlp")
    good.export(str(path), format="onnx", verbose=False)
    before = path.read_bytes()
    with pytest.raises(ValueError):
        _inverse_model().export(str(path), format="onnx", verbose=False)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.onnx"]


def test_existing_export_is_replaced(backend, tmp_path):
    """As in Keras 3, exporting to an existing SavedModel directory or file overwrites it."""
    import tensorflow as tf

    path = tmp_path / "sm"
    first, x = build_model("mlp")
    first.export(str(path), verbose=False)
    second = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)])
    second.export(str(path), verbose=False)
    loaded = tf.saved_model.load(str(path))  # kept alive: its functions use its variables
    served = loaded.serve(x).numpy()
    np.testing.assert_allclose(served, second.predict(x, verbose=0), rtol=0, atol=1e-5)
    assert sorted(os.listdir(tmp_path)) == ["sm"]


@pytest.mark.parametrize("fmt,name,error", [
    ("tf_saved_model", "a_file", FileExistsError),
    ("onnx", "a_dir", IsADirectoryError),
    ("litert", "a_dir", IsADirectoryError),
    ("onnx", "missing/m.onnx", FileNotFoundError)])
def test_path_that_cannot_hold_the_export(backend, tmp_path, fmt, name, error):
    (tmp_path / "a_file").write_text("keep me")
    (tmp_path / "a_dir").mkdir()
    if fmt == "litert":
        (tmp_path / "a_dir").rename(tmp_path / "a_dir.tflite")
        name = "a_dir.tflite"
    model, _ = build_model("mlp")
    with pytest.raises(error, match=str(tmp_path / name).replace(".", r"\.")):
        model.export(str(tmp_path / name), format=fmt)
    assert (tmp_path / "a_file").read_text() == "keep me"


def test_litert_filepath_suffix(backend, tmp_path):
    model, _ = build_model("mlp")
    with pytest.raises(ValueError, match="must end with '.tflite'"):
        model.export(str(tmp_path / "m.lite"), format="litert")


@pytest.mark.parametrize("fmt,package", [("onnx", "onnx"), ("onnx", "torch"),
                                         ("litert", "tensorflow"),
                                         ("tf_saved_model", "tensorflow")])
def test_missing_converter_names_the_extra(backend, tmp_path, monkeypatch, fmt, package):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == package else real(name, *a))
    model, _ = build_model("mlp")
    suffix = {"onnx": ".onnx", "litert": ".tflite", "tf_saved_model": ""}[fmt]
    with pytest.raises(ImportError, match=rf"'{package}' package.*mini_keras\[export\]"):
        model.export(str(tmp_path / f"m{suffix}"), format=fmt, verbose=False)
    assert os.listdir(tmp_path) == []
