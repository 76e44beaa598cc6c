"""Export fixtures: the issue's three models on the current backend, exported and served.

``served(backend)``: an MLP, a CNN (Conv2D + BatchNormalization + MaxPooling + Dense) and an
Embedding + LSTM text model built on the backend, each exported to every format and served in
fresh processes that import only the format's runtime (``serve_exported.py``). All backends are
exported once per session and served together (one TensorFlow process, one light process).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

SERVE_SCRIPT = pathlib.Path(__file__).with_name("serve_exported.py")
FORMAT_FILES = {"tf_saved_model": "saved_model", "onnx": "model.onnx", "litert": "model.tflite"}
BATCHES = (1, 5)


def _randomize_batchnorm(model, rng) -> None:
    """Moving statistics far from 0/1, so inference (not batch) statistics are checked."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            size = layer.moving_mean.shape
            layer.moving_mean.assign(rng.normal(0.5, 0.3, size).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, size).astype("float32"))
            layer.gamma.assign(rng.uniform(0.5, 1.5, size).astype("float32"))
            layer.beta.assign(rng.normal(0.0, 0.2, size).astype("float32"))


def build_model(kind: str):
    """``(model, inputs)`` for ``kind`` in mlp / cnn / lstm, on the current backend."""
    rng = np.random.default_rng(7)
    layers = keras.layers
    if kind == "mlp":  # Dropout: must be off in the exported graph
        model = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu"),
                                  layers.Dropout(0.5), layers.Dense(3, activation="softmax")])
        x = rng.normal(size=(5, 8)).astype("float32")
    elif kind == "cnn":
        model = keras.Sequential([keras.Input((8, 8, 2)), layers.Conv2D(4, 3, activation="relu"),
                                  layers.BatchNormalization(), layers.MaxPooling2D(),
                                  layers.Flatten(), layers.Dense(3)])
        x = rng.normal(size=(5, 8, 8, 2)).astype("float32")
    elif kind == "lstm":
        model = keras.Sequential([keras.Input((6,), dtype="int32"), layers.Embedding(20, 4),
                                  layers.LSTM(5), layers.Dense(2)])
        x = rng.integers(0, 20, size=(5, 6)).astype("int32")
    else:
        raise ValueError(kind)
    _randomize_batchnorm(model, rng)
    return model, x


MODEL_KINDS = ("mlp", "cnn", "lstm")


def serve(manifest: list, workdir: pathlib.Path, runtime: str) -> dict:
    """Run ``serve_exported.py`` with ``runtime`` in a fresh process; its outputs by key.

    ``modules/<runtime>`` holds the frameworks that process had imported at the end.
    """
    manifest_path, results = workdir / f"manifest_{runtime}.json", workdir / f"{runtime}.npz"
    manifest_path.write_text(json.dumps(manifest))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "OMP_NUM_THREADS": "1"}
    env.pop("PYTHONPATH", None)  # the serving process cannot import mini_keras from the tree
    done = subprocess.run([sys.executable, str(SERVE_SCRIPT), runtime, str(manifest_path),
                           str(results)], check=False, capture_output=True, text=True, env=env,
                          cwd=str(workdir), timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    with np.load(results) as data:
        out = {key: data[key] for key in data.files}
    out[f"modules/{runtime}"] = set(out.pop("modules").tolist())
    return out


def entry(key, fmt, path, inputs_file, names, structure="single") -> dict:
    """One manifest entry for ``serve_exported.py``."""
    return {"key": key, "format": fmt, "path": str(path), "inputs": str(inputs_file),
            "input_names": list(names), "batches": list(BATCHES), "structure": structure}


def _export_all(backend: str, workdir: pathlib.Path, manifest: list) -> dict:
    """Export the three models of ``backend``; add their files to ``manifest``."""
    expected, seconds = {}, {fmt: 0.0 for fmt in FORMAT_FILES}
    with backends.backend_scope(backend):
        for kind in MODEL_KINDS:
            keras.utils.set_random_seed(3)
            model, x = build_model(kind)
            expected[kind] = model.predict(x, verbose=0)
            inputs_file = workdir / f"{backend}_{kind}_inputs.npz"
            np.savez(inputs_file, x=x)
            for fmt, name in FORMAT_FILES.items():
                path = workdir / f"{backend}_{kind}_{name}"
                start = time.perf_counter()
                model.export(str(path), format=fmt, verbose=False)
                seconds[fmt] += time.perf_counter() - start
                manifest.append(entry(f"{backend}/{kind}/{fmt}", fmt, path, inputs_file, ["x"]))
    return {"expected": expected, "seconds": seconds}


@pytest.fixture(scope="session")
def _served_all(tmp_path_factory) -> dict:
    """Every installed backend's models exported, then served: 2 serving processes in all.

    A backend whose export raised keeps the exception, re-raised by its own tests only.
    """
    workdir = tmp_path_factory.mktemp("export")
    manifest, results = [], {}
    for name in backends.available():
        try:
            results[name] = _export_all(name, workdir, manifest)
        except Exception as e:  # noqa: BLE001 - reported by that backend's tests
            results[name] = e
    outputs = {**serve(manifest, workdir, "tensorflow"), **serve(manifest, workdir, "light")}
    for name, result in results.items():
        if not isinstance(result, Exception):
            result["served"] = {key.split("/", 1)[1]: value for key, value in outputs.items()
                                if key.startswith(f"{name}/")}
            result["modules"] = {runtime: outputs[f"modules/{runtime}"]
                                 for runtime in ("tensorflow", "light")}
    return results


@pytest.fixture
def served(backend, _served_all) -> dict:
    """This backend's ``{"expected": {kind: predict}, "served": {f"{kind}/{fmt}/b{n}": out},
    "modules": {runtime: frameworks imported}, "seconds": {fmt: export seconds}}``."""
    result = _served_all[backend]
    if isinstance(result, Exception):
        raise result
    return result
