"""The shared training loop on every backend: convergence, cross-backend agreement, bad input."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends


def _mlp(units=8, activation="tanh", out=1, out_activation="sigmoid", inputs=2):
    return keras.Sequential([
        keras.Input((inputs,)),
        keras.layers.Dense(units, activation=activation),
        keras.layers.Dense(out, activation=out_activation),
    ])


XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
XOR_Y = np.array([[0], [1], [1], [0]], dtype="float32")


def test_xor_mlp_reaches_full_accuracy(backend):
    keras.utils.set_random_seed(0)
    model = _mlp()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(XOR_X, XOR_Y, epochs=150, batch_size=4, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.05
    np.testing.assert_array_equal(model.predict(XOR_X, verbose=0).round(), XOR_Y)


def test_single_dense_layer_cannot_learn_xor(backend):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(XOR_X, XOR_Y, epochs=150, batch_size=4, verbose=0)
    assert history.history["accuracy"][-1] <= 0.75


def test_linear_regression_matches_least_squares(backend):
    years = np.array([[0], [3], [5], [8], [10], [13]], dtype="float32")
    salary = np.array([[2.6], [3.1], [4.3], [6.5], [8.4], [11.2]], dtype="float32")
    w_ls, b_ls = np.polyfit(years.ravel(), salary.ravel(), 1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss="mse")
    model.fit(years, salary, epochs=400, batch_size=6, verbose=0, shuffle=False)
    w, b = model.get_weights()
    assert w.shape == (1, 1) and b.shape == (1,)
    np.testing.assert_allclose([w[0, 0], b[0]], [w_ls, b_ls], atol=0.02)
    np.testing.assert_allclose([w_ls, b_ls], [0.685, 1.564], atol=0.01)


def test_initial_weights_identical_across_backends():
    weights = {}
    for name in backends.available():
        keras.config.set_backend(name)
        keras.utils.set_random_seed(42)
        model = _mlp(16, inputs=5, out=3, out_activation="softmax")
        weights[name] = model.get_weights()
    keras.config.set_backend("numpy")
    ref = weights["numpy"]
    assert [w.shape for w in ref] == [(5, 16), (16,), (16, 3), (3,)]
    for name, ws in weights.items():
        for a, b in zip(ref, ws):
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_full_batch_sgd_losses_agree_across_backends():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = rng.integers(0, 3, size=(64,))
    losses = {}
    for name in backends.available():
        keras.config.set_backend(name)
        keras.utils.set_random_seed(7)
        model = _mlp(16, activation="relu", inputs=6, out=3, out_activation="softmax")
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, epochs=20, batch_size=64, verbose=0, shuffle=False)
        losses[name] = np.array(history.history["loss"])
    keras.config.set_backend("numpy")
    assert losses["numpy"][-1] < losses["numpy"][0]
    for name, values in losses.items():
        np.testing.assert_allclose(values, losses["numpy"], rtol=1e-4, err_msg=name)


def test_digits_mlp_reaches_95_percent(backend):
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dropout(0.1),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=15, batch_size=32, verbose=0)
    _loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    predicted = model.predict(x_test, verbose=0).argmax(-1)
    assert accuracy >= 0.95
    np.testing.assert_allclose(accuracy, (predicted == y_test).mean(), atol=1e-6)


def test_evaluate_matches_manual_loss(backend):
    keras.utils.set_random_seed(1)
    model = _mlp(4, inputs=3)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(1).normal(size=(10, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    loss, acc = model.evaluate(x, y, batch_size=4, verbose=0)
    p = np.clip(model.predict(x, verbose=0), 1e-7, 1 - 1e-7)
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)
    np.testing.assert_allclose(acc, np.mean((p > 0.5) == y), rtol=1e-6)


def test_validation_split_and_history_keys(backend):
    keras.utils.set_random_seed(0)
    model = _mlp(4, inputs=2)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).normal(size=(20, 2)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, epochs=2, batch_size=5, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert len(history.history["loss"]) == 2
    val_loss, _ = model.evaluate(x[15:], y[15:], verbose=0)
    np.testing.assert_allclose(history.history["val_loss"][-1], val_loss, rtol=1e-5)


def test_train_and_test_on_batch(backend):
    keras.utils.set_random_seed(0)
    model = _mlp(4, inputs=2)
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    before = model.test_on_batch(XOR_X, XOR_Y)
    model.train_on_batch(XOR_X, XOR_Y)
    after = model.test_on_batch(XOR_X, XOR_Y)
    assert after < before
    np.testing.assert_allclose(model.predict_on_batch(XOR_X), model.predict(XOR_X, verbose=0),
                               rtol=1e-6)


def test_model_keeps_its_backend_after_switch():
    available = backends.available()
    keras.config.set_backend(available[-1])
    keras.utils.set_random_seed(0)
    model = _mlp(4, inputs=2)
    model.compile(optimizer="adam", loss="mse")
    keras.config.set_backend("numpy")
    model.fit(XOR_X, XOR_Y, epochs=2, verbose=0)
    assert model.backend == available[-1]
    assert all(v.backend == available[-1] for v in model.weights)
    assert model.predict(XOR_X, verbose=0).shape == (4, 1)


@pytest.mark.parametrize("bad, message", [
    ({"y": np.zeros((3, 1))}, "Data cardinality"),
    ({"x": np.array([["a", "b"]] * 4)}, "numeric"),
    ({"x": np.array([[np.nan, 0]] * 4, dtype="float32")}, "NaN"),
    ({"x": np.zeros((0, 2)), "y": np.zeros((0, 1))}, "empty"),
])
def test_fit_bad_data_errors(backend, bad, message):
    model = _mlp(4, inputs=2)
    model.compile(optimizer="adam", loss="mse")
    kwargs = {"x": XOR_X, "y": XOR_Y, "epochs": 1, "verbose": 0}
    kwargs.update(bad)
    with pytest.raises((ValueError, TypeError), match=message):
        model.fit(**kwargs)


def test_fit_before_compile_and_unknown_names(backend):
    model = _mlp(4, inputs=2)
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(XOR_X, XOR_Y, verbose=0)
    with pytest.raises(ValueError, match="Valid names.*sparse_categorical_crossentropy"):
        model.compile(optimizer="adam", loss="msee")
    with pytest.raises(ValueError, match="Valid names.*adam"):
        model.compile(optimizer="adamm", loss="mse")
    model.compile(optimizer="adam", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'"):
        model.fit(XOR_X, XOR_Y, verbose=0)


def test_wrong_input_shape_names_layer(backend):
    model = _mlp(4, inputs=2)
    with pytest.raises(ValueError, match=r"dense.*expected axis -1.*value 2.*\(4, 3\)"):
        model.predict(np.zeros((4, 3), dtype="float32"), verbose=0)


def test_progress_output(backend, capsys):
    model = _mlp(4, inputs=2)
    model.compile(optimizer="adam", loss="mse")
    model.fit(XOR_X, XOR_Y, epochs=2, batch_size=2, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert out.count("loss:") == 2 and "2/2" in out
