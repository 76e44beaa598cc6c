"""JAX distribution (``jax.sharding``) on 4 host-platform CPU devices, in subprocesses.

The device count must be set (``XLA_FLAGS``) before JAX initializes, so the multi-device work
runs in child processes that print JSON; one child computes everything the single-process
tests assert on (one JAX start-up for all of them). The reference for every number is the same
model trained on ONE device with the same global batch.
"""

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from mini_keras import backends

if "jax" not in backends.available():
    pytest.skip("backend 'jax' not installed", allow_module_level=True)

DEVICES = 4

_PRELUDE = textwrap.dedent("""
    import contextlib, json, sys
    import numpy as np
    import mini_keras as keras
    from mini_keras import layers, distribution as D

    def data():
        rng = np.random.default_rng(0)
        x = rng.normal(size=(128, 8)).astype("float32")
        y = (x[:, :4] * 1.5 + rng.normal(size=(128, 4)) * 0.1).astype("float32")
        sw = rng.uniform(0.5, 1.5, size=(128,)).astype("float32")
        return x, y, sw

    def spec(variable):
        spec = getattr(variable.value.sharding, "spec", None)  # None: one device, no mesh
        return None if spec is None else list(spec)

    def run(dist, optimizer, units=16, sample_weight=False):
        # the same seed: the same initial weights with or without a distribution
        keras.utils.set_random_seed(0)
        x, y, sw = data()
        with dist.scope() if dist is not None else contextlib.nullcontext():
            model = keras.Sequential([keras.Input((8,)), layers.Dense(units, activation="relu"),
                                      layers.Dense(4)])
            model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
            specs_before = {v.path: spec(v) for v in model.variables}
            history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0,
                                sample_weight=sw if sample_weight else None)
            return {"loss": history.history["loss"], "mae": history.history["mae"],
                    "evaluate": model.evaluate(x, y, batch_size=32, verbose=0),
                    "predict": model.predict(x[:70], batch_size=32, verbose=0).tolist(),
                    "specs_before": specs_before,
                    "specs_after": {v.path: spec(v)
                                    for v in model.variables + model.optimizer.variables}}

    def error(fn):
        try:
            fn()
        except Exception as e:  # the parent asserts on the type and message
            return f"{type(e).__name__}: {e}"
        return "no error"
""")

_MAIN_CHILD = _PRELUDE + textwrap.dedent("""
    out = {"devices": D.list_devices(), "cpu_devices": D.list_devices("cpu")}
    for opt in ("sgd", "adam"):
        out[f"single_{opt}"] = run(None, opt, sample_weight=opt == "sgd")
    D.set_distribution(D.DataParallel())          # the global distribution...
    out["dp_sgd"] = run(None, "sgd", sample_weight=True)
    D.set_distribution(None)
    out["dp_adam"] = run(D.DataParallel(devices=D.list_devices()), "adam")  # ...and a scope

    def model_parallel(key="dense.*kernel", units=16):
        layout_map = D.LayoutMap(D.DeviceMesh((2, 2), ("batch", "model")))
        layout_map[key] = (None, "model")
        return D.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
    out["mp_adam"] = run(model_parallel(), "adam")

    x, y, _ = data()
    def fit_with(dist, batch_size=32, units=16):
        with dist.scope():
            model = keras.Sequential([keras.Input((8,)), layers.Dense(units), layers.Dense(4)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    with D.DataParallel().scope():  # 5 rows on 4 devices: padded to 8, trimmed back to 5
        model = keras.Sequential([keras.Input((8,)), layers.Dense(4)])
        got = model.predict_on_batch(x[:5])
        kernel, bias = model.get_weights()
    out["predict_on_batch_5_error"] = float(np.abs(got - (x[:5] @ kernel + bias)).max())
    out["predict_on_batch_5_shape"] = list(got.shape)
    out["errors"] = {
        "batch_30": error(lambda: fit_with(D.DataParallel(), batch_size=30)),
        "unused_key": error(lambda: fit_with(model_parallel("conv.*kernel"))),
        "mesh_too_big": error(lambda: D.DeviceMesh((8,), ("batch",))),
        "kernel_5_columns": error(lambda: fit_with(model_parallel(), units=5)),
        "unknown_device": error(lambda: fit_with(D.DataParallel(devices=["cpu:0", "cpu:9"]))),
        "device_type": error(lambda: D.list_devices("abacus")),
    }
    print(json.dumps(out))
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _env(devices: int) -> dict:
    env = dict(os.environ, MINI_KERAS_BACKEND="jax", JAX_PLATFORMS="cpu",
               XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
    env.pop("CUDA_VISIBLE_DEVICES", None)
    return env


def _last_json_line(stdout: str, stderr: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    assert lines, f"the child printed no JSON.\nstdout:\n{stdout[-3000:]}\nstderr:\n{stderr[-3000:]}"
    return json.loads(lines[-1])


@pytest.fixture(scope="module")
def results():
    proc = subprocess.run([sys.executable, "-c", _MAIN_CHILD], env=_env(DEVICES),
                          capture_output=True, text=True, timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-5000:]
    return _last_json_line(proc.stdout, proc.stderr)


def test_list_devices_names_the_four_cpu_devices(results):
    assert results["devices"] == [f"cpu:{i}" for i in range(DEVICES)]
    assert results["cpu_devices"] == results["devices"]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_data_parallel_matches_one_device(results, optimizer):
    single, parallel = results[f"single_{optimizer}"], results[f"dp_{optimizer}"]
    assert single["loss"][-1] < single["loss"][0]  # it trains
    np.testing.assert_allclose(parallel["loss"], single["loss"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(parallel["mae"], single["mae"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(parallel["evaluate"], single["evaluate"], rtol=0, atol=1e-5)
    # 70 rows: the last batch (6) is padded to a multiple of 4 and trimmed, order kept
    assert np.shape(parallel["predict"]) == (70, 4)
    np.testing.assert_allclose(parallel["predict"], single["predict"], rtol=0, atol=1e-5)
    assert all(spec == [None] * len(spec) for spec in parallel["specs_after"].values())


def test_model_parallel_shards_kernel_columns_and_matches_one_device(results):
    single, sharded = results["single_adam"], results["mp_adam"]
    for when in ("specs_before", "specs_after"):
        specs = sharded[when]
        kernels = {p: s for p, s in specs.items() if p.startswith("dense") and "kernel" in p}
        biases = {p: s for p, s in specs.items() if p.startswith("dense") and "bias" in p}
        assert len(kernels) == 2 and len(biases) == 2, specs
        assert all(s == [None, "model"] for s in kernels.values()), specs
        assert all(s in ([], [None]) for s in biases.values()), specs  # replicated
    # Adam's slots of a kernel ("adam/dense_kernel_momentum") match the same pattern
    slots = {p: s for p, s in sharded["specs_after"].items() if p.endswith("kernel_momentum")}
    assert len(slots) == 2 and all(s == [None, "model"] for s in slots.values()), slots
    np.testing.assert_allclose(sharded["loss"], single["loss"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(sharded["evaluate"], single["evaluate"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(sharded["predict"], single["predict"], rtol=0, atol=1e-5)


@pytest.mark.parametrize("case, expected", [
    ("batch_30", ["ValueError", "fit()", "batch_size=30", "not divisible by the 4 devices"]),
    ("unused_key", ["ValueError", "LayoutMap keys ['conv.*kernel'] match no variable",
                    "Variable paths are: ['dense"]),
    ("mesh_too_big", ["ValueError", "shape (8,) needs 8 devices but only 4 are available"]),
    ("kernel_5_columns", ["ValueError", "dense", "kernel",
                          "size 5 is not divisible by the 2 devices of mesh axis 'model'"]),
    ("unknown_device", ["ValueError", "'cpu:9' is not a JAX device", "cpu:3"]),
    ("device_type", ["ValueError", "unknown device_type 'abacus'"]),
])
def test_bad_input_gives_a_clear_error(results, case, expected):
    message = results["errors"][case]
    for part in expected:
        assert part in message, f"{case}: {part!r} not in {message!r}"


_PROCESS_CHILD = _PRELUDE + textwrap.dedent("""
    import jax
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    address, process = sys.argv[1], int(sys.argv[2])
    D.initialize(address, 2, process)  # "host:port" of process 0; 2 processes
    single = run(None, "adam")         # each process alone, on its own device
    parallel = run(D.DataParallel(), "adam")  # 2 processes x 2 devices: global arrays
    print(json.dumps({"process": process, "processes": jax.process_count(),
                      "devices": D.list_devices(), "single": single, "parallel": parallel}))
""")


def test_two_processes_data_parallel_matches_one_device():
    """Multi-process JAX (jax.distributed over gloo): each process feeds the same global batch."""
    address = f"localhost:{_free_port()}"
    procs = [subprocess.Popen([sys.executable, "-c", _PROCESS_CHILD, address, str(i)],
                              env=_env(2), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(2)]
    outputs = []
    try:
        for proc in procs:
            stdout, stderr = proc.communicate(timeout=180)
            if proc.returncode != 0 and "gloo" in stderr.lower() and "not" in stderr.lower():
                pytest.skip(f"JAX here has no CPU collectives: {stderr[-500:]}")
            assert proc.returncode == 0, stderr[-5000:]
            outputs.append(_last_json_line(stdout, stderr))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    for out in outputs:
        assert out["processes"] == 2 and len(out["devices"]) == 4
        np.testing.assert_allclose(out["parallel"]["loss"], out["single"]["loss"], atol=1e-5)
        np.testing.assert_allclose(out["parallel"]["evaluate"], out["single"]["evaluate"],
                                   atol=1e-5)
        np.testing.assert_allclose(out["parallel"]["predict"], out["single"]["predict"],
                                   atol=1e-5)
    assert outputs[0]["parallel"] == outputs[1]["parallel"]


def test_predict_on_an_uneven_batch_pads_and_trims(results):
    assert results["predict_on_batch_5_shape"] == [5, 4]
    assert results["predict_on_batch_5_error"] < 1e-5
