"""Keras 3 arguments that used to be missing or ignored, on every backend, against Keras 3:
``BinaryCrossentropy(axis=)``, the losses' ``dtype``, ``SparseCategoricalCrossentropy(axis=)``,
the metric ``SparseCategoricalCrossentropy(ignore_class=)``, top-k ``from_sorted_ids`` and the
``keras.config`` setters' parameter names."""

import inspect

import numpy as np
import pytest
from catalogue_helpers import keras_numpy, ours_numpy, real_keras

import mini_keras as keras

RNG = np.random.default_rng(5)
PROBS = RNG.uniform(0.05, 0.95, size=(3, 4)).astype("float32")
TARGETS = (RNG.uniform(size=(3, 4)) > 0.5).astype("float32")
SOFTMAX = RNG.dirichlet(np.ones(4), size=5).astype("float32")
LABELS = np.array([0, 1, 2, 3, 1])


@pytest.mark.parametrize("axis", [0, -1])
def test_binary_crossentropy_reduces_over_axis_as_keras(backend, axis):
    ours = keras.losses.BinaryCrossentropy(axis=axis, reduction=None)
    theirs = real_keras().losses.BinaryCrossentropy(axis=axis, reduction=None)
    got, expected = ours_numpy(ours(TARGETS, PROBS)), keras_numpy(theirs(TARGETS, PROBS))
    assert got.shape == expected.shape == (PROBS.shape[1 - (axis % 2)],)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)  # float32 logs and means
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("name", ["MeanSquaredError", "MeanAbsoluteError",
                                  "BinaryCrossentropy", "CategoricalCrossentropy"])
def test_loss_dtype_argument_computes_in_that_dtype(backend, name):
    """float16 (float64 is not on every backend: JAX without x64)."""
    ours = getattr(keras.losses, name)(dtype="float16")
    theirs = getattr(real_keras().losses, name)(dtype="float16")
    got, expected = ours(TARGETS, PROBS), theirs(TARGETS, PROBS)
    assert keras.ops.dtype(got) == keras_numpy(expected).dtype.name == "float16"
    # float16 (eps 2**-10) through a log or square and a mean of 12 values: a few eps apart
    np.testing.assert_allclose(ours_numpy(got), keras_numpy(expected), rtol=8 * 2.0 ** -10)


def test_sparse_categorical_crossentropy_axis_and_config_as_keras(backend):
    """Classes on axis 0 give Keras' answer for the same data with classes last (Keras'
    TensorFlow backend supports only ``axis=-1`` itself)."""
    channels_first = np.moveaxis(SOFTMAX, -1, 0)
    ours = keras.losses.SparseCategoricalCrossentropy(axis=0, reduction=None)
    theirs = real_keras().losses.SparseCategoricalCrossentropy(reduction=None)
    np.testing.assert_allclose(ours_numpy(ours(LABELS, channels_first)),
                               keras_numpy(theirs(LABELS, SOFTMAX)), rtol=1e-5)
    keras_config = real_keras().losses.SparseCategoricalCrossentropy(axis=0).get_config()
    assert keras.losses.SparseCategoricalCrossentropy(axis=0).get_config() == keras_config


def test_metric_sparse_categorical_crossentropy_ignore_class(backend):
    ours = keras.metrics.SparseCategoricalCrossentropy(ignore_class=1)
    theirs = real_keras().metrics.SparseCategoricalCrossentropy(ignore_class=1)
    ours.update_state(LABELS, SOFTMAX)
    theirs.update_state(LABELS, SOFTMAX)
    unweighted = keras.metrics.SparseCategoricalCrossentropy()
    unweighted.update_state(LABELS, SOFTMAX)
    np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-5)
    assert abs(float(ours.result()) - float(unweighted.result())) > 1e-3
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("k", [1, 2])
def test_sparse_top_k_from_sorted_ids_as_keras(backend, k):
    sorted_ids = np.argsort(-SOFTMAX, axis=-1)[:, :3].astype("int32")
    ours = keras.metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True)
    theirs = real_keras().metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True)
    ours.update_state(LABELS, sorted_ids)
    theirs.update_state(LABELS, sorted_ids)
    np.testing.assert_allclose(float(ours.result()), float(theirs.result()), rtol=1e-6)
    assert ours.get_config() == theirs.get_config()
    # the same answer as from the scores themselves
    np.testing.assert_array_equal(
        ours_numpy(keras.metrics.sparse_top_k_categorical_accuracy(LABELS, sorted_ids, k=k,
                                                                   from_sorted_ids=True)),
        ours_numpy(keras.metrics.sparse_top_k_categorical_accuracy(LABELS, SOFTMAX, k=k)))


@pytest.mark.parametrize("name", ["set_backend", "set_image_data_format", "set_floatx",
                                  "set_epsilon"])
def test_config_setters_have_keras_parameter_names(name):
    ours = inspect.signature(getattr(keras.config, name))
    theirs = inspect.signature(getattr(real_keras().config, name))
    assert list(ours.parameters) == list(theirs.parameters)


def test_set_image_data_format_by_keyword():
    before = keras.config.image_data_format()
    try:
        keras.config.set_image_data_format(data_format="channels_first")
        assert keras.config.image_data_format() == "channels_first"
    finally:
        keras.config.set_image_data_format(before)
