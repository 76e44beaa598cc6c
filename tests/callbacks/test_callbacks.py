"""Callbacks: each one's behaviour on every backend, against hand-computed expectations."""

import csv
import math
import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import callbacks

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")


def _model(lr=0.05, dropout=False):
    keras.utils.set_random_seed(7)
    layers = [keras.Input((3,)), keras.layers.Dense(4, activation="tanh")]
    layers += [keras.layers.Dropout(0.3)] if dropout else []
    model = keras.Sequential(layers + [keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse", metrics=["mae"])
    return model


class _Scripted(callbacks.Callback):
    """Overwrite the monitored value with a fixed script, so stopping epochs are exact."""

    def __init__(self, values, key="val_loss"):
        super().__init__()
        self.values, self.key = values, key

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


def test_early_stopping_stops_and_restores_best(backend):
    model = _model()
    script = [1.0, 0.5, 0.6, 0.55, 0.7, 0.2, 0.1]  # best at epoch 1, patience 3 -> stop at 4
    seen = {}
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.__setitem__(epoch, model.get_weights()))
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    history = model.fit(X, Y, epochs=7, batch_size=8, verbose=0,
                        callbacks=[_Scripted(script), record, stop])
    assert len(history.history["loss"]) == 5 and stop.stopped_epoch == 4
    assert stop.best == 0.5 and stop.best_epoch == 1
    for a, b in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(a, b)
    # min_delta: 0.5 -> 0.45 is not an improvement of more than 0.1
    stop = callbacks.EarlyStopping(monitor="val_loss", patience=1, min_delta=0.1)
    history = model.fit(X, Y, epochs=5, verbose=0,
                        callbacks=[_Scripted([0.5, 0.45, 0.44, 0.1, 0.0]), stop])
    assert len(history.history["loss"]) == 2
    # start_from_epoch and mode="max"
    stop = callbacks.EarlyStopping(monitor="acc", mode="max", patience=1, start_from_epoch=2)
    history = model.fit(X, Y, epochs=6, verbose=0,
                        callbacks=[_Scripted([0.1, 0.0, 0.5, 0.4, 0.3, 0.9], "acc"), stop])
    assert len(history.history["loss"]) == 4


def test_model_checkpoint_files(backend, tmp_path):
    model = _model()
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.keras")
    cb = callbacks.ModelCheckpoint(pattern)
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[_Scripted([0.5, 0.25]), cb])
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01-0.50.keras", "ckpt-02-0.25.keras"]
    loaded = keras.models.load_model(tmp_path / "ckpt-02-0.25.keras")
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0),
                               atol=1e-6)
    best = tmp_path / "best" / "w.weights.h5"
    saved_at = []
    cb = callbacks.ModelCheckpoint(str(best), save_best_only=True, save_weights_only=True)
    spy = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: saved_at.append(
        os.path.getmtime(best) if best.exists() else None))
    weights = {}
    keep = callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: weights.__setitem__(e, model.get_weights()))
    model.fit(X, Y, epochs=4, verbose=0,
              callbacks=[_Scripted([0.9, 0.3, 0.4, 0.35]), keep, cb, spy])
    assert cb.best == 0.3
    fresh = _model()
    fresh.load_weights(best)
    for a, b in zip(fresh.get_weights(), weights[1]):  # the best epoch's weights
        np.testing.assert_allclose(a, b, atol=1e-7)
    with pytest.raises(ValueError, match="weights.h5"):
        callbacks.ModelCheckpoint(str(tmp_path / "x.keras"), save_weights_only=True)


def test_csv_logger(backend, tmp_path):
    path = tmp_path / "log.csv"
    history = _model().fit(X, Y, epochs=3, verbose=0, validation_data=(X, Y),
                           callbacks=[callbacks.CSVLogger(str(path))])
    rows = list(csv.DictReader(path.read_text().splitlines()))
    assert list(rows[0]) == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    np.testing.assert_allclose([float(r["loss"]) for r in rows], history.history["loss"],
                               rtol=1e-6)
    _model().fit(X, Y, epochs=1, verbose=0, callbacks=[callbacks.CSVLogger(str(path),
                                                                           append=True)])
    lines = path.read_text().strip().splitlines()
    assert len(lines) == 5 and lines[4].startswith("0,")  # appended, no second header


def test_learning_rate_scheduler(backend):
    model = _model(lr=0.1)
    seen = []
    sched = callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 * 0.5 ** epoch)
    probe = callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(
        float(np.asarray(model.optimizer.learning_rate))))
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[sched, probe])
    np.testing.assert_allclose(seen, [0.1, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)
    # a zero learning rate really reaches the compiled step: the weights stop moving
    before = model.get_weights()
    model.fit(X, Y, epochs=1, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda epoch: 0.0)])
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_reduce_lr_on_plateau(backend):
    model = _model(lr=0.1)
    cb = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, cooldown=1,
                                     min_lr=0.02, min_delta=0.0)
    # improvements at 0,1; stalls at 2,3 -> reduce after epoch 3 (cooldown 1). As in Keras the
    # cooldown epoch (4) also counts as a stall, so the next reduction follows epoch 5, and the
    # one after epoch 7 hits the floor min_lr=0.02. Logged values are the rate used that epoch.
    script = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95]
    history = model.fit(X, Y, epochs=8, verbose=0, callbacks=[_Scripted(script), cb])
    np.testing.assert_allclose(history.history["learning_rate"],
                               [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rtol=1e-6)
    assert math.isclose(float(np.asarray(model.optimizer.learning_rate)), 0.02, rel_tol=1e-6)


def test_terminate_on_nan(backend):
    model = _model(lr=1e6)  # diverges to inf/NaN within a few steps
    x = X * 100
    history = model.fit(x, Y * 100, epochs=50, batch_size=2, verbose=0,
                        callbacks=[callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) < 50
    assert not math.isfinite(history.history["loss"][-1])


def test_backup_and_restore_resumes_same_trajectory(backend, tmp_path):
    full = _model(dropout=True).fit(X, Y, epochs=4, batch_size=4, verbose=0).history["loss"]

    class Crash(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    backup = str(tmp_path / "backup")
    model = _model(dropout=True)
    losses = callbacks.LambdaCallback(on_epoch_end=lambda e, logs: first.append(logs["loss"]))
    first = []
    with pytest.raises(RuntimeError, match="interrupted"):
        model.fit(X, Y, epochs=4, batch_size=4, verbose=0,
                  callbacks=[callbacks.BackupAndRestore(backup), losses, Crash()])
    assert os.listdir(backup) == ["epoch-000001"]  # one complete backup, of the last epoch
    assert sorted(os.listdir(os.path.join(backup, "epoch-000001"))) == [
        "latest.weights.h5", "training_state.json"]
    keras.utils.set_random_seed(123)  # a different process state; the backup must win
    resumed = _model(dropout=True)
    keras.utils.set_random_seed(999)
    history = resumed.fit(X, Y, epochs=4, batch_size=4, verbose=0,
                          callbacks=[callbacks.BackupAndRestore(backup)])
    assert history.epoch == [2, 3]
    np.testing.assert_allclose(first + history.history["loss"], full, rtol=1e-5, atol=1e-6)
    assert not os.path.exists(backup)  # deleted after a completed fit


def test_tensorboard_event_files(backend, tmp_path):
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator")
    log_dir = tmp_path / "logs"
    model = _model()
    history = model.fit(X, Y, epochs=3, verbose=0, validation_data=(X, Y),
                        callbacks=[callbacks.TensorBoard(str(log_dir), histogram_freq=1)])
    train = accumulator.EventAccumulator(str(log_dir / "train"), size_guidance={"scalars": 0})
    train.Reload()
    assert {"epoch_loss", "epoch_mae", "epoch_learning_rate"} <= set(train.Tags()["scalars"])
    np.testing.assert_allclose([e.value for e in train.Scalars("epoch_loss")],
                               history.history["loss"], rtol=1e-6)
    assert [e.step for e in train.Scalars("epoch_loss")] == [0, 1, 2]
    kernel_tag = f"{model.layers[0].kernel.path}/histogram"
    assert kernel_tag in train.Tags()["histograms"]
    assert train.Histograms(kernel_tag)[0].histogram_value.num == 12
    val = accumulator.EventAccumulator(str(log_dir / "validation"))
    val.Reload()
    np.testing.assert_allclose([e.value for e in val.Scalars("epoch_loss")],
                               history.history["val_loss"], rtol=1e-6)


def test_plot_history(tmp_path):
    history = _model().fit(X, Y, epochs=2, verbose=0, validation_data=(X, Y))
    path = keras.utils.plot_history(history, str(tmp_path / "curves.png"))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
