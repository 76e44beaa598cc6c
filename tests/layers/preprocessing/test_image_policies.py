"""RandomColorJitter, RandAugment and AugMix on every backend, against Keras 3 where the draw
is irrelevant (degenerate factors, inference) and by invariants otherwise: with a zero
magnitude every RandAugment operation is deterministic, so one operation's output must be
one of Keras' eleven candidate outputs."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 10, 3)).astype("float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


JITTER = {"brightness_factor": (0.1, 0.1), "contrast_factor": (0.0, 0.0),
          "saturation_factor": (0.6, 0.6), "hue_factor": (0.0, 0.0)}


def test_color_jitter_matches_keras(backend):
    # contrast draws in [1 - lower, 1 + upper]: only (0, 0) is deterministic
    for kwargs in (JITTER, {}):
        ours = keras.layers.RandomColorJitter(**kwargs)
        theirs = real.layers.RandomColorJitter(**kwargs)
        for x in (IMAGES, IMAGES[0]):
            for training in (True, False):
                np.testing.assert_allclose(_np(ours(x, training=training)),
                                           np.asarray(theirs(x, training=training)),
                                           rtol=1e-5, atol=1e-2)
        assert ours.get_config().keys() == theirs.get_config().keys()


def _candidates(x):
    names = ["RandomShear", "RandomTranslation", "RandomRotation", "RandomBrightness",
             "RandomColorDegeneration", "RandomContrast", "RandomSharpness",
             "RandomPosterization", "Solarization", "AutoContrast", "Equalization"]
    layer = real.layers.RandAugment(factor=0.0, num_ops=1)
    outs = []
    for name in names:
        sub = getattr(layer, name[0].lower() + "".join(
            "_" + c.lower() if c.isupper() else c for c in name[1:]))
        outs.append(np.asarray(sub(x)))
    return outs


def test_rand_augment_picks_one_of_keras_operations(backend):
    candidates = _candidates(IMAGES)
    for seed in range(2):
        out = _np(keras.layers.RandAugment(factor=0.0, num_ops=1, seed=seed)(IMAGES))
        errors = [np.abs(out - c).max() for c in candidates]
        assert min(errors) < 1e-2, errors
    layer = keras.layers.RandAugment(seed=1)
    np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), IMAGES)
    first = _np(layer(IMAGES))
    np.testing.assert_array_equal(first, _np(keras.layers.RandAugment(seed=1)(IMAGES)))
    assert first.shape == IMAGES.shape and first.min() >= -1e-3 and first.max() <= 255.01
    assert set(layer.get_config()) == set(real.layers.RandAugment().get_config())


def test_aug_mix_is_a_convex_mix_and_reproducible(backend):
    layer = keras.layers.AugMix(seed=2, num_chains=2, chain_depth=1)
    np.testing.assert_array_equal(_np(layer(IMAGES, training=False)), IMAGES)
    first = _np(layer(IMAGES))
    again = _np(keras.layers.AugMix(seed=2, num_chains=2, chain_depth=1)(IMAGES))
    np.testing.assert_array_equal(first, again)
    assert first.shape == IMAGES.shape and first.min() >= 0 and first.max() <= 255
    assert np.all(np.isfinite(first))
    # a constant image stays constant under every operation but solarization/posterization,
    # and the mix keeps it in range
    small = keras.layers.AugMix(all_ops=False, seed=0)
    assert small.get_config().keys() == real.layers.AugMix(all_ops=False).get_config().keys()
    assert len(small._augment_layers) == 7
    with pytest.raises(ValueError, match="AugMix: `num_chains`"):
        keras.layers.AugMix(num_chains=0)


def test_policies_round_trip_with_keras(backend, tmp_path):
    def build(lib):
        inputs = lib.Input((8, 10, 3))
        x = lib.layers.RandomColorJitter(**JITTER)(inputs)
        x = lib.layers.RandAugment(num_ops=1)(x)
        return lib.Model(inputs, lib.layers.AugMix()(x))
    ours, theirs = build(keras), build(real)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    here = keras.models.load_model(tmp_path / "theirs.keras")
    there = real.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(_np(here.predict(IMAGES, verbose=0)),
                               theirs.predict(IMAGES, verbose=0), atol=1e-3)
    np.testing.assert_allclose(there.predict(IMAGES, verbose=0),
                               _np(ours.predict(IMAGES, verbose=0)), atol=1e-3)
    assert here.layers[2].get_config()["num_ops"] == 1
