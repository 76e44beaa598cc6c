"""A Keras 3 layer's ``get_config()`` goes straight into our ``from_config`` (not only through
``load_model``): keys Keras 3 writes that we do not model (``quantization_config``,
``lora_rank``...) are dropped when they hold their default, and the rebuilt layer computes
Keras' output shape."""

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

CASES = [("Dense", (3,), {}), ("Embedding", (10, 3), {}), ("EinsumDense", ("ab,bc->ac", 4), {}),
         ("Conv2D", (2, 3), {}), ("LSTM", (4,), {}), ("MultiHeadAttention", (2, 4), {}),
         ("BatchNormalization", (), {}), ("GRU", (3,), {"reset_after": True})]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_keras3_layer_config_builds_our_layer(name, args, kwargs):
    keras3 = pytest.importorskip("keras")
    theirs = getattr(keras3.layers, name)(*args, **kwargs)
    ours = getattr(keras.layers, name).from_config(theirs.get_config())
    shape = {"Embedding": (2, 5), "Conv2D": (1, 6, 6, 2), "LSTM": (2, 5, 3),
             "GRU": (2, 5, 3)}.get(name, (2, 6))
    if name == "MultiHeadAttention":
        return_shape = theirs.compute_output_shape((2, 5, 6), (2, 5, 6))
        assert tuple(ours.compute_output_shape((2, 5, 6), (2, 5, 6))) == tuple(return_shape)
        return
    x = np.zeros(shape, "int32" if name == "Embedding" else "float32")
    assert tuple(keras.ops.shape(ours(x))) == tuple(theirs(x).shape)


def test_unknown_non_default_keras_key_is_still_refused():
    keras3 = pytest.importorskip("keras")
    config = keras3.layers.Dense(3).get_config() | {"lora_rank": 4}
    with pytest.raises((TypeError, ValueError), match="lora_rank"):
        keras.layers.Dense.from_config(config)
