"""TensorFlow DataParallel: a MirroredStrategy over 2 logical CPUs trains exactly like one device.

The distributed part runs in subprocesses: the CPU must be split into logical devices (and a
multi-worker ``TF_CONFIG`` set) before TensorFlow initializes. Each child prints one JSON line;
the tests compare the 2-replica run with a plain run of the same model in the same child.
Set ``MINI_KERAS_TEST_MULTIWORKER=1`` to also train with 2 worker processes on localhost
(``MultiWorkerMirroredStrategy``; slower, gRPC collectives).
"""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None,
                                reason="tensorflow is not installed")

REPO = Path(__file__).resolve().parents[2]
TOL = 1e-5

PRELUDE = textwrap.dedent("""
    import contextlib, json, sys
    import numpy as np
    import mini_keras as keras
    from mini_keras import distribution

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8)).astype("float32")
    y = rng.integers(0, 3, size=64).astype("int32")
    x_pred = rng.normal(size=(41, 8)).astype("float32")  # last batch of 9: padded to 10

    def train(dist, optimizer):
        keras.utils.set_random_seed(1)
        with dist.scope() if dist is not None else contextlib.nullcontext():
            model = keras.Sequential([keras.Input((8,)),
                                      keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(3, activation="softmax")])
            opt = keras.optimizers.SGD(0.1) if optimizer == "sgd" else keras.optimizers.Adam(0.01)
            model.compile(optimizer=opt, loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
            evaluation = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
            prediction = model.predict(x_pred, batch_size=16, verbose=0)
        return model, {"history": history.history, "evaluate": evaluation,
                       "predict": prediction.tolist(),
                       "weights": [w.tolist() for w in model.get_weights()]}
""")

# Two logical CPUs, MirroredStrategy: numbers, variable kinds, gradient averaging, bad input.
MIRRORED = """
import os
os.environ["MINI_KERAS_BACKEND"] = "tensorflow"
import tensorflow as tf
tf.config.set_logical_device_configuration(tf.config.list_physical_devices("CPU")[0],
                                           [tf.config.LogicalDeviceConfiguration()] * 2)
""" + PRELUDE + textwrap.dedent("""
    from mini_keras.backends.tensorflow import distribution_lib, value_and_grad

    devices = distribution.list_devices()
    dist = distribution.DataParallel(devices=devices)
    results = {"devices": devices, "cpu": distribution.list_devices("cpu")}
    for optimizer in ("sgd", "adam"):
        _, results[f"{optimizer}_one"] = train(None, optimizer)
        model, results[f"{optimizer}_two"] = train(dist, optimizer)

    # What the variables are: mirrored weights/slots/counter, per-replica metric state.
    kernel = model.layers[0].kernel._handle
    total = model.metrics[0].variables[0]._handle
    iterations = model.optimizer.iterations._handle
    results["kinds"] = {
        "kernel": type(kernel).__name__, "kernel_copies": len(kernel.values),
        "kernel_copies_equal": bool(np.array_equal(*[v.numpy() for v in kernel.values])),
        "kernel_devices": [v.device for v in kernel.values],
        "slot": type(model.optimizer.variables[-1]._handle).__name__,
        "iterations": [int(v.numpy()) for v in iterations.values],
        "iterations_aggregation": iterations.aggregation.name,
        "metric": type(total).__name__, "metric_aggregation": total.aggregation.name,
        "metric_replicas": [float(v.numpy()) for v in total.values],
        "metric_read": float(model.metrics[0].variables[0].numpy())}
    model.reset_metrics()  # assigns zeros from cross-replica context
    results["kinds"]["metric_after_reset"] = [float(v.numpy()) for v in total.values]

    # value_and_grad inside a replica: d/dw sum(w * x_local) = x_local, averaged over replicas.
    strategy = distribution_lib._strategy(dist)
    data = distribution_lib.distribute_data(np.array([[1.0, 2.0], [5.0, 10.0]], "float32"), dist)
    grad_fn = value_and_grad(lambda ws: tf.reduce_sum(ws[0] * ws[1]))
    step = tf.function(lambda xs: strategy.run(
        lambda x_local: grad_fn([tf.ones(2), x_local[0]])[1][0], args=(xs,)))
    results["grads"] = [g.numpy().tolist() for g in strategy.experimental_local_results(step(data))]

    errors = {}
    mesh = distribution.DeviceMesh((1, 2), ("batch", "model"))
    layout_map = distribution.LayoutMap(mesh)
    layout_map["dense.*kernel"] = (None, "model")
    outside = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
    outside.compile(optimizer="sgd", loss="mse")

    def jit_model():
        m = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
        m.compile(optimizer="sgd", loss="mse", jit_compile=True)
        m.fit(x, x[:, :3], batch_size=16, verbose=0)

    for name, call, scope in [
            ("fit_batch", lambda: model.fit(x, y, batch_size=15, epochs=1, verbose=0), dist),
            ("distribute_data", lambda: distribution_lib.distribute_data((x[:15], None), dist),
             dist),
            ("model_parallel", lambda: keras.layers.Dense(2).build((None, 8)),
             distribution.ModelParallel(layout_map=layout_map)),
            ("built_outside", lambda: outside.fit(x, x[:, :3], batch_size=16, verbose=0), dist),
            ("jit_compile", jit_model, dist),
            ("mesh_too_large", lambda: distribution.DeviceMesh((4,), ("batch",)), None)]:
        try:
            with scope.scope() if scope is not None else contextlib.nullcontext():
                call()
            errors[name] = None
        except ValueError as e:
            errors[name] = str(e)
    results["errors"] = errors
    print(json.dumps(results))
""")

# One worker through initialize(): TF_CONFIG and the MultiWorkerMirroredStrategy path.
INITIALIZE = """
import os, sys
os.environ["MINI_KERAS_BACKEND"] = "tensorflow"
from mini_keras import distribution as _distribution
_distribution.initialize(f"localhost:{sys.argv[1]}", 1, 0)
""" + PRELUDE + textwrap.dedent("""
    import tensorflow as tf
    from mini_keras.backends.tensorflow import distribution_lib

    dist = distribution.DataParallel()
    _, one = train(None, "adam")
    _, two = train(dist, "adam")
    print(json.dumps({
        "tf_config": json.loads(os.environ["TF_CONFIG"]),
        "process": [distribution_lib.process_id(), distribution_lib.num_processes()],
        "multi_worker": isinstance(distribution_lib._strategy(dist),
                                   tf.distribute.MultiWorkerMirroredStrategy),
        "one": one, "two": two}))
""")

# Worker `rank` of a 2-worker cluster on localhost (only with MINI_KERAS_TEST_MULTIWORKER=1).
WORKER = """
import os, sys
os.environ["MINI_KERAS_BACKEND"] = "tensorflow"
from mini_keras import distribution as _distribution
_ports = sys.argv[1].split(",")
_distribution.initialize(",".join(f"localhost:{p}" for p in _ports), 2, int(sys.argv[2]))
""" + PRELUDE + textwrap.dedent("""
    from mini_keras.backends.tensorflow import distribution_lib

    _, two = train(distribution.DataParallel(), "adam")
    print(json.dumps({"devices": distribution.list_devices(),
                      "process": [distribution_lib.process_id(),
                                  distribution_lib.num_processes()], "two": two}))
""")


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _start(code, *args):
    env = {**os.environ, "MINI_KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3",
           "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(REPO)}
    env.pop("TF_CONFIG", None)
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(process, timeout=240):
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"child timed out:\n{err[-3000:]}")
    assert process.returncode == 0, f"child failed:\n{err[-5000:]}"
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs():
    """Both children run in parallel (each mostly waits on TensorFlow's start-up)."""
    mirrored = _start(MIRRORED)
    initialize = _start(INITIALIZE, _free_ports(1)[0])
    return {"mirrored": _result(mirrored), "initialize": _result(initialize)}


def _assert_same_run(one, two):
    for name, values in one["history"].items():
        np.testing.assert_allclose(two["history"][name], values, atol=TOL, err_msg=name)
    for name, value in one["evaluate"].items():
        np.testing.assert_allclose(two["evaluate"][name], value, atol=TOL, err_msg=name)
    np.testing.assert_allclose(np.array(two["predict"]), np.array(one["predict"]), atol=TOL)
    assert np.array(two["predict"]).shape == (41, 3)
    for w2, w1 in zip(two["weights"], one["weights"]):
        np.testing.assert_allclose(np.array(w2), np.array(w1), atol=TOL)


def test_list_devices(runs):
    assert runs["mirrored"]["devices"] == ["cpu:0", "cpu:1"]
    assert runs["mirrored"]["cpu"] == ["cpu:0", "cpu:1"]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_two_replicas_train_like_one_device(runs, optimizer):
    one, two = runs["mirrored"][f"{optimizer}_one"], runs["mirrored"][f"{optimizer}_two"]
    assert len(one["history"]["loss"]) == 3
    assert one["history"]["loss"][0] != one["history"]["loss"][-1]  # it did train
    _assert_same_run(one, two)


def test_variables_are_distributed(runs):
    kinds = runs["mirrored"]["kinds"]
    assert kinds["kernel"] == "MirroredVariable"
    assert kinds["kernel_copies"] == 2 and kinds["kernel_copies_equal"]
    assert [d.split(":")[-1] for d in kinds["kernel_devices"]] == ["0", "1"]
    assert kinds["slot"] == "MirroredVariable"
    assert kinds["iterations"] == [12, 12]  # 3 epochs x 4 steps on both replicas
    assert kinds["iterations_aggregation"] == "ONLY_FIRST_REPLICA"
    assert kinds["metric"] == "SyncOnReadVariable" and kinds["metric_aggregation"] == "SUM"
    # evaluate() saw 64 samples, 32 per replica: the read is the sum of the replicas' totals.
    assert kinds["metric_read"] == pytest.approx(sum(kinds["metric_replicas"]))
    assert all(v > 0 for v in kinds["metric_replicas"])
    assert kinds["metric_after_reset"] == [0.0, 0.0]


def test_gradients_are_averaged_over_replicas(runs):
    # Replica 0 sees x = [1, 2], replica 1 sees [5, 10]: both get the mean, [3, 6].
    assert runs["mirrored"]["grads"] == [[3.0, 6.0], [3.0, 6.0]]


def test_bad_input_errors(runs):
    errors = runs["mirrored"]["errors"]
    assert "batch_size=15 is not divisible by the 2 devices" in errors["fit_batch"]
    assert "cannot be split over the 2 replicas" in errors["distribute_data"]
    assert "ModelParallel needs the jax backend" in errors["model_parallel"]
    assert "was not created under this distribution" in errors["built_outside"]
    assert "jit_compile=True is not supported" in errors["jit_compile"]
    assert "needs 4 devices but only 2 are available" in errors["mesh_too_large"]


def test_initialize_single_worker(runs):
    result = runs["initialize"]
    assert result["tf_config"]["task"] == {"type": "worker", "index": 0}
    assert len(result["tf_config"]["cluster"]["worker"]) == 1
    assert result["process"] == [0, 1]
    assert result["multi_worker"]
    _assert_same_run(result["one"], result["two"])


@pytest.mark.skipif(os.environ.get("MINI_KERAS_TEST_MULTIWORKER") != "1",
                    reason="set MINI_KERAS_TEST_MULTIWORKER=1 (2 TensorFlow worker processes)")
def test_two_workers_train_like_one_device(runs):
    ports = ",".join(map(str, _free_ports(2)))
    workers = [_start(WORKER, ports, rank) for rank in range(2)]
    results = [_result(w) for w in workers]
    for rank, result in enumerate(results):
        assert result["process"] == [rank, 2]
        assert len(result["devices"]) == 2
        _assert_same_run(runs["initialize"]["one"], result["two"])
