"""Image preprocessing layers and ops.image on every backend, against Keras 3 on fixed inputs.

Random layers are compared to Keras with degenerate factor ranges (every draw equal), so the
geometry and arithmetic are checked exactly; in training mode with real ranges, shape, value
range and reproducibility per seed are checked (the random stream need not be Keras')."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 10, 3)).astype("float32")
TRANSFORMS = np.array([[0.9, -0.3, 1.5, 0.2, 1.1, -2.0, 0.0, 0.0],
                       [1.2, 0.4, -3.0, -0.1, 0.8, 4.0, 0.01, -0.02]], "float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _close(ours, theirs, atol=1e-3):  # pixel values up to 255 in float32
    ours, theirs = _np(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=atol)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("option", [{}, {"crop_to_aspect_ratio": True},
                                    {"pad_to_aspect_ratio": True, "fill_value": 3.0}])
def test_resize_matches_keras(backend, interpolation, option):
    for size in [(4, 5), (11, 13)]:
        _close(keras.ops.image.resize(IMAGES, size, interpolation=interpolation, **option),
               real.ops.image.resize(IMAGES, size, interpolation=interpolation, **option))
    first = np.transpose(IMAGES, (0, 3, 1, 2))
    _close(keras.ops.image.resize(first, (5, 4), interpolation=interpolation,
                                  data_format="channels_first", **option),
           real.ops.image.resize(first, (5, 4), interpolation=interpolation,
                                 data_format="channels_first", **option))


@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "reflect"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_affine_transform_matches_keras(backend, fill_mode, interpolation):
    _close(keras.ops.image.affine_transform(IMAGES, TRANSFORMS, interpolation, fill_mode, 7.0),
           real.ops.image.affine_transform(IMAGES, TRANSFORMS, interpolation, fill_mode, 7.0))
    _close(keras.ops.image.affine_transform(IMAGES[0], TRANSFORMS[1], interpolation, fill_mode),
           real.ops.image.affine_transform(IMAGES[0], TRANSFORMS[1], interpolation, fill_mode))


def test_crop_pad_and_grayscale_match_keras(backend):
    crop = {"top_cropping": 1, "target_height": 4, "left_cropping": 2, "right_cropping": 3}
    pad = {"top_padding": 1, "target_height": 10, "left_padding": 2, "right_padding": 3}
    _close(keras.ops.image.crop_images(IMAGES, **crop), real.ops.image.crop_images(IMAGES, **crop))
    _close(keras.ops.image.pad_images(IMAGES, **pad), real.ops.image.pad_images(IMAGES, **pad))
    with pytest.raises(ValueError, match="rank 3"):
        keras.ops.image.resize(IMAGES[0, 0], (2, 2))


FIXED = [  # (layer, kwargs): every random draw is the same, so outputs equal Keras'
    ("RandomRotation", {"factor": (0.1, 0.1)}),
    ("RandomRotation", {"factor": (-0.25, -0.25), "fill_mode": "constant", "fill_value": 5.0}),
    ("RandomZoom", {"height_factor": (0.3, 0.3)}),
    ("RandomZoom", {"height_factor": (-0.4, -0.4), "width_factor": (0.2, 0.2),
                    "fill_mode": "wrap"}),
    ("RandomTranslation", {"height_factor": (0.2, 0.2), "width_factor": (-0.3, -0.3),
                           "fill_mode": "nearest", "interpolation": "nearest"}),
    ("RandomContrast", {"factor": (-0.5, 0.5)}),
    ("RandomBrightness", {"factor": (0.1, 0.1)}),
    ("Resizing", {"height": 5, "width": 4, "interpolation": "bicubic"}),
    ("Resizing", {"height": 6, "width": 6, "pad_to_aspect_ratio": True}),
    ("CenterCrop", {"height": 5, "width": 4}),
    ("CenterCrop", {"height": 12, "width": 4}),
    ("RandomCrop", {"height": 12, "width": 14}),
]


@pytest.mark.parametrize("name, kwargs", FIXED, ids=[f"{n}{i}" for i, (n, _) in
                                                      enumerate(FIXED)])
def test_layers_match_keras_training_and_inference(backend, name, kwargs):
    for images in (IMAGES, IMAGES[0]):
        ours, theirs = getattr(keras.layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
        _close(ours(images), theirs(images))
        _close(ours(images, training=False), theirs(images, training=False))
        assert ours.compute_output_shape(images.shape) == tuple(
            theirs.compute_output_shape(images.shape))
    config = ours.get_config()
    assert set(config) <= set(theirs.get_config()) | {"trainable", "dtype", "name"}
    _close(type(ours).from_config(config)(IMAGES, training=False), ours(IMAGES, training=False))


RANDOM = [("RandomFlip", {}), ("RandomRotation", {"factor": 0.2}),
          ("RandomZoom", {"height_factor": 0.3}),
          ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.2}),
          ("RandomContrast", {"factor": 0.5}), ("RandomBrightness", {"factor": 0.2}),
          ("RandomCrop", {"height": 5, "width": 6}),
          ("RandomShear", {"x_factor": 0.3, "y_factor": 0.3})]


@pytest.mark.parametrize("name, kwargs", RANDOM, ids=[n for n, _ in RANDOM])
def test_random_layers_identity_at_inference_and_reproducible(backend, name, kwargs):
    layer = getattr(keras.layers, name)(seed=7, **kwargs)
    if name != "RandomCrop":
        np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), IMAGES)
    first = _np(layer(IMAGES, training=True))
    again = _np(getattr(keras.layers, name)(seed=7, **kwargs)(IMAGES, training=True))
    np.testing.assert_array_equal(first, again)
    batch = np.tile(IMAGES, (4, 1, 1, 1))  # 8 images: equal draws twice are ~impossible
    assert not np.array_equal(_np(layer(batch, training=True)), _np(layer(batch, training=True)))
    assert first.shape == layer.compute_output_shape(IMAGES.shape)
    assert first.min() >= -1e-3 and first.max() <= 255 + 1e-3


def test_image_layer_errors_name_layer_and_rank(backend):
    with pytest.raises(ValueError, match=r"RandomFlip 'flip' expects images of rank 3"):
        keras.layers.RandomFlip(name="flip")(IMAGES[0, 0])
    with pytest.raises(ValueError, match=r"Resizing 'rs' expects images of rank 3"):
        keras.layers.Resizing(2, 2, name="rs")(np.zeros((1, 1, 2, 2, 3), "float32"))
    with pytest.raises(ValueError, match="factor"):
        keras.layers.RandomRotation(factor=(2.0, 3.0))
    with pytest.raises(ValueError, match="fill_mode"):
        keras.layers.RandomZoom(0.2, fill_mode="mirror")


def test_image_model_with_augmentation_trains(backend):
    inputs = keras.Input(shape=(8, 8, 3))
    x = keras.layers.RandomFlip(seed=1)(inputs)
    x = keras.layers.RandomRotation(0.1, seed=2)(x)
    x = keras.layers.RandomZoom(0.1, seed=3)(x)
    x = keras.layers.Rescaling(1 / 255)(x)
    x = keras.layers.Conv2D(4, 3, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, size=32)
    images = (rng.uniform(0, 120, size=(32, 8, 8, 3)) + 120 * labels[:, None, None, None])
    history = model.fit(images.astype("float32"), labels, epochs=6, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    predictions = model.predict(images[:4].astype("float32"), verbose=0)
    np.testing.assert_allclose(predictions, model.predict(images[:4].astype("float32"),
                                                          verbose=0))  # inference: no noise


def test_random_shear_is_one_of_keras_two_signed_shears(backend):
    layer = keras.layers.RandomShear(x_factor=(0.3, 0.3), y_factor=(0.2, 0.2), seed=5)
    out = _np(layer(IMAGES))
    for i in range(len(IMAGES)):
        candidates = [np.asarray(real.ops.image.affine_transform(
            IMAGES[i], np.array([1, s * 0.3, 0, s * 0.2, 1, 0, 0, 0], "float32"),
            "bilinear", "reflect")) for s in (1.0, -1.0)]
        assert min(np.abs(out[i] - c).max() for c in candidates) < 1e-3
    np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), IMAGES)
    assert set(layer.get_config()) == set(real.layers.RandomShear(0.3, 0.2).get_config())
    with pytest.raises(ValueError, match="x_factor"):
        keras.layers.RandomShear(x_factor=1.5)
