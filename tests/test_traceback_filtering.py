"""Traceback filtering (keras.config.*_traceback_filtering): errors reach the user with
mini_keras' and the frameworks' frames removed, the user's own frames kept."""

import os
import traceback

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.common import tracebacks

PACKAGE = os.path.dirname(keras.__file__)


class Exploding(keras.layers.Layer):
    armed = False

    def call(self, x):
        if self.armed:
            raise RuntimeError("boom in user code")  # the frame the user must see
        return x


def _frames(error):
    return [(f.filename, f.name, f.line) for f in traceback.extract_tb(error.__traceback__)]


def _internal(frames):
    """mini_keras frames other than the points that re-raise the filtered error."""
    return [f for f in frames if f[0].startswith(PACKAGE) and "with_filtered_traceback" not in f[2]]


@pytest.fixture
def filtering():
    previous = keras.config.is_traceback_filtering_enabled()
    yield
    (keras.config.enable_traceback_filtering if previous
     else keras.config.disable_traceback_filtering)()


@pytest.mark.skipif(tracebacks.active() is False and tracebacks.is_traceback_filtering_enabled(),
                    reason="a tracer (coverage, debugger) is attached: filtering is off")
def test_fit_error_keeps_only_user_frames(backend, filtering):
    model = keras.Sequential([keras.Input((3,)), Exploding()])
    model.layers[-1].armed = True
    model.compile("sgd", "mse")
    x = np.zeros((4, 3), "float32")
    keras.config.enable_traceback_filtering()
    with pytest.raises(RuntimeError, match="boom in user code") as info:
        model.fit(x, x, epochs=1, verbose=0)
    frames = _frames(info.value)
    assert "call" in [name for file, name, _ in frames if file == __file__], frames
    assert not _internal(frames), _internal(frames)
    assert any("disable_traceback_filtering" in n for n in info.value.__notes__)

    keras.config.disable_traceback_filtering()
    assert not keras.config.is_traceback_filtering_enabled()
    with pytest.raises(RuntimeError, match="boom in user code") as info:
        model.predict(x, verbose=0)
    assert _internal(_frames(info.value))  # the full traceback


def test_symbolic_error_is_filtered(backend, filtering):
    keras.config.enable_traceback_filtering()
    if not tracebacks.active():
        pytest.skip("a tracer (coverage, debugger) is attached: filtering is off")
    with pytest.raises(ValueError, match="expected axis -1") as info:
        layer = keras.layers.Dense(2)
        layer(np.zeros((1, 3), "float32"))
        layer(keras.Input((4,)))
    assert not _internal(_frames(info.value))


def test_config_names_match_keras(filtering):
    keras3 = pytest.importorskip("keras")
    for name in ("enable_traceback_filtering", "disable_traceback_filtering",
                 "is_traceback_filtering_enabled"):
        assert callable(getattr(keras.config, name)) and callable(getattr(keras3.config, name))
    assert keras.config.is_traceback_filtering_enabled() is True  # the default, as Keras
    assert keras3.config.is_traceback_filtering_enabled() is True
    keras.config.disable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled() is False
    keras.config.enable_traceback_filtering()
    assert keras.config.is_traceback_filtering_enabled() is True
