"""Every argument of fit/evaluate/predict does what Keras 3 does, or raises: steps, validation,
class_weight, callbacks. The walker at the end proves each parameter of the three signatures
has an effect (the cases are checked against the signatures, so a new parameter needs one)."""

import inspect
import warnings

import numpy as np
import pytest

import mini_keras as keras

RNG = np.random.default_rng(1)
X = RNG.normal(size=(40, 3)).astype("float32")
Y = (X.sum(axis=1, keepdims=True) > 0).astype("float32")


def _model(lr=0.1, out=1, activation="sigmoid", loss="binary_crossentropy"):
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(out, activation=activation)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss=loss)
    return model


class Record(keras.callbacks.Callback):
    """Record every hook call as (hook, batch/epoch); predict outputs in ``outputs``."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.outputs = []

    def count(self, hook):
        return sum(1 for h, _ in self.calls if h == hook)


def _recorder(hook):
    def record(self, index=None, logs=None):
        self.calls.append((hook, index))
        if hook == "on_predict_batch_end":
            self.outputs.append(logs["outputs"])
    return record


for _hook in [n for n in vars(keras.callbacks.Callback) if n.startswith("on_")]:
    setattr(Record, _hook, _recorder(_hook))


def _iterations(model):
    return int(np.asarray(model.optimizer.iterations.numpy()))


def _cycle(batches):
    while True:
        yield from batches


def test_steps_per_epoch_counts_optimizer_steps_and_continues_the_pass(backend):
    model = _model()
    with pytest.warns(UserWarning, match="ran out of data"):  # epoch 3 gets the last 2 batches
        history = model.fit(X, Y, batch_size=4, steps_per_epoch=4, epochs=4, verbose=0)
    assert _iterations(model) == 4 + 4 + 2 + 4
    assert len(history.history["loss"]) == 4
    model = _model()
    model.fit(_cycle([(X[:8], Y[:8])]), steps_per_epoch=3, epochs=2, verbose=0)
    assert _iterations(model) == 6


def test_finite_generator_runs_to_exhaustion_then_stops(backend):
    model = _model()
    batches = [(X[i:i + 10], Y[i:i + 10]) for i in range(0, 40, 10)]
    with pytest.warns(UserWarning, match="ran out of data"):
        history = model.fit((b for b in batches), epochs=3, verbose=0)
    assert _iterations(model) == 4
    assert len(history.history["loss"]) == 1


def test_validation_from_generator_with_validation_steps(backend):
    model = _model(lr=0.0)  # weights stay put: each val_loss is a known evaluate
    val = [(X[i:i + 5], Y[i:i + 5]) for i in (0, 5, 10)]
    history = model.fit(X, Y, epochs=2, verbose=0, validation_data=_cycle(val),
                        validation_steps=2)
    # epoch 1 validates on batches 0, 1; epoch 2 continues the generator: batches 2, 0
    expected = [model.evaluate(X[0:10], Y[0:10], verbose=0),
                model.evaluate(np.concatenate([X[10:15], X[0:5]]),
                               np.concatenate([Y[10:15], Y[0:5]]), verbose=0)]
    np.testing.assert_allclose(history.history["val_loss"], expected, rtol=1e-5)
    assert expected[0] != pytest.approx(expected[1])


def test_validation_freq_int_and_list(backend):
    model = _model()
    seen = {}
    for freq in (2, [1, 3]):
        record = Record()
        model.fit(X, Y, epochs=3, verbose=0, validation_data=(X[:8], Y[:8]),
                  validation_freq=freq, callbacks=[record])
        seen[str(freq)] = [e for h, e in record.calls if h == "on_test_begin"]
        epochs_with_val = [e for h, e in record.calls if h == "on_epoch_end"]
        assert len(epochs_with_val) == 3
    assert record.count("on_test_begin") == 2
    with pytest.raises(ValueError, match="validation_freq"):
        model.fit(X, Y, epochs=1, verbose=0, validation_data=(X, Y), validation_freq=0)


def test_validation_batch_size_defaults_to_batch_size(backend):
    model = _model()
    for kwargs, batches in (({"batch_size": 6}, 2), ({"validation_batch_size": 4}, 3)):
        record = Record()
        model.fit(X, Y, epochs=1, verbose=0, validation_data=(X[:12], Y[:12]),
                  callbacks=[record], **kwargs)
        assert record.count("on_test_batch_begin") == batches, kwargs


def test_class_weight_equals_the_equivalent_sample_weight(backend):
    weights = {0: 0.5, 1: 3.0}
    sample_weight = np.where(Y[:, 0] == 1, 3.0, 0.5).astype("float32")
    runs = {}
    for name, kwargs in {
        "none": {},
        "class_weight": {"class_weight": weights},
        "class_weight list": {"class_weight": [0.5, 3.0]},
        "sample_weight": {"sample_weight": sample_weight},
    }.items():
        model = _model()
        history = model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0, **kwargs)
        runs[name] = np.array(history.history["loss"])
    model = _model()
    gen = ((X[i:i + 8], Y[i:i + 8]) for _ in range(2) for i in range(0, 40, 8))
    runs["generator"] = np.array(model.fit(gen, steps_per_epoch=5, epochs=2, verbose=0,
                                           class_weight=weights).history["loss"])
    for name in ("class_weight", "class_weight list", "generator"):
        np.testing.assert_allclose(runs[name], runs["sample_weight"], rtol=1e-5, err_msg=name)
    assert not np.allclose(runs["class_weight"], runs["none"], rtol=1e-3)


def test_class_weight_with_one_hot_targets_and_errors(backend):
    y = keras.utils.to_categorical(Y[:, 0].astype(int), 2)
    runs = []
    for kwargs in ({"class_weight": {1: 2.0}},
                   {"sample_weight": np.where(Y[:, 0] == 1, 2.0, 1.0)}):
        model = _model(out=2, activation="softmax", loss="categorical_crossentropy")
        runs.append(model.fit(X, y, batch_size=8, epochs=1, shuffle=False, verbose=0,
                              **kwargs).history["loss"])
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-5)
    model = _model()
    with pytest.raises(ValueError, match="class_weight.*sample_weight"):
        model.fit(X, Y, class_weight={0: 1.0}, sample_weight=np.ones(40), verbose=0)
    with pytest.raises(ValueError, match="class indices"):
        model.fit(X, Y, class_weight={"a": 1.0}, verbose=0)
    with pytest.raises(ValueError, match="sample_weight.*class_weight"):
        model.train_on_batch(X, Y, sample_weight=np.ones(40), class_weight={0: 2.0})
    before = model.get_weights()
    model.train_on_batch(X, Y, class_weight={0: 2.0})
    weighted = model.get_weights()
    model.set_weights(before)
    model.train_on_batch(X, Y, sample_weight=np.where(Y[:, 0] == 0, 2.0, 1.0))
    for a, b in zip(weighted, model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5)


def test_evaluate_and_predict_steps_and_predict_callbacks(backend):
    model = _model()
    loss = model.evaluate(X, Y, batch_size=10, steps=2, verbose=0)
    np.testing.assert_allclose(loss, model.evaluate(X[:20], Y[:20], verbose=0), rtol=1e-5)
    record = Record()
    pred = model.predict(X, batch_size=10, steps=3, callbacks=[record], verbose=0)
    assert pred.shape == (30, 1)
    np.testing.assert_allclose(pred, model.predict(X, verbose=0)[:30], rtol=1e-5)
    assert [h for h, _ in record.calls] == (["on_predict_begin"]
                                            + ["on_predict_batch_begin", "on_predict_batch_end"] * 3
                                            + ["on_predict_end"])
    np.testing.assert_array_equal(np.concatenate(record.outputs), pred)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_batch_size_must_be_positive(backend, method, ):
    model = _model()
    args = (X,) if method == "predict" else (X, Y)
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match=r"batch_size=\.\.\.\): expected a positive int"):
            getattr(model, method)(*args, batch_size=bad, verbose=0)


def test_arguments_a_source_provides_itself_are_refused(backend):
    model = _model()
    gen = _cycle([(X[:4], Y[:4])])
    with pytest.raises(ValueError, match="batch_size.*must not be passed"):
        model.fit(gen, batch_size=4, steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="`y` must not be passed"):
        model.fit(gen, Y, steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="validation_split.*only supported for arrays"):
        model.fit(gen, steps_per_epoch=1, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="validation_steps.*without validation data"):
        model.fit(X, Y, validation_steps=2, verbose=0)
    with pytest.raises(TypeError, match="unexpected keyword arguments"):
        model.evaluate(X, Y, verbose=0, bogus=1)


# ---------------------------------------------------------------------- the signature walker
def _differs(a, b):
    return not np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float))


def _fit_effect(name, capsys):
    """Fit once with the default and once with another value of ``name``; True if the result
    (losses, weights, callbacks) changes, or the other value raises a clear error."""
    base = {"x": X, "y": Y, "batch_size": 8, "epochs": 2, "verbose": 0, "shuffle": False}
    changes = {
        "x": {"x": X[::-1].copy()},
        "y": {"y": 1 - Y},
        "batch_size": {"batch_size": 20},
        "epochs": {"epochs": 3},
        "verbose": {"verbose": 2},
        "callbacks": {"callbacks": [keras.callbacks.LambdaCallback(
            on_epoch_end=lambda e, logs: base.setdefault("called", True))]},
        "validation_split": {"validation_split": 0.25},
        "validation_data": {"validation_data": (X, Y)},
        "shuffle": {"shuffle": True},
        "class_weight": {"class_weight": {1: 5.0}},
        "sample_weight": {"sample_weight": np.linspace(0.1, 2, 40)},
        "initial_epoch": {"initial_epoch": 1},
        "steps_per_epoch": {"steps_per_epoch": 2},
        "validation_steps": {"validation_data": (X, Y), "validation_steps": 1},
        "validation_batch_size": {"validation_data": (X, Y), "validation_batch_size": 7},
        "validation_freq": {"validation_data": (X, Y), "validation_freq": 2},
    }[name]

    def run(**overrides):
        model = _model()
        record = Record()
        kwargs = {**base, **overrides}
        kwargs.pop("called", None)
        kwargs["callbacks"] = kwargs.get("callbacks", []) + [record]
        history = model.fit(**kwargs)
        return history.history, model.get_weights(), record.calls

    with_validation = name in ("validation_steps", "validation_batch_size", "validation_freq")
    reference = run(**({"validation_data": (X, Y)} if with_validation else {}))
    capsys.readouterr()
    changed = run(**changes)
    if name == "callbacks":
        return base.get("called", False)
    if name == "verbose":
        return "Epoch 2/2" in capsys.readouterr().out
    return (reference[0].keys() != changed[0].keys() or reference[2] != changed[2]
            or any(_differs(a, b) for a, b in zip(reference[1], changed[1]))
            or any(len(reference[0][k]) != len(changed[0][k])
                   or _differs(reference[0][k], changed[0][k]) for k in reference[0]))


def test_every_fit_parameter_has_an_effect(capsys):
    """The data path is the same on every backend (the tests above run it on each); this walk of
    32 fits runs on the default backend to stay fast."""
    names = [p for p in inspect.signature(keras.Model.fit).parameters if p != "self"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in names:
            assert _fit_effect(name, capsys), name


def test_every_evaluate_and_predict_parameter_has_an_effect(backend, capsys):
    model = _model()
    ev = {"x": X, "y": Y, "batch_size": 8, "verbose": 0}
    ref = model.evaluate(**ev)
    checks = {
        "x": lambda: _differs(model.evaluate(**{**ev, "x": -X}), ref),
        "y": lambda: _differs(model.evaluate(**{**ev, "y": 1 - Y}), ref),
        "batch_size": lambda: _raises(lambda: model.evaluate(**{**ev, "batch_size": 0})),
        "verbose": lambda: (model.evaluate(**{**ev, "verbose": 1}),
                            "loss" in capsys.readouterr().out)[1],
        "sample_weight": lambda: _differs(model.evaluate(**ev, sample_weight=np.arange(40.)), ref),
        "steps": lambda: _differs(model.evaluate(**ev, steps=1), ref),
        "callbacks": lambda: _called(lambda r: model.evaluate(**ev, callbacks=[r]),
                                     "on_test_batch_end", 5),
        "return_dict": lambda: model.evaluate(**ev, return_dict=True) == {"loss": ref},
        "kwargs": lambda: _raises(lambda: model.evaluate(**ev, unknown=1), TypeError),
    }
    names = [p for p in inspect.signature(keras.Model.evaluate).parameters if p != "self"]
    assert sorted(checks) == sorted(names)
    for name in names:
        assert checks[name](), name
    pr = {"x": X, "batch_size": 8, "verbose": 0}
    ref = model.predict(**pr)
    checks = {
        "x": lambda: _differs(model.predict(**{**pr, "x": -X}), ref),
        "batch_size": lambda: _raises(lambda: model.predict(**{**pr, "batch_size": -2})),
        "verbose": lambda: (model.predict(**{**pr, "verbose": 1}),
                            "5/5" in capsys.readouterr().out)[1],
        "steps": lambda: model.predict(**pr, steps=2).shape == (16, 1),
        "callbacks": lambda: _called(lambda r: model.predict(**pr, callbacks=[r]),
                                     "on_predict_batch_end", 5),
    }
    names = [p for p in inspect.signature(keras.Model.predict).parameters if p != "self"]
    assert sorted(checks) == sorted(names)
    for name in names:
        assert checks[name](), name


def _raises(fn, error=ValueError):
    try:
        fn()
    except error:
        return True
    return False


def _called(run, hook, times):
    record = Record()
    run(record)
    return record.count(hook) == times
