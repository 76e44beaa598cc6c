"""Equalization, RandomColorDegeneration, RandomSharpness and HashedCrossing against Keras 3
on every backend. Random layers are compared with degenerate factor ranges (``(a, a)``), so
the draw is irrelevant, and at inference; in training mode with a real range we check shape,
range and reproducibility per seed (the random stream need not be Keras')."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

IMAGES = np.random.default_rng(0).uniform(0, 255, size=(2, 8, 10, 3)).astype("float32")
IMAGES[0, :2] = 255.0  # a saturated patch, so equalization has a top bin to fill
CASES = [("Equalization", {}), ("Equalization", {"bins": 32}),
         ("Equalization", {"value_range": (0, 1)}),
         ("RandomColorDegeneration", {"factor": (0.4, 0.4)}),
         ("RandomColorDegeneration", {"factor": (1.0, 1.0), "value_range": (0, 1)}),
         ("RandomSharpness", {"factor": (0.9, 0.9)}),
         ("RandomSharpness", {"factor": (0.1, 0.1), "value_range": (0, 1)})]


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}{i}" for i, (n, _) in
                                                      enumerate(CASES)])
def test_adjust_layers_match_keras(backend, name, kwargs):
    images = IMAGES / 255.0 if kwargs.get("value_range") == (0, 1) else IMAGES
    for x, data_format in ((images, None), (images[0], None),
                           (np.transpose(images, (0, 3, 1, 2)), "channels_first")):
        for training in (True, False):
            ours = getattr(keras.layers, name)(data_format=data_format, **kwargs)
            theirs = getattr(real.layers, name)(data_format=data_format, **kwargs)
            np.testing.assert_allclose(_np(ours(x, training=training)),
                                       np.asarray(theirs(x, training=training)),
                                       rtol=1e-5, atol=1e-3)
    ours, theirs = getattr(keras.layers, name)(**kwargs), getattr(real.layers, name)(**kwargs)
    assert set(ours.get_config()) == set(theirs.get_config())
    clone = type(ours).from_config(ours.get_config())
    np.testing.assert_allclose(_np(clone(images)), _np(ours(images)), atol=1e-4)


def test_equalization_of_a_constant_image_is_the_identity(backend):
    flat = np.full((1, 4, 4, 3), 7.0, "float32")
    np.testing.assert_array_equal(_np(keras.layers.Equalization()(flat)),
                                  np.asarray(real.layers.Equalization()(flat)))


@pytest.mark.parametrize("cls, kwargs", [("RandomColorDegeneration", {"factor": 0.8}),
                                         ("RandomSharpness", {"factor": 0.8})])
def test_random_adjust_layers_reproducible_and_identity_at_inference(backend, cls, kwargs):
    batch = np.tile(IMAGES, (3, 1, 1, 1))
    layer = getattr(keras.layers, cls)(seed=5, **kwargs)
    np.testing.assert_array_equal(_np(layer(batch, training=False)), batch)
    first = _np(layer(batch))
    np.testing.assert_array_equal(first, _np(getattr(keras.layers, cls)(seed=5, **kwargs)(batch)))
    assert first.shape == batch.shape and first.min() >= 0 and first.max() <= 255
    assert not np.allclose(first, batch)


def test_adjust_layers_in_a_saved_model_round_trip_with_keras(backend, tmp_path):
    # Equalization is left out: Keras 3's compute_output_spec returns its input tensor, so a
    # Keras functional model holding it fails ("is part of a cycle").
    def build(lib):
        inputs = lib.Input((8, 10, 3))
        x = lib.layers.RandomColorDegeneration((0.3, 0.3))(inputs)
        return lib.Model(inputs, lib.layers.RandomSharpness((0.2, 0.2))(x))
    ours, theirs = build(keras), build(real)
    np.testing.assert_allclose(_np(ours(IMAGES)), np.asarray(theirs(IMAGES)), atol=1e-3)
    ours.save(tmp_path / "ours.keras")
    theirs.save(tmp_path / "theirs.keras")
    loaded_here = keras.models.load_model(tmp_path / "theirs.keras")
    loaded_there = real.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(_np(loaded_here(IMAGES)), np.asarray(theirs(IMAGES)), atol=1e-3)
    np.testing.assert_allclose(np.asarray(loaded_there(IMAGES)), _np(ours(IMAGES)), atol=1e-3)


def test_adjust_layer_errors():
    with pytest.raises(ValueError, match="RandomSharpness: `factor`"):
        keras.layers.RandomSharpness(1.5)
    with pytest.raises(ValueError, match="Equalization: `value_range`"):
        keras.layers.Equalization(value_range=5)
    with pytest.raises(ValueError, match="RandomColorDegeneration .* 3 channels"):
        keras.layers.RandomColorDegeneration(0.2)(keras.Input((4, 4, 1)))
    with pytest.raises(ValueError, match="rank 3"):
        keras.layers.Equalization()(np.zeros((4, 4), "float32"))


FEATURES = (np.array(["A", "B", "A", "B", "A", "longer string with ünicode"]),
            np.array([101, 101, 101, 102, -102, 2**40]))


@pytest.mark.parametrize("output_mode", ["int", "one_hot"])
def test_hashed_crossing_matches_keras(backend, output_mode):
    ours = keras.layers.HashedCrossing(7, output_mode=output_mode)
    theirs = real.layers.HashedCrossing(7, output_mode=output_mode)
    a, b = FEATURES
    for inputs in ((a, b), (a[:, None], b[:, None]), (a[0], b[0]), [b, a, b]):
        got, want = _np(ours(inputs)), np.asarray(theirs(inputs))
        assert got.shape == want.shape
        assert got.dtype == want.dtype or (backend == "jax" and got.dtype == "int32")  # no x64
        np.testing.assert_array_equal(got, want)
    assert ours.get_config().keys() == theirs.get_config().keys()
    clone = keras.layers.HashedCrossing.from_config(ours.get_config())
    np.testing.assert_array_equal(_np(clone((a, b))), _np(ours((a, b))))


def test_hashed_crossing_symbolic_tf_data_and_errors(backend):
    tf = pytest.importorskip("tensorflow")
    a, b = FEATURES
    layer = keras.layers.HashedCrossing(5, output_mode="one_hot")
    spec = layer((keras.Input((1,), dtype="string"), keras.Input((1,), dtype="int64")))
    assert spec.shape == (None, 5)
    dataset = tf.data.Dataset.from_tensor_slices((a, b)).batch(3).map(
        lambda x, y: layer((x, y)))
    np.testing.assert_array_equal(np.concatenate(list(dataset.as_numpy_iterator())),
                                  _np(layer((a, b))))
    with pytest.raises(ValueError, match="at least two inputs"):
        layer((a,))
    with pytest.raises(ValueError, match="same shape"):
        layer((a, b[:2]))
    with pytest.raises(ValueError, match="integer or string dtype"):
        layer((a, b.astype("float32")))
    with pytest.raises(ValueError, match="positive int"):
        keras.layers.HashedCrossing(0)
