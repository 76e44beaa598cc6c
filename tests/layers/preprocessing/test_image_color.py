"""Colour layers (RandomGrayscale, RandomInvert, Solarization, AutoContrast, RandomHue,
RandomSaturation), HSV ops and Pipeline on every backend, against Keras 3 with degenerate
factor ranges (deterministic draws)."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 10, 3)).astype("float32")
CASES = [("RandomGrayscale", {"factor": 1.0}), ("RandomGrayscale", {"factor": 0.0}),
         ("RandomInvert", {"factor": (1.0, 1.0)}),
         ("Solarization", {"addition_factor": (0.0, 0.0), "threshold_factor": (0.0, 0.0)}),
         ("Solarization", {"value_range": (0, 1)}),
         ("AutoContrast", {}), ("AutoContrast", {"value_range": (0, 1)}),
         ("RandomHue", {"factor": 0.0}), ("RandomHue", {"factor": (0.0, 0.0), "value_range": (0, 1)}),
         ("RandomSaturation", {"factor": (0.3, 0.3)}),
         ("RandomSaturation", {"factor": (0.8, 0.8), "value_range": (0, 1)}),
         ("RandomPosterization", {"factor": (3, 3)}),
         ("RandomPosterization", {"factor": (5, 5), "value_range": (0, 1)})]


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}{i}" for i, (n, _) in
                                                      enumerate(CASES)])
def test_colour_layers_match_keras(backend, name, kwargs):
    images = IMAGES / 255.0 if kwargs.get("value_range") == (0, 1) else IMAGES
    for x in (images, images[0]):
        for training in (True, False):
            ours = getattr(keras.layers, name)(**kwargs)(x, training=training)
            theirs = getattr(real.layers, name)(**kwargs)(x, training=training)
            np.testing.assert_allclose(_np(ours), np.asarray(theirs), rtol=1e-5, atol=1e-3)
    assert set(getattr(keras.layers, name)(**kwargs).get_config()) == set(
        getattr(real.layers, name)(**kwargs).get_config())


@pytest.mark.parametrize("op", ["rgb_to_hsv", "hsv_to_rgb"])
def test_hsv_ops_match_keras(backend, op):
    unit = IMAGES / 255.0
    unit[0, 0, 0] = 0.5  # grey: zero saturation
    for x, data_format in ((unit, None), (np.transpose(unit, (0, 3, 1, 2)), "channels_first"),
                           (unit[0], None)):
        ours = getattr(keras.ops.image, op)(x, data_format=data_format)
        theirs = getattr(real.ops.image, op)(x, data_format=data_format)
        np.testing.assert_allclose(_np(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="floating point"):
        getattr(keras.ops.image, op)(IMAGES.astype("uint8"))


def test_random_colour_layers_are_reproducible_and_identity_at_inference(backend):
    batch = np.tile(IMAGES, (4, 1, 1, 1))
    for cls, kwargs in ((keras.layers.RandomGrayscale, {}), (keras.layers.RandomInvert, {}),
                        (keras.layers.Solarization, {"addition_factor": 0.5,
                                                     "threshold_factor": 0.5}),
                        (keras.layers.RandomHue, {"factor": 0.5}),
                        (keras.layers.RandomSaturation, {"factor": 0.3}),
                        (keras.layers.RandomPosterization, {"factor": 6})):
        layer = cls(seed=3, **kwargs)
        np.testing.assert_array_equal(_np(layer(batch, training=False)), batch)
        first = _np(layer(batch))
        np.testing.assert_array_equal(first, _np(cls(seed=3, **kwargs)(batch)))
        assert first.shape == batch.shape and -1e-3 <= first.min() and first.max() <= 255.01


def test_pipeline_matches_keras_and_round_trips(backend):
    ours = keras.layers.Pipeline([keras.layers.AutoContrast(),
                                  keras.layers.RandomInvert(factor=(1.0, 1.0)),
                                  keras.layers.CenterCrop(4, 6)])
    theirs = real.layers.Pipeline([real.layers.AutoContrast(),
                                   real.layers.RandomInvert(factor=(1.0, 1.0)),
                                   real.layers.CenterCrop(4, 6)])
    np.testing.assert_allclose(_np(ours(IMAGES)), np.asarray(theirs(IMAGES)), atol=1e-3)
    np.testing.assert_allclose(_np(ours(IMAGES, training=False)),
                               np.asarray(theirs(IMAGES, training=False)), atol=1e-3)
    clone = keras.layers.Pipeline.from_config(ours.get_config())
    np.testing.assert_allclose(_np(clone(IMAGES)), _np(ours(IMAGES)), atol=1e-4)
    with pytest.raises(ValueError, match="list of layers"):
        keras.layers.Pipeline("flip")
