"""compile(steps_per_execution=N): N steps per execution, batch callbacks once per execution
(checked against Keras 3's own callback trace), and the same training as N=1."""

import os

import numpy as np
import pytest

import mini_keras as keras

RNG = np.random.RandomState(0)
X = RNG.rand(40, 3).astype("float32")  # 10 batches of 4: executions of 3, 3, 3 and 1 step
Y = X.sum(1, keepdims=True)
W0 = [np.array([[0.3], [-0.2], [0.5]], "float32"), np.array([0.1], "float32")]


def _recorder(module):
    class Recorder(module.callbacks.Callback):
        """Record every batch-level hook: (hook, batch index, logs as floats / outputs)."""

        def __init__(self):
            super().__init__()
            self.events = []

        def _log(self, hook, batch, logs):
            logs = dict(logs or {})
            if "outputs" in logs:
                logs["outputs"] = np.asarray(logs["outputs"])
            else:
                logs = {k: float(v) for k, v in logs.items()}
            self.events.append((hook, batch, logs))

    for hook in ("train", "test", "predict"):
        for end in ("begin", "end"):
            name = f"on_{hook}_batch_{end}"
            setattr(Recorder, name, lambda self, batch, logs=None, _n=name:
                    self._log(_n, batch, logs))
    return Recorder()


def _run(module, steps_per_execution):
    """fit (10 batches), evaluate (22 samples: 6 batches) and predict, recording callbacks."""
    model = module.Sequential([module.Input((3,)), module.layers.Dense(1)])
    model.set_weights(W0)
    model.compile(optimizer=module.optimizers.SGD(0.05), loss="mse", metrics=["mae"],
                  steps_per_execution=steps_per_execution)
    rec = _recorder(module)
    history = model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0,
                        callbacks=[rec])
    model.evaluate(X[:22], Y[:22], batch_size=4, verbose=0, callbacks=[rec])
    pred = model.predict(X[:22], batch_size=4, verbose=0, callbacks=[rec])
    return rec.events, history.history, [np.asarray(w) for w in model.get_weights()], pred


@pytest.fixture(scope="module")
def keras3_run():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    if keras3.backend.backend() == "torch":  # Keras 3 refuses steps_per_execution > 1 there
        pytest.skip("Keras 3's torch backend has no steps_per_execution")
    return _run(keras3, 3)


def test_callback_trace_matches_keras3(backend, keras3_run):
    events, history, weights, pred = _run(keras, 3)
    k_events, k_history, k_weights, k_pred = keras3_run
    assert [(h, b) for h, b, _ in events] == [(h, b) for h, b, _ in k_events]
    # float32 SGD over 20 steps: agreement to a few float32 ulps of the values' size
    for (hook, batch, logs), (_, _, k_logs) in zip(events, k_events):
        assert logs.keys() == k_logs.keys(), (hook, batch)
        for k in logs:
            np.testing.assert_allclose(logs[k], k_logs[k], rtol=1e-5, atol=1e-6,
                                       err_msg=f"{hook}({batch}) {k}")
    assert history.keys() == k_history.keys()
    for k in history:
        np.testing.assert_allclose(history[k], k_history[k], rtol=1e-5)
    for w, kw in zip(weights, k_weights):
        np.testing.assert_allclose(w, kw, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(pred, k_pred, rtol=1e-5, atol=1e-6)


def test_trace_shape_for_a_partial_last_execution(backend):
    """Keras 3: begin at the execution's first step, end at first + N - 1 (so 11 for the last,
    one-step execution of 10 batches); predict's end hook gets the execution's outputs."""
    events = _run(keras, 3)[0]
    train = [(h[9:], b) for h, b, _ in events if "train" in h][:8]
    assert train == [("batch_begin", 0), ("batch_end", 2), ("batch_begin", 3),
                     ("batch_end", 5), ("batch_begin", 6), ("batch_end", 8),
                     ("batch_begin", 9), ("batch_end", 11)]
    outputs = [logs["outputs"].shape for h, _, logs in events if h == "on_predict_batch_end"]
    assert outputs == [(12, 1), (10, 1)]


def test_same_training_as_one_step_per_execution(backend):
    runs = [_run(keras, n) for n in (1, 3, 4, 11)]
    _, history, weights, pred = runs[0]
    for _, h, w, p in runs[1:]:
        assert h == history  # the same steps on the same batches: bit-identical
        for a, b in zip(w, weights):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(p, pred)


def test_one_step_per_execution_calls_every_batch(backend):
    events = _run(keras, 1)[0]
    ends = [b for h, b, _ in events if h == "on_train_batch_end"]
    assert ends == list(range(10)) * 2


def test_stop_training_takes_effect_after_the_execution(backend):
    class Stop(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.ends = []

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append(batch)
            self.model.stop_training = True

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.set_weights(W0)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", steps_per_execution=3)
    stop = Stop()
    model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[stop])
    reference = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    reference.set_weights(W0)
    reference.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    reference.fit(X[:12], Y[:12], batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert stop.ends == [2]
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("value", [0, -2, 2.5, "3", True, None])
def test_bad_steps_per_execution_raises(backend, value):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"steps_per_execution=" + repr(value).replace(".", r"\.")):
        model.compile(optimizer="sgd", loss="mse", steps_per_execution=value)
