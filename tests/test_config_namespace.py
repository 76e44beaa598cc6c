"""``keras.config``: every Keras 3 name, and the switches behave as Keras 3's do."""

from __future__ import annotations

import logging
import os

import numpy as np
import pytest

import mini_keras as keras

X = np.random.default_rng(0).normal(size=(12, 3)).astype("float32")
Y = np.random.default_rng(1).normal(size=(12, 1)).astype("float32")


@pytest.fixture(scope="module")
def keras3():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def test_every_keras3_name_exists(keras3):
    theirs = {n for n in dir(keras3.config) if not n.startswith("_")}
    missing = theirs - set(keras.config.__all__)
    # Keras' traceback filtering hides its own frames; mini_keras adds none to hide (not ported).
    assert missing <= {"disable_traceback_filtering", "enable_traceback_filtering",
                       "is_traceback_filtering_enabled"}, missing


def _history(module, **fit_kwargs):
    model = module.Sequential([module.Input((3,)), module.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model.fit(X, Y, batch_size=4, verbose=0, **fit_kwargs).history


@pytest.mark.parametrize("kind", ["epochs", "steps"])
def test_max_epochs_and_steps_cap_fit_like_keras3(kind, keras3):
    lengths = []
    for module in (keras, keras3):
        setter = (module.config.set_max_epochs if kind == "epochs"
                  else module.config.set_max_steps_per_epoch)
        setter(2)
        try:
            with pytest.warns(UserWarning, match="Limiting"):
                history = _history(module, epochs=5)
        finally:
            setter(None)
        lengths.append(len(history["loss"]))
        assert (module.config.max_epochs(), module.config.max_steps_per_epoch()) == (None, None)
    assert lengths[0] == lengths[1] == (2 if kind == "epochs" else 5)


def test_max_steps_per_epoch_limits_the_batches(backend):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    keras.config.set_max_steps_per_epoch(1)
    try:
        with pytest.warns(UserWarning, match="Limiting steps_per_epoch to 1"):
            model.fit(X, Y, batch_size=4, epochs=1, verbose=0)
    finally:
        keras.config.set_max_steps_per_epoch(None)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 1
    with pytest.raises(ValueError, match="positive int"):
        keras.config.set_max_epochs(0)


def test_interactive_logging_switch(capsys, caplog):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    assert keras.config.is_interactive_logging_enabled()
    keras.config.disable_interactive_logging()
    try:
        assert not keras.config.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="mini_keras"):
            model.fit(X, Y, batch_size=4, epochs=1, verbose=1)
        assert capsys.readouterr().out == ""
        assert "Epoch 1/1" in caplog.text and "3/3" in caplog.text
    finally:
        keras.config.enable_interactive_logging()
    model.fit(X, Y, batch_size=4, epochs=1, verbose=1)
    assert "Epoch 1/1" in capsys.readouterr().out


def test_flash_attention_and_nnx_switches_like_keras3(keras3):
    for module in (keras, keras3):
        assert module.config.is_flash_attention_enabled() is None
        assert module.config.is_nnx_enabled() is False
        module.config.disable_flash_attention()
        assert module.config.is_flash_attention_enabled() is False
        module.config.enable_flash_attention()
        assert module.config.is_flash_attention_enabled() is None  # "auto" again


def test_enable_unsafe_deserialization(tmp_path):
    """Outside load_model, lambdas load only after the switch; load_model keeps its own
    ``safe_mode`` argument (Keras 3's rule)."""
    from mini_keras.saving import serialization

    layer = keras.layers.Lambda(lambda t: t * 2.0)
    config = keras.saving.serialize_keras_object(layer)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t + 1.0)])
    model.save(tmp_path / "lambda.keras")
    assert serialization.in_safe_mode()
    with pytest.raises(ValueError, match="lambda"):
        keras.saving.deserialize_keras_object(config)
    keras.config.enable_unsafe_deserialization()
    try:
        restored = keras.saving.deserialize_keras_object(config)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(restored(X)), X * 2.0)
        with pytest.raises(ValueError, match="lambda"):
            keras.models.load_model(tmp_path / "lambda.keras")
    finally:
        serialization.config_flags._STATE["unsafe_deserialization"] = False
