"""Memory and time under load, per backend, side by side with Keras 3 (not a test).

    python benchmarks/memory_under_load.py [--calls 10000] [--models 200] [--backends ...]

For each backend, in a fresh process each (for mini_keras and for Keras 3, whose backend is
fixed at import):

1. RSS growth over ``--calls`` ``predict(batch of 1)`` calls, after 200 warm-up calls;
2. RSS growth over ``--calls`` ``model(x)`` calls, after the same warm-up;
3. building, training (2 steps) and discarding ``--models`` small models: RSS growth and the
   time per model of the last tenth against the first tenth (flat: a ratio near 1).
4. ``predict`` from 4 threads at once: whether every thread got the single-thread result.

Target (issue #14): growth < 5 MB where Keras 3 grows. RSS is read from /proc/self/status
(VmRSS), so this runs on Linux. Results print as one JSON line per process and a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np

BACKENDS = ("numpy", "torch", "jax", "tensorflow")
WARMUP = 200


def rss_mb() -> float:
    """Resident set size of this process, in MB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _small_model(keras):
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(4)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _growth(fn, calls: int) -> float:
    for _ in range(WARMUP):
        fn()
    gc.collect()
    before = rss_mb()
    for _ in range(calls):
        fn()
    gc.collect()
    return rss_mb() - before


def _threads_agree(model, x) -> bool:
    expected = np.asarray(model.predict(x, verbose=0))
    results, errors = [None] * 4, []

    def work(i):
        try:
            for _ in range(20):
                results[i] = np.asarray(model.predict(x, verbose=0))
        except Exception as e:  # noqa: BLE001 - report any failure of a thread
            errors.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return not errors and all(np.allclose(r, expected, atol=1e-6) for r in results)


def measure(library: str, backend: str, calls: int, models: int) -> dict:
    """Run every measurement in this process (``library``: "mini_keras" or "keras")."""
    if library == "keras":
        os.environ["KERAS_BACKEND"] = backend
        import keras
    else:
        import mini_keras as keras
        keras.config.set_backend(backend)
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=(1, 8)).astype("float32")
    x, y = rng.normal(size=(32, 8)).astype("float32"), rng.normal(size=(32, 4)).astype("float32")
    model = _small_model(keras)
    out = {"library": library, "backend": backend, "calls": calls, "models": models}
    start = time.perf_counter()
    out["predict_growth_mb"] = round(_growth(lambda: model.predict(x1, verbose=0), calls), 2)
    out["predict_ms"] = round(1000 * (time.perf_counter() - start) / (calls + WARMUP), 3)
    out["call_growth_mb"] = round(_growth(lambda: model(x1), calls), 2)
    out["threads_agree"] = _threads_agree(model, x)
    trainable = not (library == "keras" and backend == "numpy")  # Keras' numpy cannot fit
    if trainable and models:
        times = []
        gc.collect()
        before = rss_mb()
        for _ in range(models):
            t = time.perf_counter()
            m = _small_model(keras)
            m.fit(x, y, batch_size=16, epochs=1, verbose=0)
            del m
            times.append(time.perf_counter() - t)
        gc.collect()
        tenth = max(models // 10, 1)
        out["models_growth_mb"] = round(rss_mb() - before, 2)
        out["model_time_ratio"] = round(float(np.median(times[-tenth:])
                                              / np.median(times[:tenth])), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS))
    parser.add_argument("--libraries", nargs="+", default=["mini_keras", "keras"])
    parser.add_argument("--one", nargs=2, metavar=("LIBRARY", "BACKEND"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[0], args.one[1], args.calls, args.models)))
        return
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root, "OMP_NUM_THREADS": "1",
           "TF_CPP_MIN_LOG_LEVEL": "3", "TF_NUM_INTRAOP_THREADS": "1",
           "TF_NUM_INTEROP_THREADS": "1"}
    rows = []
    for backend in args.backends:
        for library in args.libraries:
            result = subprocess.run(
                [sys.executable, __file__, "--one", library, backend, "--calls",
                 str(args.calls), "--models", str(args.models)],
                env=env, capture_output=True, text=True, check=False)
            lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
            row = json.loads(lines[-1]) if lines else {
                "library": library, "backend": backend,
                "error": (result.stderr.strip().splitlines() or ["?"])[-1][:120]}
            print(json.dumps(row), flush=True)
            rows.append(row)
    keys = ("predict_growth_mb", "call_growth_mb", "predict_ms", "models_growth_mb",
            "model_time_ratio", "threads_agree")
    print("\n| backend | library | " + " | ".join(keys) + " |")
    print("|" + "---|" * (len(keys) + 2))
    for row in rows:
        cells = [str(row.get(k, row.get("error", "-") if k == keys[0] else "-")) for k in keys]
        print(f"| {row['backend']} | {row['library']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
