"""BackupAndRestore: resume an interrupted ``fit`` at the epoch it reached."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile

import numpy as np

from mini_keras.callbacks.callback import Callback
from mini_keras.utils.rng import host_rng

_WEIGHTS = "latest.weights.h5"
_STATE = "training_state.json"
_BACKUP = re.compile(r"^epoch-(\d+)$")


class BackupAndRestore(Callback):
    """Back up the training state every epoch; a new ``fit`` restores it and continues.

    The backup holds the model weights, the optimizer's variables, the last finished epoch,
    the host random state used for shuffling and every dropout/noise seed state, so the resumed
    run follows the same loss trajectory as an uninterrupted one. The backup is deleted when
    ``fit`` completes.

    Each backup is one atomic unit: the weights and the state are written into a new hidden
    folder inside ``backup_dir``, which is then renamed to ``epoch-<N>``; older backups are
    deleted only after that rename. A process killed at any moment leaves either the previous
    complete backup or the new one, never new weights with an old state.

    Args:
        backup_dir: folder for the backup (created if needed).
        save_freq: only ``"epoch"`` is supported.
        delete_checkpoint: delete the backup when training ends normally.
    """

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir must be a non-empty path.")
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: only save_freq='epoch' is supported, received "
                             f"{save_freq!r}")
        self.backup_dir, self.delete_checkpoint = os.fspath(backup_dir), delete_checkpoint

    def latest_backup(self) -> str | None:
        """The folder of the newest complete backup, or None."""
        if not os.path.isdir(self.backup_dir):
            return None
        epochs = [(int(m.group(1)), name) for name in os.listdir(self.backup_dir)
                  if (m := _BACKUP.match(name))]
        return os.path.join(self.backup_dir, max(epochs)[1]) if epochs else None

    def on_train_begin(self, logs=None):
        folder = self.latest_backup()
        if folder is None:
            return
        with open(os.path.join(folder, _STATE)) as f:
            state = json.load(f)
        self.model.load_weights(os.path.join(folder, _WEIGHTS))
        host_rng().bit_generator.state = state["host_rng"]
        for generator, value in zip(self.model._all_seed_generators(), state["seed_states"]):
            generator.state.assign(np.asarray(value, dtype="int32"))
        self.model._initial_epoch = state["epoch"] + 1  # read by fit() after on_train_begin

    def on_epoch_end(self, epoch, logs=None):
        os.makedirs(self.backup_dir, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=".tmp-epoch-", dir=self.backup_dir)
        try:
            self.model.save_weights(os.path.join(staging, _WEIGHTS), overwrite=True)
            state = {"epoch": epoch, "host_rng": host_rng().bit_generator.state,
                     "seed_states": [g.state.numpy().tolist()
                                     for g in self.model._all_seed_generators()]}
            with open(os.path.join(staging, _STATE), "w") as f:
                json.dump(state, f)
                f.flush()
                os.fsync(f.fileno())
            target = os.path.join(self.backup_dir, f"epoch-{epoch:06d}")
            if os.path.exists(target):  # an earlier run's backup of this epoch
                shutil.rmtree(target)
            os.rename(staging, target)  # the commit point
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_dir(self.backup_dir)
        for name in os.listdir(self.backup_dir):  # older backups and crashed stagings
            path = os.path.join(self.backup_dir, name)
            if path != target and (_BACKUP.match(name) or name.startswith(".tmp-epoch-")):
                shutil.rmtree(path, ignore_errors=True)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)


def _fsync_dir(folder: str) -> None:
    """Make a rename inside ``folder`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
