"""MultiHeadAttention and Attention on every backend: outputs against real Keras 3 with identical
weights, masks against plain numpy, gradients against Keras/TensorFlow, and a Transformer block
that learns to reverse digit sequences."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import layers, ops

RNG = np.random.default_rng(0)
Q = RNG.normal(size=(2, 4, 6)).astype("float32")
V = RNG.normal(size=(2, 5, 3)).astype("float32")
K = RNG.normal(size=(2, 5, 7)).astype("float32")
ATTENTION_MASK = RNG.random((2, 4, 5)) > 0.3
Q_MASK = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], dtype=bool)
V_MASK = np.array([[1, 1, 1, 1, 0], [1, 0, 1, 1, 0]], dtype=bool)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


MHA_CASES = [
    ({}, {}),
    ({"value_dim": 4, "output_shape": 8, "use_bias": False}, {}),
    ({}, {"attention_mask": ATTENTION_MASK}),
    ({}, {"use_causal_mask": True, "return_attention_scores": True}),
    ({}, {"attention_mask": ATTENTION_MASK, "use_causal_mask": True}),
]


@pytest.mark.parametrize(("init", "call"), MHA_CASES, ids=["plain", "dims", "mask", "causal",
                                                           "mask-causal"])
def test_multi_head_attention_matches_keras(backend, init, call):
    k = pytest.importorskip("keras")
    ref = k.layers.MultiHeadAttention(2, 3, **init)
    ref(Q, V, K, **call)
    ours = layers.MultiHeadAttention(2, 3, **init)
    ours(Q, V, K, **call)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    ours.set_weights(ref.get_weights())
    for g, e in zip(_as_list(ours(Q, V, K, **call)), _as_list(ref(Q, V, K, **call))):
        np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)


def test_multi_head_attention_weights_in_keras_order(backend):
    mha = layers.MultiHeadAttention(2, 3)
    mha(Q, V)
    assert [(w.path.split("/")[0], w.name, w.shape) for w in mha.weights] == [
        ("query", "kernel", (6, 2, 3)), ("query", "bias", (2, 3)),
        ("key", "kernel", (3, 2, 3)), ("key", "bias", (2, 3)),
        ("value", "kernel", (3, 2, 3)), ("value", "bias", (2, 3)),
        ("attention_output", "kernel", (2, 3, 6)), ("attention_output", "bias", (6,))]


def test_multi_head_attention_padding_masks_match_numpy(backend):
    """query/value masks equal an explicit (B, T, S) mask; masked queries and keys are ignored."""
    mha = layers.MultiHeadAttention(2, 3)
    out_masks, scores = mha(Q, V, query_mask=Q_MASK, value_mask=V_MASK,
                            return_attention_scores=True)
    explicit = Q_MASK[:, :, None] & V_MASK[:, None, :]
    # (with scores returned: Keras 3's fused path, taken without them, does not zero the rows
    # of masked queries; tests/layers/test_layers_misc.py compares both paths with Keras 3)
    np.testing.assert_allclose(_np(out_masks), _np(mha(Q, V, attention_mask=explicit,
                                                       return_attention_scores=True)[0]),
                               atol=1e-6)
    probs = _np(scores)
    assert probs.shape == (2, 2, 4, 5)
    np.testing.assert_array_equal(probs[np.broadcast_to(~explicit[:, None], probs.shape)], 0)
    row_sums = probs.sum(-1)
    np.testing.assert_allclose(row_sums[np.broadcast_to(Q_MASK[:, None], row_sums.shape)], 1,
                               atol=1e-6)
    # A padded value position cannot influence any output.
    v_changed = V.copy()
    v_changed[~V_MASK] = 100.0
    np.testing.assert_allclose(_np(mha(Q, v_changed, value_mask=V_MASK)),
                               _np(mha(Q, V, value_mask=V_MASK)), atol=1e-5)


def test_multi_head_attention_causal_scores_are_lower_triangular(backend):
    mha = layers.MultiHeadAttention(1, 4)
    _, scores = mha(Q, Q, use_causal_mask=True, return_attention_scores=True)
    probs = _np(scores)[:, 0]
    assert np.all(np.triu(probs[0], k=1) == 0)
    np.testing.assert_allclose(probs[:, 0, 0], 1.0)


def test_multi_head_attention_dropout_and_functional_shapes(backend):
    mha = layers.MultiHeadAttention(2, 3, dropout=0.5, seed=3)
    inference = _np(mha(Q, V))
    np.testing.assert_allclose(_np(mha(Q, V, training=False)), inference)
    assert not np.allclose(_np(mha(Q, V, training=True)), inference)
    query, value = keras.Input((None, 6)), keras.Input((5, 3))
    out, scores = layers.MultiHeadAttention(2, 3, output_shape=4)(
        query, value, return_attention_scores=True)
    assert out.shape == (None, None, 4) and scores.shape == (None, 2, None, 5)
    with pytest.raises(ValueError, match="'bad_mha'.*3-D"):
        layers.MultiHeadAttention(2, 3, name="bad_mha")(Q[0], V[0])


def test_multi_head_attention_gradients_match_keras_tensorflow(backend):
    k = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    if k.backend.backend() != "tensorflow":
        pytest.skip("the gradient reference needs Keras on its TensorFlow backend")
    ref = k.layers.MultiHeadAttention(2, 3)
    ref(Q, V)
    q_tf = tf.constant(Q)
    with tf.GradientTape() as tape:
        tape.watch(q_tf)
        loss = tf.reduce_sum(tf.square(ref(q_tf, V, attention_mask=ATTENTION_MASK)))
    expected = tape.gradient(loss, [q_tf] + ref.trainable_weights)

    from mini_keras.core.stateless import StatelessScope
    mha = layers.MultiHeadAttention(2, 3)
    mha(Q, V)
    mha.set_weights(ref.get_weights())

    def loss_fn(values):
        with StatelessScope(zip(mha.weights, values[1:])):
            return ops.sum(ops.square(mha(values[0], V, attention_mask=ATTENTION_MASK)))

    value, grads = ops.value_and_grad(loss_fn)([Q] + [w.value for w in mha.weights])
    np.testing.assert_allclose(float(_np(value)), float(loss), rtol=1e-5)
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(_np(g), e.numpy(), atol=1e-4)


ATTENTION_CASES = [
    ({}, {}),
    ({"use_scale": True}, {"use_causal_mask": True}),
    ({"score_mode": "concat"}, {"mask": [Q_MASK, V_MASK], "return_attention_scores": True}),
    ({}, {"mask": [None, V_MASK], "use_causal_mask": True}),
]


@pytest.mark.parametrize(("init", "call"), ATTENTION_CASES,
                         ids=["dot", "scale-causal", "concat-mask", "value-mask-causal"])
def test_attention_matches_keras(backend, init, call):
    k = pytest.importorskip("keras")
    query = Q[..., :3]
    ref = k.layers.Attention(**init)
    ref([query, V, V * 2], **call)
    ours = layers.Attention(**init)
    ours([query, V, V * 2], **call)
    ours.set_weights(ref.get_weights())
    for g, e in zip(_as_list(ours([query, V, V * 2], **call)),
                    _as_list(ref([query, V, V * 2], **call))):
        np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)


def test_attention_dot_matches_numpy_formula(backend):
    query = Q[..., :3]
    scores = query @ V.transpose(0, 2, 1)
    weights = np.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    np.testing.assert_allclose(_np(layers.Attention()([query, V])), weights @ V, atol=1e-5)
    with pytest.raises(ValueError, match="list"):
        layers.Attention()(query)


class _TokenAndPosition(layers.Layer):
    """Token embedding plus a learned position embedding."""

    def __init__(self, vocab, length, dim, **kwargs):
        super().__init__(**kwargs)
        self.length = length
        self.tokens = layers.Embedding(vocab, dim)
        self.positions = layers.Embedding(length, dim)

    def call(self, x):
        return ops.add(self.tokens(x), self.positions(ops.arange(0, self.length)))


def _reverse_digits(n, seed, length=5):
    x = np.random.default_rng(seed).integers(1, 10, size=(n, length))
    return x, x[:, ::-1].copy()


def test_transformer_block_learns_to_reverse_digits(backend):
    keras.utils.set_random_seed(0)
    length, dim = 5, 32
    inputs = keras.Input((length,), dtype="int32")
    h = _TokenAndPosition(10, length, dim)(inputs)
    h = layers.LayerNormalization()(layers.Add()([h, layers.MultiHeadAttention(2, 16)(h, h)]))
    ff = layers.Dense(dim)(layers.Dense(64, activation="relu")(h))
    h = layers.LayerNormalization()(layers.Add()([h, ff]))
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    x, y = _reverse_digits(768, 0)
    model.fit(x, y, epochs=6, batch_size=64, verbose=0)
    x_test, y_test = _reverse_digits(256, 1)
    accuracy = np.mean(model.predict(x_test, verbose=0).argmax(-1) == y_test)
    assert accuracy >= 0.95, accuracy
