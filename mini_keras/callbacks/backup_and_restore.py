"""BackupAndRestore: resume an interrupted ``fit`` at the epoch it reached."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np

from mini_keras.callbacks.callback import Callback
from mini_keras.utils.rng import host_rng

_WEIGHTS = "latest.weights.h5"
_STATE = "training_state.json"


class BackupAndRestore(Callback):
    """Back up the training state every epoch; a new ``fit`` restores it and continues.

    The backup holds the model weights, the optimizer's variables, the last finished epoch,
    the host random state used for shuffling and every dropout/noise seed state, so the resumed
    run follows the same loss trajectory as an uninterrupted one. The backup is deleted when
    ``fit`` completes.

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
        self._weights_path = os.path.join(self.backup_dir, _WEIGHTS)
        self._state_path = os.path.join(self.backup_dir, _STATE)

    def on_train_begin(self, logs=None):
        if not (os.path.exists(self._state_path) and os.path.exists(self._weights_path)):
            return
        with open(self._state_path) as f:
            state = json.load(f)
        self.model.load_weights(self._weights_path)
        host_rng().bit_generator.state = state["host_rng"]
        for generator, value in zip(self.model._all_seed_generators(), state["seed_states"]):
            generator.state.assign(np.asarray(value, dtype="int32"))
        self.model._initial_epoch = state["epoch"] + 1  # read by fit() after on_train_begin

    def on_epoch_end(self, epoch, logs=None):
        from mini_keras.saving.saving_lib import atomic_write
        os.makedirs(self.backup_dir, exist_ok=True)
        self.model.save_weights(self._weights_path, overwrite=True)
        state = {"epoch": epoch, "host_rng": host_rng().bit_generator.state,
                 "seed_states": [g.state.numpy().tolist()
                                 for g in self.model._all_seed_generators()]}
        text = json.dumps(state).encode()
        atomic_write(self._state_path, lambda f: f.write(text))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)
