"""Layers added for Keras 3 parity, on every backend: with Keras 3's weights the outputs equal
Keras 3's, and models holding them move through ``.keras`` files both ways."""

import numpy as np
import pytest
from catalogue_helpers import real_keras

import mini_keras as keras

RNG = np.random.default_rng(2)
X = RNG.normal(size=(3, 5, 4)).astype("float32")
X[0, 1] = 0.0
X[2, 3:] = 0.0  # padded timesteps for Masking

CASES = [  # (layer name, kwargs)
    ("Identity", {}),
    ("Masking", {}),
    ("Masking", {"mask_value": 0.5}),
    ("RMSNormalization", {}),
    ("RMSNormalization", {"axis": [1, 2], "epsilon": 1e-3}),
]


def _keras_model(keras3, name, kwargs):
    keras3.utils.set_random_seed(0)
    layer = getattr(keras3.layers, name)(**kwargs)
    model = keras3.Sequential([keras3.Input((5, 4)), layer, keras3.layers.Dense(2)])
    for w in model.weights:  # random weights everywhere (RMSNormalization's scale is ones)
        w.assign(RNG.normal(size=w.shape).astype("float32"))
    return model


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{c[0]}{i}" for i, c in
                                                         enumerate(CASES)])
def test_layer_matches_keras_and_round_trips(backend, name, kwargs, tmp_path):
    keras3 = real_keras()
    reference = _keras_model(keras3, name, kwargs)
    expected = np.asarray(reference.predict(X, verbose=0))
    reference.save(tmp_path / "theirs.keras")
    ours = keras.models.load_model(tmp_path / "theirs.keras")
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in reference.weights]
    # float32: a handful of ops on O(1) values
    np.testing.assert_allclose(np.asarray(ours.predict(X, verbose=0)), expected, rtol=1e-5,
                               atol=1e-5)
    assert ours.layers[0].get_config() == {
        k: v for k, v in reference.layers[0].get_config().items() if k != "dtype"} | {
        "dtype": ours.layers[0].get_config()["dtype"]}
    config = keras.layers.serialize(ours.layers[0])
    theirs = real_keras().layers.serialize(reference.layers[0])
    for key in ("module", "class_name", "registered_name"):
        assert config[key] == theirs[key], key
    assert keras.layers.deserialize(config).get_config() == ours.layers[0].get_config()
    ours.save(tmp_path / "ours.keras")
    back = keras3.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(back.predict(X, verbose=0)), expected, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("mask_value", [0.0, 0.5])
def test_masking_mask_matches_keras(backend, mask_value):
    x = X.copy()
    x[1, 2] = 0.5
    ours = keras.layers.Masking(mask_value=mask_value)
    theirs = real_keras().layers.Masking(mask_value=mask_value)
    got = np.asarray(keras.ops.convert_to_numpy(ours.compute_mask(keras.ops.convert_to_tensor(x))))
    expected = np.asarray(theirs.compute_mask(x))
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(np.asarray(keras.ops.convert_to_numpy(ours(x))),
                               np.asarray(theirs(x)), rtol=0, atol=0)


def test_aliases_are_the_keras_classes():
    keras3 = real_keras()
    for alias in ("Convolution1D", "Convolution2D", "Convolution2DTranspose",
                  "SeparableConvolution2D"):
        assert getattr(keras.layers, alias).__name__ == getattr(keras3.layers, alias).__name__


def test_rms_normalization_axis_out_of_bounds_is_named():
    with pytest.raises(ValueError, match="axis 3 is out of bounds for input shape"):
        keras.layers.RMSNormalization(axis=3)(X)
