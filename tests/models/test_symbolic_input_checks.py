"""A model called on symbolic inputs that do not fit its own inputs raises, as Keras 3 does
(it used to return the model's stored output shape: a silently wrong graph); Input's and
InputLayer's Keras 3 arguments."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _models(lib):
    x = lib.Input((3,))
    a, b = lib.Input((3,), name="a"), lib.Input((2,), name="b")
    return {
        "sequential": lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)]),
        "functional": lib.Model(x, lib.layers.Dense(2)(x)),
        "two_inputs": lib.Model([a, b], lib.layers.Concatenate()([a, b])),
    }


@pytest.mark.parametrize("kind", ["sequential", "functional", "two_inputs"])
def test_wrong_symbolic_input_raises_as_keras(backend, kind):
    keras3 = pytest.importorskip("keras")
    for lib in (keras, keras3):
        model = _models(lib)[kind]
        good = [lib.Input((3,)), lib.Input((2,))] if kind == "two_inputs" else lib.Input((3,))
        bad = [lib.Input((3,)), lib.Input((5,))] if kind == "two_inputs" else lib.Input((4,))
        assert tuple(model(good).shape) == ((None, 5) if kind == "two_inputs" else (None, 2))
        with pytest.raises(ValueError, match="incompatible"):
            model(bad)
    with pytest.raises(ValueError, match=r"expected shape=\(None, [32]\), found shape=\(None, [45]\)"):
        _models(keras)[kind]([keras.Input((3,)), keras.Input((5,))] if kind == "two_inputs"
                             else keras.Input((4,)))


def test_input_arguments_match_keras():
    keras3 = pytest.importorskip("keras")
    assert keras.layers.InputLayer(input_shape=(3,)).batch_shape == (None, 3)  # legacy alias
    ours, theirs = keras.layers.InputLayer(shape=(3,)), keras3.layers.InputLayer(shape=(3,))
    assert {k: v for k, v in ours.get_config().items() if k != "name"} == {
        k: (list(v) if isinstance(v, tuple) else v)
        for k, v in theirs.get_config().items() if k != "name"}
    existing = keras.Input((4, 2))
    assert keras.Input(tensor=existing) is existing
    for arg in ("sparse", "ragged", "optional"):
        with pytest.raises(ValueError, match=f"`{arg}=True` inputs are not supported"):
            keras.Input((3,), **{arg: True})
    with pytest.raises(ValueError, match="`input_tensor` must be a KerasTensor"):
        keras.layers.InputLayer(input_tensor=np.zeros((2, 3)))
