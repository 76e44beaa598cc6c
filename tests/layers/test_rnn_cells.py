"""RNN, SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells on every backend: outputs against
Keras 3 with the same weights, RNN(cell) equal to the fused layers, a user-written cell trained
like Keras 3 trains it, configs and ``.keras`` round trips both ways."""

import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

RNG = np.random.default_rng(3)
X = RNG.normal(size=(3, 5, 4)).astype("float32")
MASK = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [0, 1, 1, 1, 0]], dtype=bool)


def _k3():
    return pytest.importorskip("keras")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [leaf for o in out for leaf in _flat(o)]
    return [out]


def _assert_close(got, expected, atol=1e-5):
    got, expected = _flat(got), _flat(expected)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(_np(g), np.asarray(e), rtol=1e-5, atol=atol)


def _cells(lib, spec):
    """Cells of ``lib`` (mini_keras or Keras 3) from ``[(class name, kwargs), ...]``."""
    return [getattr(lib.layers, name)(3 if i == 0 else 2, **kw) for i, (name, kw)
            in enumerate(spec)]


def _rnn_pair(spec, **kwargs):
    """(ours, keras) RNN layers over the cells of ``spec`` with the same (random) weights."""
    k3 = _k3()
    theirs_cells, ours_cells = _cells(k3, spec), _cells(keras, spec)
    ref = k3.layers.RNN(theirs_cells if len(spec) > 1 else theirs_cells[0], **kwargs)
    ref(X)
    for w in ref.weights:
        w.assign(RNG.normal(scale=0.5, size=w.shape).astype("float32"))
    ours = keras.layers.RNN(ours_cells if len(spec) > 1 else ours_cells[0], **kwargs)
    ours(X)
    ours.set_weights(ref.get_weights())
    return ours, ref


CASES = [  # (cell, kwargs) with RNN options: each cell meets a few of them (fast)
    (("SimpleRNNCell", {}), {}),
    (("SimpleRNNCell", {}), {"return_state": True, "unroll": True}),
    (("LSTMCell", {}), {"return_sequences": True, "return_state": True}),
    (("LSTMCell", {"use_bias": False}), {"return_sequences": True, "go_backwards": True}),
    (("GRUCell", {}), {"return_sequences": True, "zero_output_for_mask": True}),
    (("GRUCell", {"reset_after": False}), {"return_state": True, "go_backwards": True}),
]


@pytest.mark.parametrize(("cell", "options"), CASES,
                         ids=[f"{c[0]}{'-'.join(c[1])}-{'-'.join(o) or 'default'}"
                              for c, o in CASES])
def test_rnn_of_cell_matches_keras(backend, cell, options):
    ours, ref = _rnn_pair([cell], **options)
    _assert_close(ours(X), ref(X))
    _assert_close(ours(X, mask=MASK), ref(X, mask=MASK))


def test_stacked_cells_match_keras(backend):
    spec = [("LSTMCell", {}), ("GRUCell", {})]
    for options in ({"return_sequences": True, "return_state": True},
                    {"go_backwards": True, "return_state": True}):
        ours, ref = _rnn_pair(spec, **options)
        assert isinstance(ours.cell, keras.layers.StackedRNNCells)
        assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
        _assert_close(ours(X), ref(X))
        _assert_close(ours(X, mask=MASK), ref(X, mask=MASK))
    state_size = ours.cell.state_size
    assert state_size == ref.cell.state_size == [[3, 3], 2]
    k3 = _k3()
    states = [np.ones((3, 3), "float32"), np.zeros((3, 3), "float32")], np.ones((3, 2), "float32")
    ref_stacked = k3.layers.StackedRNNCells(ref.cell.cells)
    got = ours.cell(X[:, 0], list(states))
    _assert_close(got, ref_stacked(X[:, 0], list(states)))


@pytest.mark.parametrize("cls_name", ["SimpleRNNCell", "LSTMCell", "GRUCell"])
def test_cell_step_config_and_weights_match_keras(backend, cls_name):
    k3 = _k3()
    ref = getattr(k3.layers, cls_name)(3)
    ours = getattr(keras.layers, cls_name)(3)
    assert ours.state_size == ref.state_size and ours.output_size == ref.output_size
    states = [RNG.normal(size=(3, 3)).astype("float32") for _ in range(2 if "LSTM" in cls_name
                                                                        else 1)]
    expected = ref(X[:, 0], states)
    ours(X[:, 0], states)
    assert [(w.name, w.shape) for w in ours.weights] == [(w.name, tuple(w.shape))
                                                         for w in ref.weights]
    ours.set_weights(ref.get_weights())
    _assert_close(ours(X[:, 0], states), expected)
    config = ours.get_config()
    theirs = ref.get_config()
    assert config.keys() == theirs.keys()
    for key in config.keys() - {"name", "dtype", "kernel_initializer", "recurrent_initializer",
                                "bias_initializer"}:
        assert config[key] == theirs[key], key
    clone = type(ours).from_config(config)
    assert clone.get_config() == config


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_rnn_of_cell_equals_the_layer(backend, name):
    """RNN(LSTMCell(n)) and LSTM(n) with the same weights give the same numbers (the layer may
    run the backend's fused kernel)."""
    layer = getattr(keras.layers, name)(3, return_sequences=True, return_state=True)
    layer(X)
    rnn = keras.layers.RNN(getattr(keras.layers, f"{name}Cell")(3), return_sequences=True,
                           return_state=True)
    rnn(X)
    rnn.set_weights(layer.get_weights())
    init = [RNG.normal(size=(3, 3)).astype("float32") for _ in range(layer.state_count)]
    for mask in (None, MASK):
        _assert_close(rnn(X, mask=mask), [_np(t) for t in layer(X, mask=mask)])
        _assert_close(rnn(X, initial_state=init, mask=mask),
                      [_np(t) for t in layer(X, initial_state=init, mask=mask)])


def _minimal_cell_class(lib):
    """The MinimalRNNCell of Keras' RNN guide, written against ``lib`` (ours or Keras 3)."""

    class MinimalRNNCell(lib.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                          initializer="random_uniform", name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    initializer="random_uniform",
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            h = lib.ops.matmul(inputs, self.kernel)
            output = lib.ops.tanh(h + lib.ops.matmul(states[0], self.recurrent_kernel))
            return output, [output]

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    return MinimalRNNCell


def _minimal_model(lib):
    model = lib.Sequential([lib.Input((5, 4)), lib.layers.RNN(_minimal_cell_class(lib)(6)),
                            lib.layers.Dense(1)])
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
    return model


def test_user_cell_trains_like_keras(backend):
    k3 = _k3()
    y = np.sum(X[:, :, :2], axis=(1, 2))[:, None].astype("float32") * 0.3
    ref = _minimal_model(k3)
    weights = [RNG.normal(scale=0.3, size=w.shape).astype("float32") for w in ref.weights]
    ref.set_weights(weights)
    ours = _minimal_model(keras)
    assert [w.shape for w in ours.weights] == [w.shape for w in weights]
    ours.set_weights(weights)
    np.testing.assert_allclose(_np(ours.predict(X, verbose=0)), ref.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-6)
    expected = ref.fit(X, y, epochs=4, batch_size=3, shuffle=False, verbose=0).history["loss"]
    got = ours.fit(X, y, epochs=4, batch_size=3, shuffle=False, verbose=0).history["loss"]
    assert got[-1] < got[0]
    np.testing.assert_allclose(got, expected, rtol=1e-4)


SAVE_CASES = {
    "lstm_cell": lambda lib: lib.layers.RNN(lib.layers.LSTMCell(3), return_sequences=True),
    "stacked": lambda lib: lib.layers.RNN([lib.layers.GRUCell(3), lib.layers.SimpleRNNCell(2)],
                                          go_backwards=True),
}


@pytest.mark.parametrize("case", sorted(SAVE_CASES))
def test_keras_files_round_trip_both_ways(backend, case, tmp_path):
    k3 = _k3()
    theirs = k3.Sequential([k3.Input((5, 4)), SAVE_CASES[case](k3), k3.layers.Dense(2)])
    for w in theirs.weights:
        w.assign(RNG.normal(scale=0.5, size=w.shape).astype("float32"))
    expected = theirs.predict(X, verbose=0)
    theirs.save(tmp_path / "theirs.keras")
    ours = keras.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(_np(ours.predict(X, verbose=0)), expected, rtol=1e-5, atol=1e-5)
    fresh = keras.Sequential([keras.Input((5, 4)), SAVE_CASES[case](keras), keras.layers.Dense(2)])
    fresh.set_weights(ours.get_weights())
    fresh.save(tmp_path / "ours.keras")
    back = k3.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(back.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-5)


def test_symbolic_shapes(backend):
    inputs = keras.Input((None, 4))
    out, h, c = keras.layers.RNN(keras.layers.LSTMCell(3), return_sequences=True,
                                 return_state=True)(inputs)
    assert out.shape == (None, None, 3) and h.shape == c.shape == (None, 3)
    out, (_, c1), h2 = keras.layers.RNN([keras.layers.LSTMCell(3), keras.layers.GRUCell(2)],
                                         return_state=True)(inputs)
    assert out.shape == h2.shape == (None, 2) and c1.shape == (None, 3)


def test_dropout_only_in_training_and_masks_are_reset(backend):
    cell = keras.layers.LSTMCell(3, dropout=0.5, recurrent_dropout=0.5, seed=1)
    layer = keras.layers.RNN(cell)
    inference = _np(layer(X))
    np.testing.assert_allclose(_np(layer(X, training=False)), inference)
    assert not np.allclose(_np(layer(X, training=True)), inference)
    assert cell._dropout_mask is None and cell._recurrent_dropout_mask is None


def test_bad_cells_and_arguments_are_named(backend):
    with pytest.raises(ValueError, match="state_size"):
        keras.layers.RNN(keras.layers.Dense(2), name="no_state")
    with pytest.raises(ValueError, match="units must be a positive int"):
        keras.layers.LSTMCell(0)
    with pytest.raises(ValueError, match="expects 1 initial state"):
        keras.layers.RNN(keras.layers.GRUCell(2))(X, initial_state=[np.zeros((3, 2)),
                                                                     np.zeros((3, 2))])


STATEFUL = {
    "lstm_layer": lambda lib, **kw: lib.layers.LSTM(3, return_state=True, **kw),
    "gru_cell": lambda lib, **kw: lib.layers.RNN(lib.layers.GRUCell(3), return_sequences=True,
                                                 **kw),
    "stacked": lambda lib, **kw: lib.layers.RNN([lib.layers.LSTMCell(3),
                                                 lib.layers.SimpleRNNCell(2)], **kw),
}


@pytest.mark.parametrize("case", sorted(STATEFUL))
def test_stateful_layers_carry_their_states_like_keras(backend, case):
    k3 = _k3()
    ref = STATEFUL[case](k3, stateful=True)
    ref(X[:, :2])
    for w in ref.weights:
        w.assign(RNG.normal(scale=0.5, size=w.shape).astype("float32"))
    ours = STATEFUL[case](keras, stateful=True)
    ours(X[:, :2])
    ours.set_weights(ref.get_weights())
    ours.reset_state()
    assert len(ours.weights) == len(ref.weights)  # the states are not weights
    # Keras 3's reset_state fails on stacked cells' nested states: a new (built) layer
    fresh = k3.layers.deserialize(k3.layers.serialize(ref))
    fresh.set_weights(ref.get_weights())
    for part in (X[:, :2], X[:, 2:]):
        _assert_close(ours(part), fresh(part))
    whole = STATEFUL[case](keras)
    whole(X)
    whole.set_weights(ref.get_weights())
    expected = _flat(whole(X))
    ours.reset_state()
    ours(X[:, :2])
    got = _flat(ours(X[:, 2:]))
    if case == "gru_cell":  # the sequence of the second part
        got, expected = got[0], _np(expected[0])[:, 2:]
    _assert_close(got, [_np(e) for e in _flat(expected)])


def test_stateful_model_fits_and_predicts(backend):
    inputs = keras.Input((5, 4), batch_size=3)
    model = keras.Sequential([inputs, keras.layers.LSTM(3, stateful=True),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, np.ones((3, 1), "float32"), epochs=2, batch_size=3, verbose=0)
    model.predict(X, batch_size=3, verbose=0)  # compiled: JAX drops the update, as Keras 3
    layer = model.layers[0]
    layer.reset_state()
    first = _np(model(X))
    assert not np.allclose(_np(model(X)), first)
    layer.reset_state()
    np.testing.assert_allclose(_np(model(X)), first, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="batch size 3"):
        layer(X[:2])
    with pytest.raises(ValueError, match="static batch size"):
        keras.Sequential([keras.Input((5, 4)), keras.layers.GRU(2, stateful=True)])


BIDIRECTIONAL = {
    "lstm_cell": lambda lib: lib.layers.RNN(lib.layers.LSTMCell(3), return_sequences=True),
    "stacked_states": lambda lib: lib.layers.RNN([lib.layers.GRUCell(3), lib.layers.GRUCell(2)],
                                                 return_state=True),
    "conv_lstm": lambda lib: lib.layers.ConvLSTM1D(2, 2, return_sequences=True),
}


@pytest.mark.parametrize("case", sorted(BIDIRECTIONAL))
def test_bidirectional_rnn_of_cells_matches_keras(backend, case):
    k3 = _k3()
    x = X[..., None] if case == "conv_lstm" else X
    ref = k3.layers.Bidirectional(BIDIRECTIONAL[case](k3))
    ref(x)
    ours = keras.layers.Bidirectional(BIDIRECTIONAL[case](keras))
    ours(x)
    ours.set_weights(ref.get_weights())
    _assert_close(ours(x), ref(x))


def test_user_cell_round_trips_with_custom_objects(backend, tmp_path):
    k3 = _k3()
    theirs = _minimal_model(k3)
    theirs.set_weights([RNG.normal(scale=0.3, size=w.shape).astype("float32")
                        for w in theirs.weights])
    expected = theirs.predict(X, verbose=0)
    theirs.save(tmp_path / "theirs.keras")
    ours = keras.models.load_model(tmp_path / "theirs.keras", custom_objects={
        "MinimalRNNCell": _minimal_cell_class(keras)})
    np.testing.assert_allclose(_np(ours.predict(X, verbose=0)), expected, rtol=1e-5, atol=1e-6)
    ours.save(tmp_path / "ours.keras")
    back = k3.models.load_model(tmp_path / "ours.keras", custom_objects={
        "MinimalRNNCell": _minimal_cell_class(k3)})
    np.testing.assert_allclose(back.predict(X, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_mixed_precision_outputs_like_keras(backend):
    k3 = _k3()
    make = {"stacked": lambda lib: lib.layers.RNN([lib.layers.LSTMCell(3), lib.layers.GRUCell(2)],
                                                  dtype="mixed_float16", return_state=True),
            "conv": lambda lib: lib.layers.ConvLSTM1D(2, 2, dtype="mixed_float16")}
    for name, build in make.items():
        x = X[..., None] if name == "conv" else X
        expected = [str(t.dtype).replace("<dtype: '", "").rstrip("'>")
                    for t in k3.tree.flatten(build(k3)(x))]
        assert [str(ops.dtype(t)) for t in keras.tree.flatten(build(keras)(x))] == expected
