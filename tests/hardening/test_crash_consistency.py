"""Crash consistency: SIGKILL at the worst moments leaves loadable files and exact resumes.

The processes are real (``crash_worker.py``) and kill themselves with SIGKILL, so nothing of
Python's cleanup runs, as with an out-of-memory kill or a preempted machine.
"""

import errno
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.saving import saving_lib

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "crash_worker.py")
sys.path.insert(0, HERE)  # crash_worker's model, for the in-process test
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
       "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}


def _worker(*args, expect_kill=False):
    result = subprocess.run([sys.executable, WORKER, *map(str, args)], env=ENV,
                            capture_output=True, text=True, timeout=300, check=False)
    if expect_kill:
        assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    else:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def _load(path):
    with np.load(path) as data:
        weights = [data[f"arr_{i}"] for i in range(len(data.files) - 1)]
        return weights, data["losses"]


# Every point on numpy; the kill before the commit (the case that used to lose the backup) on
# every other backend, in real processes of that backend.
_KILLS = [("numpy", "before_commit", 2), ("numpy", "after_commit", 2), ("numpy", "before_commit", 0),
          *((name, "before_commit", 2) for name in ("torch", "jax", "tensorflow", "mlx"))]


@pytest.mark.parametrize("name,point,epoch", _KILLS)
def test_backup_and_restore_after_sigkill_resumes_the_same_trajectory(name, point, epoch,
                                                                      tmp_path):
    """Real SIGKILLs: a killed fit, then a resumed one, equal an uninterrupted fit exactly."""
    from mini_keras import backends
    if name not in backends.available():
        pytest.skip(f"backend {name!r} is not installed")
    _worker("fit", name, tmp_path / "full_backup", tmp_path / "full.npz", "none", 0)
    backup = tmp_path / "backup"
    _worker("fit", name, backup, tmp_path / "killed.npz", point, epoch, expect_kill=True)
    complete = sorted(n for n in os.listdir(backup) if n.startswith("epoch-"))
    last_complete = epoch if point == "after_commit" else epoch - 1
    assert complete[-1:] == ([f"epoch-{last_complete:06d}"] if last_complete >= 0 else [])
    _worker("fit", name, backup, tmp_path / "resumed.npz", "none", 0)
    full_weights, full_losses = _load(tmp_path / "full.npz")
    weights, losses = _load(tmp_path / "resumed.npz")
    assert [int(e) for e, _ in losses] == list(range(last_complete + 1, 4))
    # the same process kind and the same restored state: the very same numbers
    np.testing.assert_array_equal(losses[:, 1], full_losses[last_complete + 1:, 1])
    for a, b in zip(weights, full_weights):
        np.testing.assert_array_equal(a, b)
    assert not backup.exists()  # deleted after the completed fit


def test_backup_interrupted_at_its_commit_point_resumes_exactly(backend, tmp_path,
                                                                monkeypatch):
    """A crash inside the backup of epoch 2, just before it commits: the epoch-1 backup stays
    whole and the resumed run continues the uninterrupted trajectory."""
    import crash_worker

    from mini_keras.callbacks import backup_and_restore

    def run(backup, extra=()):
        model = crash_worker._model()
        losses = []
        log = keras.callbacks.LambdaCallback(
            on_epoch_end=lambda e, logs: losses.append(logs["loss"]))
        model.fit(crash_worker.X, crash_worker.Y, epochs=4, batch_size=4, verbose=0,
                  callbacks=[*extra, keras.callbacks.BackupAndRestore(str(backup)), log])
        return model.get_weights(), losses

    full_weights, full_losses = run(tmp_path / "full")
    calls = []

    def crash_on_third_commit(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed while committing the backup of epoch 2")
        os.replace(src, dst)

    monkeypatch.setattr(backup_and_restore.os, "rename", crash_on_third_commit)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "backup")
    monkeypatch.undo()
    assert os.listdir(tmp_path / "backup") == ["epoch-000001"]
    keras.utils.set_random_seed(7)  # a different process state: the backup must win
    weights, losses = run(tmp_path / "backup")
    np.testing.assert_array_equal(losses, full_losses[2:])
    for a, b in zip(weights, full_weights):
        np.testing.assert_array_equal(a, b)


def test_model_save_under_random_sigkills_is_always_loadable(tmp_path):
    """Kill a process that saves in a loop at random moments: the file on disk is always a
    complete save (of some iteration), never a torn one, and no temp file is left loadable."""
    path = tmp_path / "model.keras"
    rng = np.random.default_rng(3)
    seen = set()
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, WORKER, "save", "numpy", str(path), "10000"],
                                env=ENV, stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # one save done: the file exists
        time.sleep(float(rng.uniform(0.0, 0.3)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        model = keras.models.load_model(path)
        kernel = model.layers[0].kernel.numpy()
        assert np.all(kernel == kernel[0, 0])  # one iteration's weights, not a mix
        seen.add(float(kernel[0, 0]))
        leftovers = [n for n in os.listdir(tmp_path) if n != "model.keras"]
        assert all(n.startswith(".tmp-") for n in leftovers), leftovers
    assert len(seen) >= 2  # the kills landed at different iterations


@pytest.mark.parametrize("checkpoint_kind", ["model", "weights"])
def test_model_checkpoint_keeps_the_previous_file_when_a_save_fails(backend, tmp_path,
                                                                     monkeypatch,
                                                                     checkpoint_kind):
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    name = "ckpt.keras" if checkpoint_kind == "model" else "ckpt.weights.h5"
    path = tmp_path / name
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(path), save_weights_only=checkpoint_kind == "weights", monitor="loss")
    model.fit(x, x[:, :2], epochs=1, verbose=0, callbacks=[checkpoint])
    before = path.read_bytes()
    calls = []

    def full_disk(model, h5):
        calls.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(saving_lib, "write_weights", full_disk)
    with pytest.raises(OSError) as info:
        model.fit(x, x[:, :2], epochs=1, verbose=0, callbacks=[checkpoint])
    message = str(info.value)
    assert info.value.errno == errno.ENOSPC and calls
    assert name in message and "no space left" in message
    assert "previous file is unchanged" in message and "Free some space" in message
    assert path.read_bytes() == before and os.listdir(tmp_path) == [name]


def test_full_disk_on_a_first_save_says_so(backend, tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])

    def full_disk(model, h5):
        raise OSError(errno.EDQUOT, "Disk quota exceeded")

    monkeypatch.setattr(saving_lib, "write_weights", full_disk)
    with pytest.raises(OSError, match=r"new.weights.h5.*no space left.*quota") as info:
        model.save_weights(tmp_path / "new.weights.h5")
    assert "unchanged" not in str(info.value) and os.listdir(tmp_path) == []
