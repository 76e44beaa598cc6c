"""The small keras.utils names that are other namespaces' objects under a second name, and
keras.utils.Config, against Keras 3."""

from __future__ import annotations

import os

import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

SAME_AS = {"Sequence": "utils.PyDataset", "CustomObjectScope": "utils.custom_object_scope",
           "clear_session": "backend.clear_session", "is_keras_tensor": "backend.is_keras_tensor",
           "standardize_dtype": "backend.standardize_dtype",
           "get_registered_name": "saving.get_registered_name",
           "get_registered_object": "saving.get_registered_object",
           "enable_interactive_logging": "config.enable_interactive_logging",
           "disable_interactive_logging": "config.disable_interactive_logging",
           "is_interactive_logging_enabled": "config.is_interactive_logging_enabled"}


@pytest.fixture(scope="module")
def keras3():
    return pytest.importorskip("keras")


def _lookup(module, dotted):
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


@pytest.mark.parametrize("name", sorted(SAME_AS))
def test_alias_is_the_same_object_as_in_keras(keras3, name):
    assert getattr(keras.utils, name) is _lookup(keras, SAME_AS[name])
    assert (getattr(keras3.utils, name) is _lookup(keras3, SAME_AS[name])
            or getattr(keras3.utils, name).__name__ == _lookup(keras3, SAME_AS[name]).__name__)


def test_config_behaves_like_keras(keras3):
    for module in (keras, keras3):
        config = module.utils.Config(learning_rate=0.1, momentum=0.9)
        config.seed = 123
        config["zeta"] = 1
        assert config.seed == config["seed"] == 123 and config.get("nope", 5) == 5
        assert list(config) == sorted(["learning_rate", "momentum", "seed", "zeta"])
        assert len(config) == 4 and "seed" in config
        assert config.as_dict() == {"learning_rate": 0.1, "momentum": 0.9, "seed": 123,
                                    "zeta": 1}
        assert config.to_json() == ('{"learning_rate": 0.1, "momentum": 0.9, "seed": 123, '
                                    '"zeta": 1}')
        with pytest.raises(AttributeError, match="Did you mean 'momentum'"):
            _ = config.momentun
        config.freeze()
        assert config.frozen
        for change in (lambda c: setattr(c, "x", 1), lambda c: c.update(a=1),
                       lambda c: c.pop("seed"), lambda c: c.__delitem__("zeta"),
                       lambda c: c.__setitem__("x", 2)):
            with pytest.raises(ValueError, match="frozen"):
                change(config)
        config.unfreeze()
        assert config.pop("zeta") == 1 and len(config) == 3


def _strip_dtype_policy(config):
    return {k: v for k, v in config.items() if k != "dtype"}


def test_legacy_serialization_like_keras(keras3):
    ours = keras.utils.legacy.serialize_keras_object(keras.layers.Dropout(0.3, seed=1, name="d"))
    theirs = keras3.utils.legacy.serialize_keras_object(
        keras3.layers.Dropout(0.3, seed=1, name="d"))
    assert ours["class_name"] == theirs["class_name"] == "Dropout"
    assert _strip_dtype_policy(ours["config"]) == _strip_dtype_policy(theirs["config"])
    dense = keras.utils.legacy.serialize_keras_object(
        keras.layers.Dense(3, activation="relu", name="d"))
    for module in (keras, keras3):
        legacy = module.utils.legacy
        assert legacy.serialize_keras_object(None) is None
        assert legacy.serialize_keras_object(module.activations.relu) == "relu"
        objects = {"Dense": module.layers.Dense, "relu": module.activations.relu}
        layer = legacy.deserialize_keras_object(dense, module_objects=objects)
        assert isinstance(layer, module.layers.Dense) and layer.units == 3
        assert layer.activation is module.activations.relu
        assert legacy.deserialize_keras_object("relu", custom_objects=objects) is objects["relu"]
        with pytest.raises(ValueError):
            legacy.deserialize_keras_object({"config": {}}, module_objects=objects)
        with pytest.raises(ValueError):
            legacy.serialize_keras_object(3)
    # Keras 3.15 fails here with AttributeError (_THREAD_LOCAL_CUSTOM_OBJECTS is gone)
    objects = {"relu": keras.activations.relu}
    assert keras.utils.legacy.deserialize_keras_object("relu", module_objects=objects) is (
        keras.activations.relu)
    with pytest.raises(ValueError, match="Unknown object"):
        keras.utils.legacy.deserialize_keras_object("nope", module_objects=objects)
