"""SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed on every backend: outputs against real
Keras 3 with identical weights, gradients against Keras/TensorFlow, masking, and learning."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import ops

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5, 4)).astype("float32")
MASK = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 1, 1, 0]], dtype=bool)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _as_list(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _pair(cls_name, **kwargs):
    """(ours, keras) layers of ``cls_name`` with the same weights, built on ``X``."""
    k = pytest.importorskip("keras")
    ref = getattr(k.layers, cls_name)(3, **kwargs)
    ref(X)
    ours = getattr(keras.layers, cls_name)(3, **kwargs)
    ours(X)
    ours.set_weights(ref.get_weights())
    return ours, ref


RNN_CASES = [
    ("SimpleRNN", {}),
    ("LSTM", {}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("LSTM", {"return_sequences": True, "go_backwards": True}),
    ("GRU", {"return_state": True, "go_backwards": True}),
    ("SimpleRNN", {"use_bias": False, "return_sequences": True, "return_state": True}),
]


@pytest.mark.parametrize(("cls_name", "kwargs"), RNN_CASES,
                         ids=[f"{c}-{'-'.join(k) or 'default'}" for c, k in RNN_CASES])
def test_recurrent_layer_matches_keras(backend, cls_name, kwargs):
    ours, ref = _pair(cls_name, **kwargs)
    expected, got = _as_list(ref(X)), _as_list(ours(X))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)


def test_weight_names_shapes_and_gate_layout(backend):
    shapes = {}
    for cls_name, kwargs in [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}),
                             ("GRU", {"reset_after": False})]:
        layer = getattr(keras.layers, cls_name)(3, **kwargs)
        layer(X)
        shapes[(cls_name, bool(kwargs))] = [(w.name, w.shape) for w in layer.weights]
    assert shapes[("LSTM", False)] == [("kernel", (4, 12)), ("recurrent_kernel", (3, 12)),
                                       ("bias", (12,))]
    assert shapes[("GRU", False)][2] == ("bias", (2, 9))
    assert shapes[("GRU", True)][2] == ("bias", (9,))
    assert shapes[("SimpleRNN", False)][1] == ("recurrent_kernel", (3, 3))
    lstm = keras.layers.LSTM(3)
    lstm(X)
    np.testing.assert_array_equal(lstm.get_weights()[2], [0, 0, 0, 1, 1, 1] + [0] * 6)


@pytest.mark.parametrize("cls_name", ["LSTM", "GRU"])
def test_masked_sequences_match_keras(backend, cls_name):
    ours, ref = _pair(cls_name, return_sequences=True, return_state=True)
    expected, got = ref(X, mask=MASK), ours(X, mask=MASK)
    for g, e in zip(_as_list(got), _as_list(expected)):
        np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)


def test_padded_steps_do_not_change_final_lstm_state(backend):
    lstm = keras.layers.LSTM(4, return_state=True)
    lengths = [5, 3, 1]
    padded = X.copy()
    mask = np.arange(5)[None, :] < np.array(lengths)[:, None]
    padded[~mask] = 7.0  # junk in the padded steps
    _, h, c = lstm(padded, mask=mask)
    for i, n in enumerate(lengths):
        _, h_i, c_i = lstm(X[i:i + 1, :n])
        np.testing.assert_allclose(_np(h)[i], _np(h_i)[0], atol=1e-6)
        np.testing.assert_allclose(_np(c)[i], _np(c_i)[0], atol=1e-6)


@pytest.mark.parametrize("merge_mode", ["concat", None])
def test_bidirectional_matches_keras(backend, merge_mode):
    k = pytest.importorskip("keras")
    ref = k.layers.Bidirectional(k.layers.GRU(3, return_sequences=True), merge_mode=merge_mode)
    ref(X)
    ours = keras.layers.Bidirectional(keras.layers.GRU(3, return_sequences=True),
                                      merge_mode=merge_mode)
    ours(X)
    owners = [w.path.split("/")[0].split("_")[0] for w in ours.weights]
    assert owners == ["forward"] * 3 + ["backward"] * 3
    ours.set_weights(ref.get_weights())
    for mask in (None, MASK):
        for g, e in zip(_as_list(ours(X, mask=mask)), _as_list(ref(X, mask=mask))):
            np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)


def test_bidirectional_lstm_return_state_matches_keras(backend):
    k = pytest.importorskip("keras")
    ref = k.layers.Bidirectional(k.layers.LSTM(3, return_state=True))
    ref(X)
    ours = keras.layers.Bidirectional(keras.layers.LSTM(3, return_state=True))
    ours(X)
    ours.set_weights(ref.get_weights())
    got, expected = ours(X), ref(X)
    assert len(got) == len(expected) == 5
    for g, e in zip(got, expected):
        np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)


def test_time_distributed_matches_keras(backend):
    k = pytest.importorskip("keras")
    ref = k.layers.TimeDistributed(k.layers.Dense(2, activation="tanh"))
    ours = keras.layers.TimeDistributed(keras.layers.Dense(2, activation="tanh"))
    ref(X)
    ours(X)
    ours.set_weights(ref.get_weights())
    out = ours(X)
    assert ops.shape(out) == (3, 5, 2)
    np.testing.assert_allclose(_np(out), np.asarray(ref(X)), atol=1e-6)


def test_gradients_match_keras_tensorflow(backend):
    k = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    if k.backend.backend() != "tensorflow":
        pytest.skip("the gradient reference needs Keras on its TensorFlow backend")
    ref = k.layers.LSTM(3, return_sequences=True)
    ref(X)
    x_tf = tf.constant(X)
    with tf.GradientTape() as tape:
        tape.watch(x_tf)
        loss = tf.reduce_sum(tf.square(ref(x_tf, mask=MASK)))
    expected = tape.gradient(loss, [x_tf] + ref.trainable_weights)

    from mini_keras.core.stateless import StatelessScope
    layer = keras.layers.LSTM(3, return_sequences=True)
    layer(X)
    layer.set_weights(ref.get_weights())

    def loss_fn(values):
        with StatelessScope(zip(layer.weights, values[1:])):
            return ops.sum(ops.square(layer(values[0], mask=MASK)))

    value, grads = ops.value_and_grad(loss_fn)([X] + [w.value for w in layer.weights])
    np.testing.assert_allclose(float(_np(value)), float(loss), rtol=1e-5)
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(_np(g), e.numpy(), atol=1e-5)


def test_wrong_input_rank_names_the_layer(backend):
    with pytest.raises(ValueError, match="'my_lstm'.*3-D"):
        keras.layers.LSTM(2, name="my_lstm")(np.zeros((2, 4), "float32"))
    lstm = keras.layers.LSTM(2, name="built_lstm")
    lstm(X)
    with pytest.raises(ValueError, match="built_lstm"):
        lstm(np.zeros((2, 4), "float32"))


def test_symbolic_shapes_and_config_round_trip(backend):
    inputs = keras.Input((None, 4))
    seq, h, c = keras.layers.LSTM(3, return_sequences=True, return_state=True)(inputs)
    assert seq.shape == (None, None, 3) and h.shape == c.shape == (None, 3)
    bi = keras.layers.Bidirectional(keras.layers.SimpleRNN(2))(inputs)
    assert bi.shape == (None, 4)
    gru = keras.layers.GRU(3, reset_after=False, go_backwards=True, dropout=0.1)
    clone = keras.layers.GRU.from_config(gru.get_config())
    assert (clone.units, clone.reset_after, clone.go_backwards, clone.dropout) == (
        3, False, True, 0.1)


def test_dropout_only_in_training(backend):
    layer = keras.layers.LSTM(3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    inference = _np(layer(X))
    np.testing.assert_allclose(_np(layer(X, training=False)), inference)
    assert not np.allclose(_np(layer(X, training=True)), inference)


def _contains_token(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 10, size=(n, 6))
    return x, (x == 3).any(axis=1).astype("float32")[:, None]


def test_lstm_learns_whether_a_sequence_contains_a_token(backend):
    keras.utils.set_random_seed(0)
    x, y = _contains_token(512, 0)
    x_test, y_test = _contains_token(256, 1)
    model = keras.Sequential([keras.Input((6,), dtype="int32"), keras.layers.Embedding(10, 8),
                              keras.layers.LSTM(16), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, epochs=6, batch_size=64, verbose=0)
    accuracy = np.mean((model.predict(x_test, verbose=0) > 0.5) == y_test)
    assert accuracy >= 0.95, accuracy


# ---------------------------------------------------------------- fused kernels (backend lstm/gru)
RIGHT_PADDED = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=bool)
FUSED_CASES = [
    ("LSTM", {}),
    ("LSTM", {"return_sequences": True, "return_state": True}),
    ("LSTM", {"return_sequences": True, "go_backwards": True}),
    ("LSTM", {"use_bias": False, "return_state": True}),
    ("GRU", {}),
    ("GRU", {"return_sequences": True, "return_state": True, "go_backwards": True}),
    ("GRU", {"reset_after": False, "return_sequences": True}),
]


def _fused_and_generic(cls_name, **kwargs):
    """Two layers with the same weights: one as built, one forced onto the generic scan loop."""
    fused = getattr(keras.layers, cls_name)(3, **kwargs)
    fused(X)
    generic = getattr(keras.layers, cls_name)(3, **kwargs)
    generic(X)
    generic.set_weights(fused.get_weights())
    generic._fused_kernel = _no_fused_kernel
    return fused, generic


def _no_fused_kernel(*args):
    raise NotImplementedError("forced onto the generic loop")


def _outputs_and_grads(layer, initial_state, mask):
    """Outputs of ``layer`` and d(sum of squares of every output) / d(inputs, states, weights)."""
    from mini_keras.core.stateless import StatelessScope
    n_states = len(initial_state or [])

    def loss_fn(values):
        states = list(values[1:1 + n_states]) or None
        with StatelessScope(zip(layer.weights, values[1 + n_states:])):
            outs = _as_list(layer(values[0], initial_state=states, mask=mask))
        return ops.sum(ops.stack([ops.sum(ops.square(o)) for o in outs]))

    values = [X] + list(initial_state or []) + [w.value for w in layer.weights]
    _, grads = ops.value_and_grad(loss_fn)(values)
    outs = _as_list(layer(X, initial_state=initial_state, mask=mask))
    return [_np(o) for o in outs], [_np(g) for g in grads]


def _assert_same_path_results(fused, generic, initial_state=None, mask=None):
    got_out, got_grads = _outputs_and_grads(fused, initial_state, mask)
    exp_out, exp_grads = _outputs_and_grads(generic, initial_state, mask)
    assert len(got_out) == len(exp_out) and len(got_grads) == len(exp_grads)
    for g, e in zip(got_out + got_grads, exp_out + exp_grads):
        np.testing.assert_allclose(g, e, atol=1e-5)


@pytest.mark.parametrize(("cls_name", "kwargs"), FUSED_CASES,
                         ids=[f"{c}-{'-'.join(k) or 'default'}" for c, k in FUSED_CASES])
def test_fused_kernel_matches_generic_loop(backend, cls_name, kwargs):
    fused, generic = _fused_and_generic(cls_name, **kwargs)
    states = fused.state_count
    initial_state = [RNG.normal(size=(3, 3)).astype("float32") for _ in range(states)]
    _assert_same_path_results(fused, generic)
    _assert_same_path_results(fused, generic, initial_state=initial_state)


@pytest.mark.parametrize("cls_name", ["LSTM", "GRU"])
@pytest.mark.parametrize("mask", [RIGHT_PADDED, MASK], ids=["right-padded", "holes"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forward", "backwards"])
def test_fused_kernel_masks_match_generic_loop(backend, cls_name, mask, go_backwards):
    for zero_output in (False, True):
        fused, generic = _fused_and_generic(cls_name, return_sequences=True, return_state=True,
                                            go_backwards=go_backwards,
                                            zero_output_for_mask=zero_output)
        _assert_same_path_results(fused, generic, mask=mask)


def test_fused_kernels_run_where_the_backend_has_them(backend):
    """torch, jax and tensorflow run LSTM/GRU through their backend kernels (numpy: generic)."""
    from mini_keras import backends
    layer = keras.layers.GRU(3, return_sequences=True)
    layer(X)
    b = backends.current()
    args = (X, np.zeros((3, 3), "float32"), None, layer.kernel.value,
            layer.recurrent_kernel.value, layer.bias.value, keras.activations.tanh,
            keras.activations.sigmoid)
    if backend == "numpy":
        with pytest.raises(NotImplementedError):
            b.gru(*args)
        return
    last, outputs, states = b.gru(*args, return_sequences=True)
    np.testing.assert_allclose(_np(outputs), _np(layer(X)), atol=1e-5)
    np.testing.assert_allclose(_np(last), _np(layer(X))[:, -1], atol=1e-5)
    assert len(states) == 1
    with pytest.raises(NotImplementedError, match="tanh"):  # the layer falls back on this
        b.gru(*args[:6], keras.activations.relu, keras.activations.sigmoid)
    with pytest.raises(NotImplementedError, match="sigmoid"):
        b.lstm(X, args[1], args[1], None, np.zeros((4, 12), "float32"),
               np.zeros((3, 12), "float32"), None, keras.activations.tanh,
               keras.activations.relu)


@pytest.mark.parametrize("cls_name", ["LSTM", "GRU"])
def test_unfusable_configuration_falls_back_and_matches_keras(backend, cls_name):
    ours, ref = _pair(cls_name, activation="relu", return_sequences=True, return_state=True)
    for mask in (None, MASK):
        for g, e in zip(_as_list(ours(X, mask=mask)), _as_list(ref(X, mask=mask))):
            np.testing.assert_allclose(_np(g), np.asarray(e), atol=1e-5)
