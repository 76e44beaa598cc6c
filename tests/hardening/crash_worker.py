"""A training/saving process for the crash-consistency tests, killed with SIGKILL on purpose.

    python tests/hardening/crash_worker.py fit BACKEND BACKUP_DIR OUT.npz KILL_POINT KILL_EPOCH
    python tests/hardening/crash_worker.py save BACKEND PATH COUNT

``fit`` trains a small dropout model for 4 shuffled epochs with ``BackupAndRestore`` and writes
the final weights and the per-epoch losses to OUT.npz. KILL_POINT (``none``,
``before_commit``: the backup's weights are written but not yet renamed into place,
``after_commit``: renamed, older backups not yet deleted) makes the process SIGKILL itself
during the backup of epoch KILL_EPOCH. ``save`` saves a model COUNT times in a row with
growing weights (the kills come from the parent at random times).
"""

import os
import signal
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

import mini_keras as keras
from mini_keras import callbacks, config
from mini_keras.callbacks import backup_and_restore

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 3)).astype("float32")
Y = RNG.normal(size=(16, 2)).astype("float32")


def _model():
    keras.utils.set_random_seed(42)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.3), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


def _kill_during_backup(point: str, epoch: int) -> None:
    rename = os.rename
    rmtree = backup_and_restore.shutil.rmtree
    state = {"epoch": None}

    class Watch(callbacks.Callback):
        def on_epoch_end(self, e, logs=None):
            state["epoch"] = e

    def killing_rename(src, dst):
        if point == "before_commit" and state["epoch"] == epoch:
            os.kill(os.getpid(), signal.SIGKILL)
        rename(src, dst)

    def killing_rmtree(path, *args, **kwargs):
        if point == "after_commit" and state["epoch"] == epoch:
            os.kill(os.getpid(), signal.SIGKILL)
        rmtree(path, *args, **kwargs)

    backup_and_restore.os.rename = killing_rename
    backup_and_restore.shutil.rmtree = killing_rmtree
    return Watch()


def fit(backend, backup_dir, out, point, epoch):
    config.set_backend(backend)
    model = _model()
    cbs = [] if point == "none" else [_kill_during_backup(point, int(epoch))]
    losses = []
    cbs = cbs + [callbacks.BackupAndRestore(backup_dir),
                 callbacks.LambdaCallback(on_epoch_end=lambda e, logs: losses.append(
                     (e, logs["loss"])))]
    if os.path.isdir(backup_dir) and any(n.startswith("epoch-") for n in os.listdir(backup_dir)):
        # resuming from a complete backup: its RNG state must win over this process's
        keras.utils.set_random_seed(int.from_bytes(os.urandom(2), "little"))
    model.fit(X, Y, epochs=4, batch_size=4, verbose=0, callbacks=cbs)
    np.savez(out, *[w for w in model.get_weights()], losses=np.array(losses))


def save(backend, path, count):
    config.set_backend(backend)
    model = _model()
    for i in range(int(count)):
        model.layers[0].kernel.assign(np.full((3, 8), float(i), "float32"))
        model.save(path)
        print(i, flush=True)


if __name__ == "__main__":
    {"fit": fit, "save": save}[sys.argv[1]](*sys.argv[2:])
