"""MixUp, CutMix, RandomErasing on every backend. Their draws are random (our stream, not
Keras'), so outputs are compared with Keras 3 where the draw is irrelevant (identical images,
a full-image erase with a fixed fill, inference) and otherwise checked by invariants: labels
mix with the images' weights, pasted pixels come from one other image, Beta statistics."""

import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.layers.preprocessing.image_mix import _beta, _gamma

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(4, 8, 6, 3)).astype("float32")
LABELS = np.eye(4, dtype="float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("name, kwargs", [("MixUp", {}), ("CutMix", {}),
                                          ("RandomErasing", {}),
                                          ("RandomErasing", {"fill_value": 30.0,
                                                             "scale": (1.0, 1.0),
                                                             "factor": (1.0, 1.0)}),
                                          ("RandomErasing", {"fill_value": (10, 20, 300),
                                                             "scale": (1.0, 1.0),
                                                             "factor": (1.0, 1.0)})])
def test_mix_layers_match_keras_where_the_draw_is_irrelevant(backend, name, kwargs):
    same = np.tile(IMAGES[:1], (4, 1, 1, 1))  # mixing identical images changes nothing
    formats = [(same, None), (np.transpose(same, (0, 3, 1, 2)), "channels_first")]
    if isinstance(kwargs.get("fill_value"), tuple):
        formats = formats[:1]  # Keras 3 fails to broadcast a per-channel fill channels_first
    for x, data_format in formats:
        for training in (True, False):
            if name == "RandomErasing" and "fill_value" not in kwargs and training:
                continue  # noise fill: random
            ours = getattr(keras.layers, name)(data_format=data_format, **kwargs)
            theirs = getattr(real.layers, name)(data_format=data_format, **kwargs)
            np.testing.assert_allclose(_np(ours(x, training=training)),
                                       np.asarray(theirs(x, training=training)), atol=1e-3)
    ours, theirs = getattr(keras.layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
    assert ours.get_config().keys() == theirs.get_config().keys()
    clone = type(ours).from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()


def test_mixup_mixes_labels_with_the_image_weights(backend):
    layer = keras.layers.MixUp(alpha=0.4, seed=2)
    out = layer({"images": IMAGES, "labels": LABELS})
    images, labels = _np(out["images"]), _np(out["labels"])
    for i in range(4):
        weight = labels[i, i]
        j = int(np.argmax(np.where(np.arange(4) == i, -1.0, labels[i])))
        np.testing.assert_allclose(images[i], weight * IMAGES[i] + (1 - weight) * IMAGES[j],
                                   rtol=1e-4, atol=1e-2)
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-5)
    again = keras.layers.MixUp(alpha=0.4, seed=2)({"images": IMAGES, "labels": LABELS})
    np.testing.assert_array_equal(_np(again["images"]), images)
    np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), IMAGES)


def test_cutmix_pastes_pixels_of_one_other_image(backend):
    layer = keras.layers.CutMix(seed=1)
    out = layer({"images": IMAGES, "labels": LABELS})
    images, labels = _np(out["images"]), _np(out["labels"])
    for i in range(4):
        changed = np.any(images[i] != IMAGES[i], axis=-1)
        if changed.any():
            j = int(np.argmax(np.where(np.arange(4) == i, -1, labels[i])))
            np.testing.assert_array_equal(images[i][changed], IMAGES[j][changed])
    np.testing.assert_allclose(labels.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(_np(layer(IMAGES[0])), IMAGES[0])  # unbatched: unchanged


def test_random_erasing_erases_a_box(backend):
    layer = keras.layers.RandomErasing(factor=(1.0, 1.0), scale=(0.2, 0.2), fill_value=0.0,
                                       seed=3)
    out = _np(layer(IMAGES))
    erased = np.all(out == 0.0, axis=-1)
    assert erased.any(axis=(1, 2)).all()
    np.testing.assert_array_equal(out[~erased], IMAGES[~erased])
    noise = _np(keras.layers.RandomErasing(factor=(1.0, 1.0), seed=3)(IMAGES))
    assert noise.min() >= 0 and noise.max() <= 255


def test_beta_and_gamma_draws_have_the_right_moments(backend):
    seed = keras.random.SeedGenerator(0)
    for alpha in (0.2, 3.0):
        g = _np(_gamma((4000,), alpha, seed))
        assert abs(g.mean() - alpha) < 0.1 * alpha + 0.02 and abs(g.var() - alpha) < 0.2 * alpha
        b = _np(_beta((4000,), alpha, seed))
        assert b.min() >= 0 and b.max() <= 1
        assert abs(b.mean() - 0.5) < 0.03
        assert abs(b.var() - 1 / (4 * (2 * alpha + 1))) < 0.02


def test_mix_layers_in_a_compiled_model_and_errors(backend):
    inputs = keras.Input((8, 6, 3))
    x = keras.layers.MixUp(seed=1)(inputs)
    x = keras.layers.CutMix(seed=1)(x)
    x = keras.layers.RandomErasing(seed=1)(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(x)))
    model.compile("sgd", "mse")
    assert np.isfinite(model.fit(IMAGES / 255.0, np.zeros((4, 2)), verbose=0,
                                 epochs=1).history["loss"][0])
    with pytest.raises(NotImplementedError, match="bounding_boxes"):
        keras.layers.MixUp()({"images": IMAGES, "bounding_boxes": LABELS})
    with pytest.raises(ValueError, match="MixUp: `alpha`"):
        keras.layers.MixUp(alpha=0)
    with pytest.raises(ValueError, match="RandomErasing: `fill_value`"):
        keras.layers.RandomErasing(fill_value=(1, 2))
