"""Throughput of fit from each data source, side by side with Keras 3 (not a test).

    python benchmarks/data_sources.py [--quick]

Measures (median of timed epochs after a warm-up epoch):
1. A PyDataset whose ``__getitem__`` sleeps about as long as a step: workers=2 vs workers=1
   (target >= 1.6x).
2. On the torch backend: fit from a tf.data.Dataset and from a torch DataLoader vs the numpy
   array path (target <= 1.1x), and the same sources in Keras 3 (run in a subprocess, since
   Keras' backend is fixed at import).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

N, FEATURES, BATCH = 4096, 64, 128


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = rng.integers(0, 10, size=(N,)).astype("int64")
    return x, y


def _model(keras):
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _time_fit(model, reps, **kwargs):
    model.fit(epochs=1, verbose=0, **kwargs)  # warm-up (compile, workers)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        model.fit(epochs=1, verbose=0, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _sources(keras, x, y, which):
    """fit kwargs for each source (frameworks imported only for the sources asked for)."""
    out = {"arrays": {"x": x, "y": y, "batch_size": BATCH, "shuffle": False}}
    if "tf.data" in which:
        import tensorflow as tf
        out["tf.data"] = {"x": tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)
                          .prefetch(2)}
    if "DataLoader" in which:
        import torch
        ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
        out["DataLoader"] = {"x": torch.utils.data.DataLoader(ds, batch_size=BATCH)}
    return out


def sources_run(library: str, backend: str, reps: int) -> dict:
    """Seconds per epoch for arrays, tf.data and DataLoader with ``library`` on ``backend``."""
    if library == "keras":
        os.environ["KERAS_BACKEND"] = backend
        import keras
    else:
        import mini_keras as keras
        keras.config.set_backend(backend)
    x, y = _data()
    model = _model(keras)
    return {name: _time_fit(model, reps, **kwargs)
            for name, kwargs in _sources(keras, x, y, ("tf.data", "DataLoader")).items()}


def py_dataset_run(library: str, backend: str, reps: int, steps: int = 16) -> dict:
    """Seconds per epoch of a PyDataset that sleeps about one step per batch, workers 1 and 2."""
    if library == "keras":
        os.environ["KERAS_BACKEND"] = backend
        import keras
    else:
        import mini_keras as keras
        keras.config.set_backend(backend)
    x, y = _data()
    model = _model(keras)
    step = _time_fit(model, reps, x=x[:BATCH * steps], y=y[:BATCH * steps],
                     batch_size=BATCH) / steps

    class Slow(keras.utils.PyDataset):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def __len__(self):
            return steps

        def __getitem__(self, i):
            time.sleep(step)  # I/O about as long as the step
            return x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]

    out = {"step_s": step}
    for workers in (1, 2):
        out[f"workers={workers}"] = _time_fit(model, reps, x=Slow(workers=workers))
    return out


def _subprocess(fn: str, library: str, backend: str, reps: int) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
            f"import data_sources as d; print('RESULT', json.dumps(d.{fn}({library!r}, "
            f"{backend!r}, {reps})))")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=False,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for line in run.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    return {"error": (run.stderr or run.stdout).strip().splitlines()[-1:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer timed epochs")
    parser.add_argument("--backend", default="torch")
    args = parser.parse_args()
    reps = 2 if args.quick else 5
    results = {}
    for library in ("mini_keras", "keras"):
        results[library] = {
            "sources": _subprocess("sources_run", library, args.backend, reps),
            "py_dataset": _subprocess("py_dataset_run", library, args.backend, reps),
        }
    print(f"# fit throughput by data source ({args.backend} backend, {N} samples, batch {BATCH})")
    print("\n| library | arrays s/epoch | tf.data s/epoch | DataLoader s/epoch | "
          "tf.data / arrays | DataLoader / arrays |")
    print("|---|---|---|---|---|---|")
    for library, r in results.items():
        s = r["sources"]
        if "error" in s:
            print(f"| {library} | {s['error']} |||||")
            continue
        print(f"| {library} | {s['arrays']:.3f} | {s['tf.data']:.3f} | {s['DataLoader']:.3f} | "
              f"{s['tf.data'] / s['arrays']:.2f} | {s['DataLoader'] / s['arrays']:.2f} |")
    print("\n| library | step s | workers=1 s/epoch | workers=2 s/epoch | speed-up |")
    print("|---|---|---|---|---|")
    for library, r in results.items():
        p = r["py_dataset"]
        if "error" in p:
            print(f"| {library} | {p['error']} ||||")
            continue
        print(f"| {library} | {p['step_s']:.4f} | {p['workers=1']:.3f} | {p['workers=2']:.3f} | "
              f"{p['workers=1'] / p['workers=2']:.2f}x |")


if __name__ == "__main__":
    main()
