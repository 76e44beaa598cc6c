"""Argument validation: bad counts raise with the argument's name; no argument is ignored.

``fit(class_weight, steps_per_epoch, validation_steps)``, ``evaluate(steps)`` and
``predict(steps, callbacks)`` were once accepted and ignored; each is checked here against an
independent computation of what it must do.
"""

import numpy as np
import pytest

import mini_keras as keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 3)).astype("float32")
Y = RNG.normal(size=(8, 2)).astype("float32")
LABELS = np.array([0, 1, 1, 0, 1, 0, 0, 1])


def _model(loss="mse", units=2):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    return model


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_batch_size_must_be_a_positive_int(backend, bad):
    model = _model()
    for method, call in (("fit", lambda: model.fit(X, Y, batch_size=bad, verbose=0)),
                         ("evaluate", lambda: model.evaluate(X, Y, batch_size=bad, verbose=0)),
                         ("predict", lambda: model.predict(X, batch_size=bad, verbose=0))):
        with pytest.raises(ValueError, match=rf"{method}\(batch_size=\.\.\.\): expected a "
                                             rf"positive int or None, received {bad!r}"):
            call()


@pytest.mark.parametrize("name,value", [("epochs", -1), ("epochs", 2.5),
                                        ("initial_epoch", -1), ("verbose", 7)])
def test_fit_counters_are_checked(backend, name, value):
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match=rf"fit\({name}=\.\.\.\).*received {value!r}"):
        model.fit(X, Y, **{"verbose": 0, name: value})
    for a, b in zip(model.get_weights(), before):  # nothing ran
        np.testing.assert_array_equal(a, b)


def test_steps_arguments_are_honoured(backend):
    model = _model()
    model.fit(X, Y, batch_size=2, steps_per_epoch=3, epochs=1, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 3  # not the 4 batches of one pass
    assert model.predict(X, batch_size=2, steps=1, verbose=0).shape == (2, 2)
    first = model.evaluate(X[:2], Y[:2], verbose=0)
    np.testing.assert_allclose(model.evaluate(X, Y, batch_size=2, steps=1, verbose=0), first,
                               rtol=1e-6)
    history = model.fit(X, Y, batch_size=2, validation_data=(X, Y), validation_steps=1,
                        validation_batch_size=2, epochs=1, verbose=0)
    after = model.evaluate(X[:2], Y[:2], verbose=0)  # validation ran on the first batch only
    np.testing.assert_allclose(history.history["val_loss"][0], after, rtol=1e-6)


def test_predict_callbacks_are_called(backend):
    seen = []
    log = keras.callbacks.LambdaCallback(on_predict_batch_end=lambda b, logs: seen.append(b))
    _model().predict(X, batch_size=3, callbacks=[log], verbose=0)
    assert seen == [0, 1, 2]


def test_class_weight_equals_the_sample_weight_it_implies(backend):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    weighted, reference = _model(loss, 2), _model(loss, 2)
    weights = {0: 1.0, 1: 3.0}
    history = weighted.fit(X, LABELS, class_weight=weights, batch_size=8, epochs=2, verbose=0,
                           shuffle=False)
    expected = reference.fit(X, LABELS, sample_weight=np.where(LABELS == 1, 3.0, 1.0),
                             batch_size=8, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-6)
    for a, b in zip(weighted.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_save_refuses_arguments_it_cannot_honour(backend, tmp_path):
    model = _model()
    with pytest.raises(NotImplementedError, match=r"zipped=False"):
        model.save(tmp_path / "m.keras", zipped=False)
    with pytest.raises(TypeError, match=r"\['save_format'\]"):
        keras.models.save_model(model, tmp_path / "m.keras", save_format="h5")
    assert not (tmp_path / "m.keras").exists()
    model.save(tmp_path / "m.keras", zipped=True)
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
