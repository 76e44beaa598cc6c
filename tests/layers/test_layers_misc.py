"""AlphaDropout, Wrapper, AdditiveAttention, EinsumDense, ReversibleEmbedding,
SpectralNormalization and GroupQueryAttention against Keras 3 on every backend: with Keras 3's
weights the outputs are Keras 3's, configs are Keras 3's, and ``.keras`` files move both ways."""

import json
import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
RNG = np.random.default_rng(7)
Q = RNG.normal(size=(2, 4, 3)).astype("float32")
V = RNG.normal(size=(2, 5, 3)).astype("float32")
OURS = ("AlphaDropout", "Wrapper", "AdditiveAttention", "EinsumDense", "ReversibleEmbedding",
        "SpectralNormalization", "GroupedQueryAttention")  # the layers this file is about


def _keras3():
    return pytest.importorskip("keras")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _same_config(ours, theirs):
    """Our get_config equals Keras 3's as JSON (dtype policies left out: compared elsewhere)."""
    mine = {k: v for k, v in ours.get_config().items() if k != "dtype"}
    ref = {k: v for k, v in theirs.get_config().items() if k != "dtype"}
    for config in (mine, ref):  # a wrapped layer: its own config is its own class's business
        if isinstance(config.get("layer"), dict):
            config["layer"] = {k: v for k, v in config["layer"].items() if k != "config"}
    assert json.loads(json.dumps(mine)) == json.loads(json.dumps(ref))


def _round_trip(build, inputs, tmp_path):
    """``build(k)`` makes a model with the library ``k``; Keras 3's, with random weights, must
    load in ours with the same outputs and config, and ours must load back in Keras 3.

    One model holds every configuration of a layer under test (one branch each), so each
    backend pays for one pair of ``.keras`` files per layer."""
    keras3 = _keras3()
    keras3.utils.set_random_seed(0)
    reference = build(keras3)
    for w in reference.weights:
        w.assign(RNG.normal(size=w.shape).astype(w.dtype))
    expected = _outputs(reference.predict(inputs, verbose=0))
    reference.save(tmp_path / "theirs.keras")
    ours = keras.models.load_model(tmp_path / "theirs.keras")
    for got, want in zip(_outputs(ours.predict(inputs, verbose=0)), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # (model.layers orders a branched graph differently from Keras 3: match layers by name)
    by_name = {layer.name: layer for layer in reference.layers}
    assert sorted(by_name) == sorted(layer.name for layer in ours.layers)
    for mine in ours.layers:
        theirs = by_name[mine.name]
        assert type(mine).__name__ == type(theirs).__name__
        assert [(w.path.split("/")[-1], tuple(w.shape)) for w in mine.weights] == [
            (w.path.split("/")[-1], tuple(w.shape)) for w in theirs.weights]
        if type(mine).__name__ in OURS:
            _same_config(mine, theirs)
    ours.save(tmp_path / "ours.keras")
    back = keras3.models.load_model(tmp_path / "ours.keras")
    for got, want in zip(_outputs(back.predict(inputs, verbose=0)), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    return ours


def _outputs(predicted):
    """A model's predictions as a list of arrays (one per output)."""
    return [np.asarray(p) for p in (predicted if isinstance(predicted, list) else [predicted])]


# ----------------------------------------------------------------------------- AlphaDropout

def test_alpha_dropout_round_trip(backend, tmp_path):
    def build(k):
        x = k.Input((4, 3))
        outs = [k.layers.Dense(2)(k.layers.AlphaDropout(**kwargs)(x)) for kwargs in (
            {"rate": 0.3}, {"rate": 0.2, "noise_shape": (None, 1, 3), "seed": 4})]
        return k.Model(x, outs)
    _round_trip(build, Q, tmp_path)


def test_alpha_dropout_training_keeps_selu_statistics(backend):
    rate = 0.25
    x = np.random.default_rng(0).normal(size=(64, 8, 16)).astype("float32")
    layer = keras.layers.AlphaDropout(rate, noise_shape=(None, 1, 16), seed=3)
    np.testing.assert_array_equal(_np(layer(x)), x)  # inference: identity
    y = _np(layer(x, training=True))
    alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * rate
    dropped = np.isclose(y, a * alpha_p + b, rtol=0, atol=1e-6)
    np.testing.assert_allclose(y[~dropped], a * x[~dropped] + b, rtol=1e-5, atol=1e-6)
    assert np.all(dropped == dropped[:, :1, :])  # noise_shape: one mask for every timestep
    assert abs(dropped.mean() - rate) < 0.06  # 1024 mask entries
    assert abs(y.mean()) < 0.1 and abs(y.std() - 1) < 0.1  # self-normalizing
    again = keras.layers.AlphaDropout(rate, noise_shape=(None, 1, 16), seed=3)
    np.testing.assert_array_equal(_np(again(x, training=True)), y)


def test_alpha_dropout_errors():
    with pytest.raises(ValueError, match="AlphaDropout .*rate must be in"):
        keras.layers.AlphaDropout(1.5)
    with pytest.raises(ValueError, match="rate=1"):
        keras.layers.AlphaDropout(1.0)(Q, training=True)


# ----------------------------------------------------------------------------- Wrapper

class _Doubling(keras.layers.Wrapper):
    """A Wrapper subclass: twice the wrapped layer's output."""

    def call(self, inputs):
        return keras.ops.multiply(self.layer(inputs), 2.0)


def test_wrapper_config_matches_keras_and_builds_the_layer(backend):
    keras3 = _keras3()
    theirs = keras3.layers.Wrapper(keras3.layers.Identity(name="inner"), name="w")
    ours = keras.layers.Wrapper(keras.layers.Identity(name="inner"), name="w")
    _same_config(ours, theirs)
    loaded = keras.layers.Wrapper.from_config(
        keras3.layers.Wrapper(keras3.layers.Dense(2)).get_config())
    assert isinstance(loaded.layer, keras.layers.Dense) and loaded.layer.units == 2
    with pytest.raises(NotImplementedError, match="Wrapper is an abstract base class"):
        ours(Q)
    with pytest.raises(ValueError, match="`layer` must be a Layer"):
        keras.layers.Wrapper("dense")
    doubling = _Doubling(keras.layers.Dense(2))
    out = _np(doubling(Q))
    kernel, bias = doubling.layer.get_weights()
    np.testing.assert_allclose(out, 2 * (Q @ kernel + bias), rtol=1e-5, atol=1e-6)
    assert [w.path for w in doubling.weights] == [w.path for w in doubling.layer.weights]
    wrapped = keras.layers.Dense(3)
    keras.layers.Wrapper(wrapped).build((None, 4))
    assert wrapped.built and wrapped.kernel.shape == (4, 3)


# ----------------------------------------------------------------------------- AdditiveAttention

def test_additive_attention_round_trip(backend, tmp_path):
    def build(k):
        q, v = k.Input((4, 3)), k.Input((5, 3))
        key = k.layers.Dense(3)(v)
        outs = [k.layers.AdditiveAttention(**kwargs)(inputs)
                for kwargs in ({}, {"use_scale": False}) for inputs in ([q, v], [q, v, key])]
        return k.Model([q, v], outs)
    _round_trip(build, [Q, V], tmp_path)


@pytest.mark.parametrize("causal", [False, True])
def test_additive_attention_masks_and_scores_match_keras(backend, causal):
    keras3 = _keras3()
    q_mask = np.array([[1, 1, 0, 1], [1, 0, 1, 1]], bool)
    v_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], bool)
    theirs = keras3.layers.AdditiveAttention()
    ref_out, ref_scores = theirs([Q, V], mask=[q_mask, v_mask], return_attention_scores=True,
                                 use_causal_mask=causal)
    ours = keras.layers.AdditiveAttention()
    ours.build([Q.shape, V.shape])
    ours.set_weights([w.numpy() for w in theirs.weights])
    out, scores = ours([Q, V], mask=[q_mask, v_mask], return_attention_scores=True,
                       use_causal_mask=causal)
    np.testing.assert_allclose(_np(out), np.asarray(ref_out), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(scores), np.asarray(ref_scores), rtol=1e-5, atol=1e-6)
    assert [w.shape for w in ours.weights] == [(3,)]
    with pytest.raises(ValueError, match="score_mode is not an argument"):
        keras.layers.AdditiveAttention(score_mode="dot")


# ----------------------------------------------------------------------------- EinsumDense

EINSUM_CASES = [  # (equation, output_shape, bias_axes, activation)
    ("abc,cd->abd", (None, 2), "d", None),
    ("abc,cde->abde", (None, 2, 3), "de", "relu"),
    ("abc,cde->abde", (None, 2, 3), "e", None),
    ("...b,bc->...c", 2, "c", None),
    ("...bc,cd->...bd", (4, 2), None, "tanh"),
    ("ab...,bc->ac...", (2, 3), "c", None),
    ("abc,bcd->ad", 2, "d", None),
]


def test_einsum_dense_round_trip(backend, tmp_path):
    def build(k):
        x = k.Input((4, 3))
        return k.Model(x, [k.layers.EinsumDense(equation, output_shape, activation=activation,
                                                bias_axes=bias_axes)(x)
                           for equation, output_shape, bias_axes, activation in EINSUM_CASES])
    ours = _round_trip(build, Q, tmp_path)
    keras3 = _keras3()
    for layer, (equation, output_shape, bias_axes, _) in zip(ours.layers[1:], EINSUM_CASES):
        theirs = keras3.layers.EinsumDense(equation, output_shape, bias_axes=bias_axes)
        assert layer.compute_output_shape((None, 4, 3)) == theirs.compute_output_shape(
            (None, 4, 3))


def test_einsum_dense_initializer_fans_and_errors(backend):
    keras3 = _keras3()
    # glorot with fans from the matched kernel axes: limit sqrt(6 / (3 + 2*5))
    layer = keras.layers.EinsumDense("abc,cde->abde", (None, 2, 5))
    layer.build((None, 4, 3))
    assert np.abs(layer.kernel.numpy()).max() <= np.sqrt(6 / 13) + 1e-7
    theirs = keras3.layers.EinsumDense("abc,cde->abde", (None, 2, 5))
    theirs.build((None, 4, 3))
    assert np.abs(np.asarray(theirs.kernel)).max() <= np.sqrt(6 / 13) + 1e-7
    for kwargs in ({"lora_rank": 2}, {"quantization_config": "int8"}):
        with pytest.raises(NotImplementedError, match="EinsumDense .* is not supported"):
            keras.layers.EinsumDense("ab,bc->ac", 2, **kwargs)
    with pytest.raises(ValueError, match="invalid einsum equation"):
        keras.layers.EinsumDense("ab,bc", 2).build((None, 3))
    with pytest.raises(ValueError, match="bias axis 'x'"):
        keras.layers.EinsumDense("ab,bc->ac", 2, bias_axes="x").build((None, 3))
    with pytest.raises(ValueError, match="shared dimension 'b'"):
        keras.layers.EinsumDense("abc,cd->abd", (5, 2)).build((None, 4, 3))


# ----------------------------------------------------------------------------- ReversibleEmbedding

IDS = np.array([[3, 1, 0, 7, 0], [9, 2, 2, 0, 5]], "int32")


def test_reversible_embedding_round_trip(backend, tmp_path):
    """Language models (ids -> embedding -> Dense -> reverse logits), and the mask_zero mask
    reaching a GRU after a forward call."""
    def build(k):
        ids = k.Input((5,), dtype="int32")
        outs = []
        for kwargs in ({}, {"tie_weights": False, "logit_soft_cap": 0.5}, {"mask_zero": True}):
            embedding = k.layers.ReversibleEmbedding(10, 4, **kwargs)
            hidden = k.layers.Dense(4)(embedding(ids))
            outs.append(embedding(hidden, reverse=True))
        outs.append(k.layers.GRU(3)(k.layers.ReversibleEmbedding(10, 4, mask_zero=True)(ids)))
        return k.Model(ids, outs)
    _round_trip(build, IDS, tmp_path)


def test_reversible_embedding_reverse_dtype_shapes_and_errors(backend):
    keras3 = _keras3()
    theirs = keras3.layers.ReversibleEmbedding(10, 4, reverse_dtype="float16")
    ours = keras.layers.ReversibleEmbedding(10, 4, reverse_dtype="float16")
    ours.build(None)
    theirs.build(None)
    ours.set_weights([w.numpy() for w in theirs.weights])
    h = RNG.normal(size=(2, 3, 4)).astype("float32")
    out = ours(h, reverse=True)
    assert keras.ops.dtype(out) == "float16"
    np.testing.assert_allclose(_np(out).astype("float32"),
                               np.asarray(theirs(h, reverse=True)).astype("float32"),
                               rtol=1e-2, atol=1e-2)
    assert ours.compute_output_shape((None, 3, 4), reverse=True) == (None, 3, 10)
    assert ours.compute_output_shape((None, 3)) == (None, 3, 4)
    symbolic = ours(keras.Input((3, 4)), reverse=True)
    assert symbolic.shape == (None, 3, 10)
    with pytest.raises(ValueError, match="output_dim=4"):
        ours(np.ones((2, 5), "float32"), reverse=True)
    with pytest.raises(ValueError, match="logit_soft_cap must be"):
        keras.layers.ReversibleEmbedding(10, 4, logit_soft_cap=0)


# ----------------------------------------------------------------------------- SpectralNormalization

def test_spectral_normalization_round_trip(backend, tmp_path):
    def build(k):
        x, ids = k.Input((4, 3)), k.Input((5,), dtype="int32")
        sn = k.layers.SpectralNormalization
        return k.Model([x, ids], [sn(k.layers.Dense(2), power_iterations=2)(x),
                                  sn(k.layers.Conv1D(2, 2))(x),
                                  sn(k.layers.Embedding(10, 3))(ids)])
    _round_trip(build, [Q, IDS], tmp_path)


@pytest.mark.parametrize("power_iterations", [1, 3])
def test_spectral_normalization_training_call_matches_keras(backend, power_iterations):
    keras3 = _keras3()
    theirs = keras3.layers.SpectralNormalization(keras3.layers.Conv1D(2, 2),
                                                 power_iterations=power_iterations)
    theirs.build((None, 4, 3))
    ours = keras.layers.SpectralNormalization(keras.layers.Conv1D(2, 2),
                                              power_iterations=power_iterations)
    ours.build((None, 4, 3))
    def names(weights):
        return [w.path.split("/")[-1] for w in weights]
    assert names(ours.weights) == names(theirs.weights) == ["kernel", "vector_u", "bias"]
    assert names(ours.trainable_weights) == names(theirs.trainable_weights)
    assert names(ours.non_trainable_weights) == names(theirs.non_trainable_weights)
    ours.set_weights([np.asarray(w) for w in theirs.weights])
    for _ in range(2):  # the second call starts from the updated u and normalized kernel
        expected = np.asarray(theirs(Q, training=True))
        np.testing.assert_allclose(_np(ours(Q, training=True)), expected, rtol=1e-5, atol=1e-6)
    for mine, ref in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(mine.numpy(), np.asarray(ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.linalg.svd(ours.kernel.numpy().reshape(-1, 2))[1][0], 1.0,
                               rtol=0.05)  # sigma estimate converges to the top singular value
    inference = _np(ours(Q))
    np.testing.assert_allclose(inference, np.asarray(theirs(Q)), rtol=1e-5, atol=1e-6)


def test_spectral_normalization_fit_zero_kernel_and_errors(backend):
    model = keras.Sequential([keras.Input((3,)), keras.layers.SpectralNormalization(
        keras.layers.Dense(2))])
    model.compile("sgd", "mse")
    u = model.layers[0].vector_u.numpy()
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), epochs=1, verbose=0)
    assert not np.allclose(model.layers[0].vector_u.numpy(), u)
    zero = keras.layers.SpectralNormalization(keras.layers.Dense(2, kernel_initializer="zeros"))
    zero.build((None, 3))
    u = zero.vector_u.numpy()
    zero(np.ones((1, 3), "float32"), training=True)
    np.testing.assert_array_equal(zero.kernel.numpy(), 0.0)
    np.testing.assert_array_equal(zero.vector_u.numpy(), u)
    with pytest.raises(ValueError, match="power_iterations must be"):
        keras.layers.SpectralNormalization(keras.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="neither a `kernel` nor an `embeddings`"):
        keras.layers.SpectralNormalization(keras.layers.Identity()).build((None, 3))


# ----------------------------------------------------------------------------- GroupQueryAttention

GQA_CASES = [  # (kwargs, call kwargs, with key)
    ({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2}, {}, False),
    ({"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1, "use_bias": False}, {},
     True),
    ({"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 2, "use_gate": True,
      "sliding_window": 2}, {"use_causal_mask": True}, False),
    ({"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 1}, {"use_causal_mask": True},
     True),
]


def test_group_query_attention_round_trip(backend, tmp_path):
    def build(k):
        q, v = k.Input((4, 3)), k.Input((5, 3))
        outs = []
        for kwargs, call_kwargs, with_key in GQA_CASES:
            value = q if call_kwargs else v  # causal masks: self-attention
            key = k.layers.Dense(2)(value) if with_key else None
            outs.append(k.layers.GroupQueryAttention(**kwargs)(q, value, key=key,
                                                               **call_kwargs))
        return k.Model([q, v], outs)
    ours = _round_trip(build, [Q, V], tmp_path)
    layers = [layer for layer in ours.layers if type(layer).__name__ == "GroupedQueryAttention"]
    for gqa, (kwargs, _, _) in zip(layers, GQA_CASES, strict=True):
        owners = [w.path.split("/")[-2] for w in gqa.weights]
        expected = ["query", "key"] + (["gate"] if kwargs.get("use_gate") else []) + [
            "value", "attention_output"]
        assert owners[::2 if kwargs.get("use_bias", True) else 1] == expected


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_group_query_attention_masks_and_scores_match_keras(backend, dropout):
    keras3 = _keras3()
    q_mask = np.array([[1, 1, 0, 1], [1, 0, 1, 1]], bool)
    v_mask = np.array([[1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], bool)  # row 1: every key masked
    attention = RNG.uniform(size=(2, 4, 5)) > 0.3
    kwargs = {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2,
              "dropout": dropout}
    theirs = keras3.layers.GroupQueryAttention(**kwargs)
    ours = keras.layers.GroupQueryAttention(**kwargs)
    masks = {"query_mask": q_mask, "value_mask": v_mask, "attention_mask": attention}
    theirs(Q, V, **masks)
    ours(Q, V, **masks)
    ours.set_weights([np.asarray(w) for w in theirs.weights])
    for scores in (False, True):
        ref = theirs(Q, V, return_attention_scores=scores, **masks)
        got = ours(Q, V, return_attention_scores=scores, **masks)
        for mine, expected in zip(got if scores else [got], ref if scores else [ref]):
            np.testing.assert_allclose(_np(mine), np.asarray(expected), rtol=1e-5, atol=1e-6)
    symbolic = ours(keras.Input((4, 3)), keras.Input((5, 3)), return_attention_scores=True)
    assert [t.shape for t in symbolic] == [(None, 4, 3), (None, 4, 4, 5)]


def test_group_query_attention_dropout_and_errors(backend):
    layer = keras.layers.GroupQueryAttention(2, 2, 1, dropout=0.5, seed=1)
    a = _np(layer(Q, V, training=True))
    assert not np.allclose(a, _np(layer(Q, V)))
    np.testing.assert_allclose(_np(layer(Q, V)), _np(layer(Q, V, training=False)))
    with pytest.raises(ValueError, match="must be divisible"):
        keras.layers.GroupQueryAttention(2, 3, 2)
    with pytest.raises(ValueError, match="sliding_window must be"):
        keras.layers.GroupQueryAttention(2, 2, 1, sliding_window=0)
    with pytest.raises(NotImplementedError, match="flash_attention=True"):
        keras.layers.GroupQueryAttention(2, 2, 1, flash_attention=True)
    with pytest.raises(ValueError, match="must be called with `query` and `value`"):
        keras.layers.GroupQueryAttention(2, 2, 1)(Q)
    with pytest.raises(ValueError, match="last dimensions of query and value"):
        keras.layers.GroupQueryAttention(2, 2, 1)(Q, np.ones((2, 5, 2), "float32"))


def test_time_distributed_is_a_wrapper(tmp_path):
    _round_trip(lambda k: k.Sequential([k.Input((4, 3)), k.layers.TimeDistributed(
        k.layers.Dense(2))]), Q, tmp_path)
    layer = keras.layers.TimeDistributed(keras.layers.Dense(2))
    assert isinstance(layer, keras.layers.Wrapper)
    assert isinstance(_keras3().layers.TimeDistributed(_keras3().layers.Dense(2)),
                      _keras3().layers.Wrapper)
    with pytest.raises(ValueError, match="`layer` must be a Layer"):
        keras.layers.TimeDistributed("dense")


@pytest.mark.parametrize("scores", [False, True])
def test_multi_head_attention_fully_masked_rows_match_keras(backend, scores):
    """Keras 3's fused path (no dropout, no scores) averages a fully masked row's values; its
    explicit path gives zeros. Ours follows both."""
    keras3 = _keras3()
    value_mask = np.array([[1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], bool)
    theirs = keras3.layers.MultiHeadAttention(2, 2)
    ours = keras.layers.MultiHeadAttention(2, 2)
    theirs(Q, V, value_mask=value_mask)
    ours(Q, V, value_mask=value_mask)
    ours.set_weights([np.asarray(w) for w in theirs.weights])
    ref = theirs(Q, V, value_mask=value_mask, return_attention_scores=scores)
    got = ours(Q, V, value_mask=value_mask, return_attention_scores=scores)
    for mine, expected in zip(got if scores else [got], ref if scores else [ref]):
        np.testing.assert_allclose(_np(mine), np.asarray(expected), rtol=1e-5, atol=1e-6)
