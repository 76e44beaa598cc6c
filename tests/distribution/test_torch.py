"""PyTorch DataParallel: 2 gloo processes on 127.0.0.1 train exactly like one process.

The multi-process part runs in subprocesses (a process group must be set up before any model
is built); each worker prints nothing and writes its results as JSON, which the test compares
with a single-process run of the same script on the same data.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from mini_keras import backends

pytestmark = pytest.mark.skipif("torch" not in backends.available(),
                                reason="torch is not installed")

REPO = Path(__file__).resolve().parents[2]

# world == 1: plain single-process training (the reference); world > 1: DataParallel.
WORKER = textwrap.dedent("""
    import json, sys
    import numpy as np
    import mini_keras as keras
    from mini_keras import distribution
    from mini_keras.backends.torch import distribution_lib

    rank, world, port, out_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    if world > 1:
        distribution.initialize(f"127.0.0.1:{port}", world, rank)
        dist = distribution.DataParallel()
        scope = dist.scope
    else:
        import contextlib
        dist, scope = None, contextlib.nullcontext

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = rng.integers(0, 3, size=64).astype("int32")
    x_pred = rng.normal(size=(29, 8)).astype("float32")  # last batch of 13: padded to 14

    results = {"devices": distribution.list_devices(),
               "process": [distribution_lib.process_id(), distribution_lib.num_processes()]}
    for optimizer in ("sgd", "adam"):
        keras.utils.set_random_seed(1)
        with scope():
            model = keras.Sequential([keras.Input((8,)),
                                      keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(3, activation="softmax")])
            opt = keras.optimizers.SGD(0.1) if optimizer == "sgd" else keras.optimizers.Adam(0.01)
            model.compile(optimizer=opt, loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
            evaluation = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
            prediction = model.predict(x_pred, batch_size=16, verbose=0)
        results[optimizer] = {
            "history": history.history, "evaluate": evaluation,
            "predict": prediction.tolist(),
            "weights": [w.tolist() for w in model.get_weights()],
            "optimizer_iterations": int(model.optimizer.iterations.numpy()),
            "ddp": world > 1 and type(model._train_fn.grad_engine.ddp).__name__}

    class Probe(keras.layers.Layer):
        # A weight the loss never uses, and a batch statistic averaged over the replicas.
        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 3))
            self.unused = self.add_weight(shape=(2,), initializer="ones")
            self.batch_mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                              trainable=False)
            self.batch_mean.aggregation = "mean"

        def call(self, x, training=False):
            if training:
                self.batch_mean.assign(keras.ops.mean(x, axis=0))
            return keras.ops.softmax(keras.ops.matmul(x, self.kernel))

    if world > 1:
        keras.utils.set_random_seed(2)
        with dist.scope():
            probe = keras.Sequential([keras.Input((8,)), Probe()])
            probe.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
            probe_history = probe.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        results["probe"] = {"history": probe_history.history,
                            "weights": [w.tolist() for w in probe.get_weights()]}

    if world > 1:  # bad input: global batches that do not split over the processes
        errors = {}
        for name, call in [
                ("fit", lambda: model.fit(x, y, batch_size=15, epochs=1, verbose=0)),
                ("distribute_data", lambda: distribution_lib.distribute_data(x[:15], dist))]:
            try:
                with dist.scope():
                    call()
                errors[name] = None
            except ValueError as e:
                errors[name] = str(e)
        results["errors"] = errors
    with open(out_path, "w") as f:
        json.dump(results, f)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_workers(tmp_path: Path, world: int, port: int) -> list:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "MINI_KERAS_BACKEND": "torch", "OMP_NUM_THREADS": "1",
           "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(REPO)}
    outs = [tmp_path / f"world{world}_rank{r}.json" for r in range(world)]
    procs = [subprocess.Popen([sys.executable, str(script), str(r), str(world), str(port),
                               str(outs[r])], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for r in range(world)]
    return procs, outs


def _collect(procs, outs) -> list:
    logs = []
    for p in procs:
        try:
            logs.append(p.communicate(timeout=120)[0])
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("a torch distributed worker timed out")
    for p, log in zip(procs, logs):
        assert p.returncode == 0, log[-3000:]
    return [json.loads(o.read_text()) for o in outs]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Results of the 2-process DataParallel run and of the single-process reference."""
    tmp_path = tmp_path_factory.mktemp("torch_dist")
    distributed = _run_workers(tmp_path, 2, _free_port())
    single = _run_workers(tmp_path, 1, 0)  # runs alongside the 2 workers
    return _collect(*distributed), _collect(*single)[0]


def test_processes_and_devices(runs):
    (rank0, rank1), single = runs
    assert rank0["devices"] == rank1["devices"] == ["cpu:0", "cpu:1"]
    assert rank0["process"] == [0, 2] and rank1["process"] == [1, 2]
    assert single["process"] == [0, 1]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_two_processes_match_one(runs, optimizer):
    (rank0, _), single = runs
    dist, ref = rank0[optimizer], single[optimizer]
    assert dist["optimizer_iterations"] == ref["optimizer_iterations"] == 12
    assert dist["ddp"] == "DistributedDataParallel"  # the reducer averaged the gradients
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(dist["history"][key], ref["history"][key], atol=1e-5)
    assert dist["history"]["loss"][-1] < dist["history"]["loss"][0]  # it did train
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(dist["evaluate"][key], ref["evaluate"][key], atol=1e-5)
    # predict: the ranks' outputs gathered back into the global batch, in order, trimmed.
    assert np.shape(dist["predict"]) == (29, 3)
    np.testing.assert_allclose(dist["predict"], ref["predict"], atol=1e-5)
    for w_dist, w_ref in zip(dist["weights"], ref["weights"]):
        np.testing.assert_allclose(w_dist, w_ref, atol=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_replicas_stay_identical(runs, optimizer):
    (rank0, rank1), _ = runs
    assert rank0[optimizer]["history"] == rank1[optimizer]["history"]
    for w0, w1 in zip(rank0[optimizer]["weights"], rank1[optimizer]["weights"]):
        np.testing.assert_array_equal(w0, w1)


def test_unused_weight_and_mean_aggregation(runs):
    """A trainable weight outside the loss does not stall DDP (zero gradient); a non-trainable
    variable with aggregation="mean" is averaged over the replicas after each step."""
    (rank0, rank1), _ = runs
    x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")  # the workers' x
    for result in (rank0, rank1):
        _, unused, batch_mean = result["probe"]["weights"]
        np.testing.assert_array_equal(unused, [1.0, 1.0])
        # the mean of the last global batch (rows 48..63), not of this rank's half
        np.testing.assert_allclose(batch_mean, x[48:64].mean(axis=0), atol=1e-6)
    for w0, w1 in zip(rank0["probe"]["weights"], rank1["probe"]["weights"]):
        np.testing.assert_array_equal(w0, w1)


def test_batch_not_divisible_by_processes(runs):
    (rank0, _), _ = runs
    errors = rank0["errors"]
    assert errors["fit"] and "batch_size=15" in errors["fit"] and "2 devices" in errors["fit"]
    assert errors["distribute_data"] and "15 rows" in errors["distribute_data"]
    assert "2 processes" in errors["distribute_data"]


# ------------------------------------------------------------------ single process, no group

def _mlp():
    import mini_keras as keras
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])


def test_model_parallel_is_refused():
    import mini_keras as keras
    from mini_keras import distribution

    with backends.backend_scope("torch"):
        mesh = distribution.DeviceMesh((1, 2), ("batch", "model"), devices=["cpu:0", "cpu:1"])
        layout_map = distribution.LayoutMap(mesh)
        layout_map["dense.*kernel"] = (None, "model")
        with (distribution.ModelParallel(layout_map=layout_map).scope(),
              pytest.raises(NotImplementedError, match="ModelParallel needs the jax backend")):
            keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="dense")])


def test_several_replicas_without_initialize_is_an_error():
    from mini_keras import distribution

    x, y = np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32")
    with (backends.backend_scope("torch"),
          distribution.DataParallel(devices=["cpu:0", "cpu:1"]).scope()):
        model = _mlp()
        model.compile(optimizer="sgd", loss="mse")
        with pytest.raises(ValueError, match="initialize"):
            model.fit(x, y, batch_size=4, epochs=1, verbose=0)


def test_launched_by_torchrun_without_initialize_is_an_error(monkeypatch):
    from mini_keras import distribution

    monkeypatch.setenv("WORLD_SIZE", "2")
    x, y = np.zeros((8, 4), "float32"), np.zeros((8, 2), "float32")
    with (backends.backend_scope("torch"),
          distribution.DataParallel(devices=["cpu:0"]).scope()):
        model = _mlp()
        model.compile(optimizer="sgd", loss="mse")
        with pytest.raises(ValueError, match="initialize.. was not called"):
            model.fit(x, y, batch_size=4, epochs=1, verbose=0)


def test_one_replica_without_initialize_trains_like_no_distribution():
    import mini_keras as keras
    from mini_keras import distribution

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")
    losses = []
    with backends.backend_scope("torch"):
        for dist in (None, distribution.DataParallel(devices=["cpu:0"])):
            keras.utils.set_random_seed(0)
            with dist.scope() if dist is not None else _null():
                model = _mlp()
                model.compile(optimizer="sgd", loss="mse")
                losses.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False,
                                        verbose=0).history["loss"])
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-6)


def test_list_devices_before_initialize():
    from mini_keras.backends.torch import distribution_lib

    assert distribution_lib.list_devices("cpu") == ["cpu:0"]
    assert distribution_lib.num_processes() == 1 and distribution_lib.process_id() == 0
    with pytest.raises(ValueError, match="device_type"):
        distribution_lib.list_devices("tpu")


def test_initialize_bad_arguments(monkeypatch):
    from mini_keras.backends.torch import distribution_lib

    for var in ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValueError, match="torchrun"):
        distribution_lib.initialize()
    with pytest.raises(ValueError, match="host:port"):
        distribution_lib.initialize("localhost", 2, 0)
    with pytest.raises(ValueError, match="process_id must be in"):
        distribution_lib.initialize("127.0.0.1:1234", 2, 5)


def _null():
    import contextlib
    return contextlib.nullcontext()
