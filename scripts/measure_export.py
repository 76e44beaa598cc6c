"""Measure export support: Keras 3 or mini_keras, per backend, format and model (README table).

    python scripts/measure_export.py keras numpy torch jax tensorflow > keras3.json
    python scripts/measure_export.py mini_keras numpy torch jax tensorflow mlx > ours.json

Each backend runs in its own process (Keras 3 reads KERAS_BACKEND once). For an MLP, a CNN
(Conv2D + BatchNormalization + MaxPooling + Dense) and an Embedding + LSTM model, it checks:
the SavedModel, ONNX and LiteRT exports served by TensorFlow / onnxruntime / ai_edge_litert
(built-in ops only) against ``predict`` at batch 1 and 5 (tolerance 1e-4), ``TFSMLayer`` on the
SavedModel, and ``ExportArchive`` with a custom endpoint. Prints one JSON object:
``{backend: {check: "ok" | "<error>"}, "_seconds": {backend: {format: seconds}}}``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

KINDS = ("mlp", "cnn", "lstm")
FORMATS = {"tf_saved_model": "sm", "onnx": "m.onnx", "litert": "m.tflite"}
TOLERANCE = 1e-4


def _models(keras):
    layers, rng = keras.layers, np.random.default_rng(0)
    yield "mlp", keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu"),
                                   layers.Dropout(0.5), layers.Dense(3)]), \
        rng.normal(size=(5, 8)).astype("float32")
    yield "cnn", keras.Sequential([keras.Input((8, 8, 2)), layers.Conv2D(4, 3, activation="relu"),
                                   layers.BatchNormalization(), layers.MaxPooling2D(),
                                   layers.Flatten(), layers.Dense(3)]), \
        rng.normal(size=(5, 8, 8, 2)).astype("float32")
    yield "lstm", keras.Sequential([keras.Input((6,), dtype="int32"), layers.Embedding(20, 4),
                                    layers.LSTM(5), layers.Dense(2)]), \
        rng.integers(0, 20, size=(5, 6)).astype("int32")


def _serve(fmt, path, x):
    if fmt == "tf_saved_model":
        import tensorflow as tf
        loaded = tf.saved_model.load(path)
        return loaded.serve(x).numpy()
    if fmt == "onnx":
        import onnxruntime
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]
    from ai_edge_litert.interpreter import Interpreter
    interpreter = Interpreter(model_path=path)
    detail = interpreter.get_input_details()[0]
    interpreter.resize_tensor_input(detail["index"], x.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(detail["index"], x)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def _check(expected, got):
    got = np.asarray(got)
    if got.shape != expected.shape:
        return f"shape {got.shape} != {expected.shape}"
    err = float(np.abs(got - expected).max())
    return "ok" if err <= TOLERANCE else f"max error {err:.1e}"


def _short(e: Exception) -> str:
    return f"{type(e).__name__}: {str(e).strip().splitlines()[0][:160]}" if str(e) else \
        type(e).__name__


def measure_backend(library: str, backend: str) -> dict:
    """Run every check on ``backend`` in this process; ``{"checks": ..., "seconds": ...}``."""
    if library == "keras":
        import keras
        from keras.export import ExportArchive
    else:
        import mini_keras as keras
        from mini_keras.export import ExportArchive
        keras.config.set_backend(backend)
    checks, seconds = {}, {fmt: 0.0 for fmt in FORMATS}
    tmp = tempfile.mkdtemp()
    for kind, model, x in _models(keras):
        expected = np.asarray(model.predict(x, verbose=0))
        for fmt, name in FORMATS.items():
            path = os.path.join(tmp, f"{kind}_{name}")
            try:
                start = time.perf_counter()
                model.export(path, format=fmt, verbose=False)
                seconds[fmt] += time.perf_counter() - start
                results = [_check(expected[:n], _serve(fmt, path, x[:n])) for n in (1, 5)]
                checks[f"{fmt}/{kind}"] = next((r for r in results if r != "ok"), "ok")
            except Exception as e:  # noqa: BLE001 - the measurement is the error
                checks[f"{fmt}/{kind}"] = _short(e)
        try:
            layer = keras.layers.TFSMLayer(os.path.join(tmp, f"{kind}_sm"), call_endpoint="serve")
            checks[f"TFSMLayer/{kind}"] = _check(expected, np.asarray(layer(x)))
        except Exception as e:  # noqa: BLE001
            checks[f"TFSMLayer/{kind}"] = _short(e)
        try:
            archive, path = ExportArchive(), os.path.join(tmp, f"{kind}_archive")
            archive.track(model)
            archive.add_endpoint("double", lambda t, m=model: m(t, training=False) * 2.0,
                                 input_signature=[keras.Input(x.shape[1:], dtype=x.dtype.name,
                                                              batch_size=None)])
            archive.write_out(path, verbose=False)
            import tensorflow as tf
            loaded = tf.saved_model.load(path)
            checks[f"ExportArchive/{kind}"] = _check(2 * expected, loaded.double(x).numpy())
        except Exception as e:  # noqa: BLE001
            checks[f"ExportArchive/{kind}"] = _short(e)
    return {"checks": checks, "seconds": seconds}


def main(library: str, backends: list[str]) -> None:
    """Measure each backend in a fresh process and print the JSON summary."""
    out, times = {}, {}
    for backend in backends:
        env = {**os.environ, "KERAS_BACKEND": backend, "MINI_KERAS_BACKEND": backend,
               "TF_CPP_MIN_LOG_LEVEL": "3"}
        code = (f"import json, sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
                f"import measure_export as m; "
                f"print('@@' + json.dumps(m.measure_backend({library!r}, {backend!r})))")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=False)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("@@")), None)
        if line is None:
            out[backend] = {"crashed": done.stderr.strip().splitlines()[-1:]}
            continue
        result = json.loads(line[2:])
        out[backend], times[backend] = result["checks"], result["seconds"]
    out["_seconds"] = times
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
