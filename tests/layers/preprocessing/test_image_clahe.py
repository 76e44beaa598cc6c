"""ContrastLimitedAdaptiveHistogramEqualization and MaxNumBoundingBoxes against Keras 3 on
every backend (both deterministic: outputs compared in training and inference)."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 13, 10, 3)).astype("float32")
IMAGES[0, :4, :4] = 40.0  # a flat tile


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("kwargs", [{"tile_grid_size": (3, 2), "clip_limit": 2.0},
                                    {"value_range": (0, 1), "tile_grid_size": (2, 5),
                                     "clip_limit": 0.0}])
def test_clahe_matches_keras(backend, kwargs):
    name = "ContrastLimitedAdaptiveHistogramEqualization"
    images = IMAGES / 255.0 if kwargs.get("value_range") == (0, 1) else IMAGES
    for x, data_format in ((images, None), (images[0], None),
                           (np.transpose(images, (0, 3, 1, 2)), "channels_first")):
        for training in (True, False):
            ours = getattr(keras.layers, name)(data_format=data_format, **kwargs)
            theirs = getattr(real.layers, name)(data_format=data_format, **kwargs)
            np.testing.assert_allclose(_np(ours(x, training=training)),
                                       np.asarray(theirs(x, training=training)),
                                       rtol=1e-5, atol=2e-3)
    ours, theirs = getattr(keras.layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
    assert ours.get_config().keys() == theirs.get_config().keys()


def test_clahe_round_trips_with_keras(backend, tmp_path):
    def build(lib):
        inputs = lib.Input((13, 10, 3))
        layer = lib.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(3, 3))
        return lib.Model(inputs, layer(inputs))
    ours, theirs = build(keras), build(real)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    want = np.asarray(theirs(IMAGES))
    np.testing.assert_allclose(_np(keras.models.load_model(tmp_path / "theirs.keras")(IMAGES)),
                               want, atol=2e-3)
    np.testing.assert_allclose(np.asarray(real.models.load_model(tmp_path / "ours.keras")(
        IMAGES)), want, atol=2e-3)


BOXES = {"boxes": np.arange(24, dtype="float32").reshape(2, 3, 4),
         "labels": np.array([[1, 2, 3], [4, 5, 6]], "int32")}


@pytest.mark.parametrize("max_number", [2, 3, 5])
def test_max_num_bounding_boxes_matches_keras(backend, max_number):
    data = {"images": IMAGES, "bounding_boxes": BOXES, "labels": np.ones((2, 1), "float32")}
    ours = keras.layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")(data)
    theirs = real.layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")(data)
    assert ours.keys() == theirs.keys()
    for key in ("boxes", "labels"):
        np.testing.assert_array_equal(_np(ours["bounding_boxes"][key]),
                                      np.asarray(theirs["bounding_boxes"][key]))
    np.testing.assert_array_equal(_np(ours["images"]), IMAGES)
    np.testing.assert_array_equal(_np(keras.layers.MaxNumBoundingBoxes(2)(IMAGES)), IMAGES)
    layer = keras.layers.MaxNumBoundingBoxes(max_number, bounding_box_format="xyxy")
    assert layer.get_config().keys() == real.layers.MaxNumBoundingBoxes(
        max_number, bounding_box_format="xyxy").get_config().keys()


def test_max_num_bounding_boxes_errors(backend):
    with pytest.raises(ValueError, match="bounding_box_format"):
        keras.layers.MaxNumBoundingBoxes(2)({"images": IMAGES, "bounding_boxes": BOXES})
    with pytest.raises(KeyError, match="unsupported keys"):
        keras.layers.MaxNumBoundingBoxes(2, bounding_box_format="xyxy")(
            {"images": IMAGES, "bounding_boxes": {**BOXES, "scores": BOXES["labels"]}})
    with pytest.raises(ValueError, match="max_number"):
        keras.layers.MaxNumBoundingBoxes(0)
