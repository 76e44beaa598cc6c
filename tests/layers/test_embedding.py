"""Embedding on every backend: lookup against numpy and real Keras 3, gradients, masks."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import layers, ops

IDS = np.array([[3, 1, 0, 0], [9, 9, 2, 0]])


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def test_embedding_lookup_matches_numpy_and_keras(backend):
    emb = layers.Embedding(10, 4)
    out = emb(IDS)
    table = emb.get_weights()[0]
    assert table.shape == (10, 4) and emb.weights[0].name == "embeddings"
    assert np.all(np.abs(table) <= 0.05)  # Keras default RandomUniform(-0.05, 0.05)
    np.testing.assert_array_equal(_np(out), table[IDS])
    k = pytest.importorskip("keras")
    ref = k.layers.Embedding(10, 4)
    ref(IDS)
    emb.set_weights(ref.get_weights())
    np.testing.assert_allclose(_np(emb(IDS)), np.asarray(ref(IDS)))
    np.testing.assert_allclose(_np(emb(IDS.astype("float32"))), np.asarray(ref(IDS)))


def test_embedding_gradient_accumulates_repeated_ids(backend):
    from mini_keras.core.stateless import StatelessScope
    emb = layers.Embedding(10, 3)
    emb(IDS)

    def loss_fn(values):
        with StatelessScope([(emb.embeddings, values[0])]):
            return ops.sum(emb(IDS))

    _, (grad,) = ops.value_and_grad(loss_fn)([emb.embeddings.value])
    counts = np.bincount(IDS.ravel(), minlength=10).astype("float32")
    np.testing.assert_allclose(_np(grad), np.repeat(counts[:, None], 3, axis=1))


def test_embedding_mask_zero(backend):
    assert layers.Embedding(10, 4).compute_mask(IDS) is None
    emb = layers.Embedding(10, 4, mask_zero=True)
    np.testing.assert_array_equal(_np(emb.compute_mask(IDS)), IDS != 0)
    # The mask feeds a recurrent layer: padded steps leave the final state unchanged.
    lstm = layers.LSTM(3)
    full = lstm(emb(IDS), mask=emb.compute_mask(IDS))
    first = lstm(emb(IDS[:1, :2]))
    np.testing.assert_allclose(_np(full)[0], _np(first)[0], atol=1e-6)


def test_embedding_in_a_model_and_config(backend):
    inputs = keras.Input((4,), dtype="int32")
    out = layers.Embedding(10, 4, name="emb")(inputs)
    assert out.shape == (None, 4, 4)
    config = layers.Embedding(7, 2, mask_zero=True).get_config()
    clone = layers.Embedding.from_config(config)
    assert (clone.input_dim, clone.output_dim, clone.mask_zero) == (7, 2, True)
    with pytest.raises(ValueError, match="output_dim"):
        layers.Embedding(10, 0)


def test_models_carry_the_embedding_mask(backend):
    """Sequential and functional models pass Embedding's mask to LSTM and MultiHeadAttention."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,), dtype="int32"),
                              layers.Embedding(10, 4, mask_zero=True), layers.LSTM(3)])
    padded = _np(model(IDS))
    emb, lstm = model.layers
    np.testing.assert_allclose(padded[0], _np(lstm(emb(IDS[:1, :2])))[0], atol=1e-6)
    np.testing.assert_allclose(padded[1], _np(lstm(emb(IDS[1:, :3])))[0], atol=1e-6)

    inputs = keras.Input((4,), dtype="int32")
    embedded = layers.Embedding(10, 4, mask_zero=True)(inputs)
    attended = layers.MultiHeadAttention(2, 3)(embedded, embedded)
    functional = keras.Model(inputs, attended)
    emb, mha = functional.layers[1], functional.layers[2]
    mask = IDS != 0
    expected = mha(emb(IDS), emb(IDS), attention_mask=mask[:, :, None] & mask[:, None, :])
    np.testing.assert_allclose(_np(functional(IDS)), _np(expected), atol=1e-6)
