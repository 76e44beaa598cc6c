"""``keras.applications.imagenet_utils`` and the shared arguments of the application models,
against Keras 3: preprocessing modes, decoding with a local class index, weights files
(legacy ``.h5``, ``.weights.h5``, ``.keras``) and the offline ``"imagenet"`` error."""

from __future__ import annotations

import json
import os
import urllib.error

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests


def _real_keras():
    return pytest.importorskip("keras")


def _images(shape):
    return np.random.default_rng(3).uniform(0, 255, size=shape).astype("float32")


FORMATS = [((2, 5, 4, 3), "channels_last"), ((5, 4, 3), "channels_last"),
           ((2, 3, 5, 4), "channels_first"), ((3, 5, 4), "channels_first")]


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize(("shape", "data_format"), FORMATS)
def test_preprocess_input_numpy_matches_keras(mode, shape, data_format):
    keras3 = _real_keras()
    x = _images(shape)
    expected = keras3.applications.imagenet_utils.preprocess_input(
        x.copy(), data_format=data_format, mode=mode)
    got = keras.applications.imagenet_utils.preprocess_input(x.copy(), data_format=data_format,
                                                             mode=mode)
    assert isinstance(got, np.ndarray) and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)
    ints = np.round(x).astype("uint8")  # integer images become floatx, as in Keras
    np.testing.assert_allclose(
        keras.applications.imagenet_utils.preprocess_input(ints, data_format=data_format,
                                                           mode=mode),
        keras3.applications.imagenet_utils.preprocess_input(ints, data_format=data_format,
                                                            mode=mode), rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize(("shape", "data_format"), FORMATS[::2])
def test_preprocess_input_tensor_matches_keras(backend, shape, data_format):
    keras3 = _real_keras()
    x = _images(shape)
    for mode in ("caffe", "tf", "torch"):
        expected = keras3.ops.convert_to_numpy(keras3.applications.imagenet_utils.preprocess_input(
            keras3.ops.convert_to_tensor(x), data_format=data_format, mode=mode))
        got = keras.applications.imagenet_utils.preprocess_input(
            ops.convert_to_tensor(x), data_format=data_format, mode=mode)
        np.testing.assert_allclose(ops.convert_to_numpy(got), expected, rtol=1e-6, atol=1e-5)


def test_preprocess_input_symbolic_and_module_modes():
    keras3 = _real_keras()
    inputs = keras.Input((5, 4, 3))
    model = keras.Model(inputs, keras.applications.vgg16.preprocess_input(inputs))
    x = _images((2, 5, 4, 3))
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               keras3.applications.vgg16.preprocess_input(x.copy()), atol=1e-5)
    for module in ("vgg16", "vgg19"):
        np.testing.assert_allclose(
            getattr(keras.applications, module).preprocess_input(x.copy()),
            getattr(keras3.applications, module).preprocess_input(x.copy()), atol=1e-5)


def test_preprocess_input_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        keras.applications.imagenet_utils.preprocess_input(_images((4, 4, 3)), mode="bgr")
    with pytest.raises(ValueError, match="data_format"):
        keras.applications.imagenet_utils.preprocess_input(_images((4, 4, 3)), data_format="x")


@pytest.fixture
def class_index(monkeypatch):
    """A made-up class index, installed in both libraries (no download)."""
    keras3 = _real_keras()
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    monkeypatch.setattr(keras.applications.imagenet_utils, "CLASS_INDEX", index)
    monkeypatch.setattr("keras.src.applications.imagenet_utils.CLASS_INDEX", index)
    return keras3


def test_decode_predictions_matches_keras(class_index):
    keras3 = class_index
    preds = np.random.default_rng(0).uniform(size=(3, 1000)).astype("float32")
    for top in (1, 5):
        assert (keras.applications.vgg16.decode_predictions(preds, top=top)
                == keras3.applications.vgg16.decode_predictions(preds, top=top))
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        keras.applications.imagenet_utils.decode_predictions(preds[:, :10])


def _offline(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("offline (test)")
    monkeypatch.setattr("urllib.request.urlopen", refuse)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))


def test_decode_predictions_reads_the_class_index_from_the_cache(monkeypatch, tmp_path):
    _offline(monkeypatch, tmp_path)
    monkeypatch.setattr(keras.applications.imagenet_utils, "CLASS_INDEX", None)
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = tmp_path / "models" / "imagenet_class_index.json"
    path.parent.mkdir()
    path.write_text(json.dumps(index))
    monkeypatch.setattr(keras.applications.imagenet_utils, "CLASS_INDEX_HASH", None)
    preds = np.eye(1000, dtype="float32")[[4]]
    assert keras.applications.imagenet_utils.decode_predictions(preds, top=1) == [
        [("n00000004", "class_4", np.float32(1.0))]]


def test_imagenet_weights_offline_error_names_url_and_cache_path(monkeypatch, tmp_path):
    _offline(monkeypatch, tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        keras.applications.VGG16(weights="imagenet", include_top=False,
                                 input_shape=(32, 32, 3))
    message = str(info.value)
    assert ("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") in message
    assert str(tmp_path / "models" / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5") in message


def test_argument_checks_match_keras(tmp_path):
    keras3 = _real_keras()
    for kwargs, match in [({"weights": "nope"}, "weights"),
                          ({"weights": "imagenet", "classes": 10}, "classes"),
                          ({"weights": None, "input_shape": (16, 16, 3),
                            "include_top": False}, "at least 32"),
                          ({"weights": None, "include_top": True,
                            "input_shape": (None, None, 3)}, "static"),
                          ({"weights": None, "include_top": False, "pooling": "sum",
                            "input_shape": (32, 32, 3)}, "pooling")]:
        with pytest.raises(ValueError, match=match):
            keras.applications.VGG16(**kwargs)
        if match != "pooling":  # Keras ignores an unknown pooling; we refuse it
            with pytest.raises(ValueError):
                keras3.applications.VGG16(**kwargs)


def test_weights_files_load_legacy_h5_weights_h5_and_keras(tmp_path):
    keras3 = _real_keras()
    h5py = pytest.importorskip("h5py")
    from keras.src.legacy.saving import legacy_h5_format

    kwargs = {"include_top": True, "classes": 3, "input_shape": (32, 32, 3), "alpha": 0.25}
    theirs = keras3.applications.MobileNet(weights=None, **kwargs)
    for w in theirs.weights:  # away from the initial values
        w.assign(np.random.default_rng(0).uniform(0.5, 1.0, size=w.shape).astype("float32"))
    x = _images((1, 32, 32, 3)) / 255.0
    expected = theirs.predict(x, verbose=0)
    with h5py.File(tmp_path / "legacy.h5", "w") as f:  # the pretrained files' layout
        legacy_h5_format.save_weights_to_hdf5_group(f, theirs)
    theirs.save(tmp_path / "whole_model.h5")  # a whole-model legacy file (model_weights group)
    theirs.save_weights(tmp_path / "theirs.weights.h5")
    theirs.save(tmp_path / "theirs.keras")
    for file in ("legacy.h5", "whole_model.h5", "theirs.weights.h5", "theirs.keras"):
        ours = keras.applications.MobileNet(weights=str(tmp_path / file), **kwargs)
        np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-6,
                                   err_msg=file)
    ours = keras.applications.MobileNet(weights=None, **kwargs)
    ours.load_weights(tmp_path / "legacy.h5", by_name=True)
    np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="by_name"):
        ours.load_weights(tmp_path / "theirs.weights.h5", by_name=True)
    smaller = keras.applications.MobileNet(weights=None, include_top=False, alpha=0.25,
                                           input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="Layer count mismatch"):
        smaller.load_weights(tmp_path / "legacy.h5")
