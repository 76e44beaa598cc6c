"""RandomGaussianBlur, RandomPerspective, RandomElasticTransform against Keras 3 on every
backend. Outputs are compared where the random draw is irrelevant (degenerate ranges, a zero
distortion, inference); otherwise shape, range and reproducibility per seed are checked (the
random stream need not be Keras')."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 12, 10, 3)).astype("float32")
CASES = [("RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": (0.7, 0.7)}),
         ("RandomGaussianBlur", {"factor": (1.0, 1.0), "kernel_size": (5, 3),
                                 "sigma": (0.4, 0.4)}),
         ("RandomGaussianBlur", {"factor": (0.0, 0.0)}),
         ("RandomPerspective", {"factor": (1.0, 1.0), "scale": 0.0}),
         ("RandomPerspective", {"factor": (0.0, 0.0), "interpolation": "nearest"}),
         ("RandomElasticTransform", {"factor": (1.0, 1.0), "scale": 0.0}),
         ("RandomElasticTransform", {"factor": (0.0, 0.0), "scale": 0.5})]


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}{i}" for i, (n, _) in
                                                      enumerate(CASES)])
def test_warp_layers_match_keras(backend, name, kwargs):
    for x, data_format in ((IMAGES, None), (IMAGES[0], None),
                           (np.transpose(IMAGES, (0, 3, 1, 2)), "channels_first")):
        for training in (True, False):
            ours = getattr(keras.layers, name)(data_format=data_format, **kwargs)
            theirs = getattr(real.layers, name)(data_format=data_format, **kwargs)
            np.testing.assert_allclose(_np(ours(x, training=training)),
                                       np.asarray(theirs(x, training=training)),
                                       rtol=1e-5, atol=1e-3)
    ours, theirs = getattr(keras.layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
    assert ours.get_config().keys() == theirs.get_config().keys()
    for key, value in theirs.get_config().items():
        if key not in ("name", "dtype"):
            assert ours.get_config()[key] == value, key


@pytest.mark.parametrize("name, kwargs", [("RandomGaussianBlur", {"sigma": 1.0}),
                                          ("RandomPerspective", {"scale": 0.6}),
                                          ("RandomElasticTransform", {"scale": 1.0})])
def test_warp_layers_reproducible_in_range_identity_at_inference(backend, name, kwargs):
    batch = np.tile(IMAGES, (2, 1, 1, 1))
    layer = getattr(keras.layers, name)(factor=(1.0, 1.0), seed=4, **kwargs)
    np.testing.assert_array_equal(_np(layer(batch, training=False)), batch)
    first = _np(layer(batch))
    again = _np(getattr(keras.layers, name)(factor=(1.0, 1.0), seed=4, **kwargs)(batch))
    np.testing.assert_array_equal(first, again)
    assert first.shape == batch.shape and first.min() >= 0 and first.max() <= 255
    assert not np.allclose(first, batch)
    assert np.all(np.isfinite(first))


def test_warp_layers_train_in_a_compiled_model(backend):
    inputs = keras.Input((12, 10, 3))
    x = keras.layers.RandomGaussianBlur(seed=1)(inputs)
    x = keras.layers.RandomPerspective(seed=1)(x)
    x = keras.layers.RandomElasticTransform(seed=1)(x)
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inputs, outputs)
    model.compile("sgd", "mse")
    history = model.fit(IMAGES / 255.0, np.ones((2, 1)), epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_warp_layer_errors():
    with pytest.raises(ValueError, match="RandomGaussianBlur: `kernel_size` must be an odd"):
        keras.layers.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match="RandomPerspective: `scale`"):
        keras.layers.RandomPerspective(scale=2.0)
    with pytest.raises(NotImplementedError, match="interpolation"):
        keras.layers.RandomElasticTransform(interpolation="bicubic")
    with pytest.raises(NotImplementedError, match="fill_mode"):
        keras.layers.RandomElasticTransform(fill_mode="mirror")


def test_warp_layers_round_trip_with_keras(backend, tmp_path):
    def build(lib):
        inputs = lib.Input((12, 10, 3))
        x = lib.layers.RandomGaussianBlur((1.0, 1.0), sigma=(0.5, 0.5))(inputs)
        x = lib.layers.RandomPerspective((1.0, 1.0), scale=0.0)(x)
        return lib.Model(inputs, lib.layers.RandomElasticTransform(scale=0.0)(x))
    ours, theirs = build(keras), build(real)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    want = np.asarray(theirs(IMAGES))
    np.testing.assert_allclose(_np(keras.models.load_model(tmp_path / "theirs.keras")(IMAGES)),
                               want, atol=1e-3)
    np.testing.assert_allclose(np.asarray(real.models.load_model(tmp_path / "ours.keras")(
        IMAGES)), _np(ours(IMAGES)), atol=1e-3)
    np.testing.assert_allclose(_np(ours(IMAGES)), want, atol=1e-3)
