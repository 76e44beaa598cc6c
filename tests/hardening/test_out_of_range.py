"""Out-of-range values: bad labels, Embedding ids and int64 values raise on every backend.

Without these checks each framework does its own thing (torch/jax give a finite wrong loss for
label 10 of 10 classes, TensorFlow NaN, jax clamps an Embedding id, numpy raises an IndexError
deep inside); see ``mini_keras/trainers/value_checks.py``.
"""

import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import config

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3)).astype("float32")


def _classifier(classes=10):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(classes)])
    model.compile(optimizer="sgd",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


@pytest.mark.parametrize("bad,index", [(10, 7), (-1, 3)])
def test_sparse_labels_out_of_range_raise_in_fit(backend, bad, index):
    y = np.arange(12) % 10
    y[index] = bad
    model = _classifier()
    before = [v.numpy().copy() for v in model.weights]
    with pytest.raises(ValueError) as info:
        model.fit(X, y, epochs=1, batch_size=4, verbose=0)
    message = str(info.value)
    assert "fit(y)" in message and "sparse categorical cross-entropy labels" in message
    assert "[0, 10)" in message and f"value {bad} at index ({index},)" in message
    assert "10 classes" in message
    for v, w in zip(model.weights, before):  # raised before any step
        np.testing.assert_array_equal(v.numpy(), w)


def test_sparse_labels_checked_in_validation_data(backend):
    y = np.arange(12) % 10
    y_val = y.copy()
    y_val[5] = 11
    with pytest.raises(ValueError, match=r"fit\(validation_data\).*value 11 at index \(5,\)"):
        _classifier().fit(X, y, validation_data=(X, y_val), epochs=1, verbose=0)


def test_ignore_class_is_a_valid_label(backend):
    y = np.arange(12) % 10
    y[2] = -1
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(10)])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1)
    model.compile(optimizer="sgd", loss=loss)
    expected = float(loss(y, model.predict(X, verbose=0)))  # at the weights the step starts from
    history = model.fit(X, y, epochs=1, batch_size=12, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none"])
def test_ignore_class_matches_keras3(backend, reduction):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
    keras3 = pytest.importorskip("keras")
    y = np.array([0, -1, 2, 1, -1])
    p = RNG.normal(size=(5, 3)).astype("float32")
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0], "float32")
    ours = keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                      reduction=reduction)
    ref = keras3.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=-1,
                                                      reduction=reduction)
    assert ours.get_config() == ref.get_config()
    for sw in (None, w):  # float32 log-softmax of 3 logits: a few ulps
        np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(y, p, sample_weight=sw)),
                                   np.asarray(ref(y, p, sample_weight=sw)), rtol=1e-6,
                                   atol=1e-6)


def test_float_labels_must_be_whole(backend):
    y = (np.arange(12) % 10).astype("float32")
    y[4] = 2.5
    with pytest.raises(ValueError, match=r"value 2.5 at index \(4,\)"):
        _classifier().fit(X, y, epochs=1, verbose=0)


def _embedding_model(functional):
    if functional:
        ids = keras.Input((4,), dtype="int32")
        out = keras.layers.Dense(1)(keras.layers.Flatten()(keras.layers.Embedding(10, 2)(ids)))
        model = keras.Model(ids, out)
    else:
        model = keras.Sequential([keras.Input((4,), dtype="int32"),
                                  keras.layers.Embedding(10, 2, name="emb"),
                                  keras.layers.Flatten(), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.parametrize("functional", [False, True], ids=["sequential", "functional"])
def test_embedding_id_out_of_range_raises_in_fit(backend, functional):
    ids = (np.arange(24).reshape(6, 4) % 10).astype("int32")
    ids[4, 2] = 12
    model = _embedding_model(functional)
    with pytest.raises(ValueError) as info:
        model.fit(ids, np.zeros((6, 1), "float32"), epochs=1, verbose=0)
    message = str(info.value)
    assert "fit(x)" in message and "Embedding" in message and "input_dim=10" in message
    assert "value 12 at index (4, 2)" in message and "[0, 10)" in message


def test_value_checks_switch_checks_inside_the_step(backend):
    """Ids computed inside the model are only known in the step: the debug switch checks them
    there, on every backend, instead of each framework's own clamp/NaN/IndexError."""
    ids = keras.Input((4,))
    shifted = keras.layers.Lambda(lambda t: t + 5.0)(ids)  # ids made inside the model
    out = keras.layers.Dense(1)(keras.layers.Flatten()(keras.layers.Embedding(10, 2)(shifted)))
    model = keras.Model(ids, out)
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 4), "float32")
    x[1, 3] = 6.0  # becomes 11 inside the model
    y = np.zeros((4, 1), "float32")
    config.enable_value_checks()
    try:
        assert config.value_checks_enabled()
        with pytest.raises(ValueError, match=r"ids of Embedding .*value 11 at index \(1, 3\)"):
            model.fit(x, y, epochs=1, verbose=0)
        with pytest.raises(ValueError, match=r"value 11 at index \(1, 3\)"):
            model.predict(x, verbose=0)
        x[1, 3] = 0.0  # all ids valid: the same model trains (uncompiled) with the switch on
        history = model.fit(x, y, epochs=1, verbose=0)
        assert np.isfinite(history.history["loss"][0])
    finally:
        config.disable_value_checks()
    assert not config.value_checks_enabled()


def test_value_checks_switch_checks_loss_labels(backend):
    from mini_keras import losses
    logits = keras.ops.convert_to_tensor(np.zeros((3, 4), "float32"))
    labels = keras.ops.convert_to_tensor(np.array([0, 4, 1], "int32"))
    config.enable_value_checks()
    try:
        with pytest.raises(ValueError, match=r"labels.*\[0, 4\).*value 4 at index \(1,\)"):
            losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    finally:
        config.disable_value_checks()


def test_int64_beyond_int32_on_a_32_bit_backend(backend):
    model = keras.Sequential([keras.Input((2,), dtype="int64"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 2), "int64")
    x[3, 1] = 2**62
    y = np.zeros((4, 1), "float32")
    probe = keras.ops.convert_to_numpy(keras.ops.convert_to_tensor(np.array([2**62], "int64")))
    if int(probe[0]) == 2**62:  # the backend keeps 64 bits: the value is trained on as given
        history = model.fit(x, y, epochs=1, verbose=0)
        assert history.history["loss"][0] > 1e30
        return
    with pytest.raises(ValueError) as info:
        model.fit(x, y, epochs=1, verbose=0)
    message = str(info.value)
    assert f"int64 value {2**62} at index (3, 1)" in message and backend in message
    assert "truncated" in message
