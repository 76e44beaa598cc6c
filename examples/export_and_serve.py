"""Train on the 8x8 digits, export for serving, and run each file with only its runtime.

What it teaches: a trained model leaves Python-and-mini_keras behind. ``model.export`` writes
a TensorFlow SavedModel (TF Serving), an ONNX file (ONNX Runtime, in C++, C#, JavaScript...)
and a LiteRT flatbuffer (phones, microcontrollers), whatever backend trained the model: the
model is rebuilt on TensorFlow or PyTorch for the export only. Each file is then served in a
fresh Python process that imports nothing but its runtime (tensorflow, onnxruntime or
ai_edge_litert), and its predictions are compared with ``model.predict``. Run on any backend:

    MINI_KERAS_BACKEND=jax python examples/export_and_serve.py

Needs ``pip install "mini_keras[export]"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import numpy as np

import mini_keras as keras
from mini_keras import datasets

# One program per runtime: reads inputs.npy, writes outputs.npy. No mini_keras import.
SERVERS = {
    "tf_saved_model": """
import sys, numpy as np, tensorflow as tf
model = tf.saved_model.load(sys.argv[1])
np.save(sys.argv[3], model.serve(np.load(sys.argv[2])).numpy())
""",
    "onnx": """
import sys, numpy as np, onnxruntime
session = onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
x = np.load(sys.argv[2])
np.save(sys.argv[3], session.run(None, {session.get_inputs()[0].name: x})[0])
""",
    "litert": """
import sys, numpy as np
from ai_edge_litert.interpreter import Interpreter
interpreter = Interpreter(model_path=sys.argv[1])
x, detail = np.load(sys.argv[2]), interpreter.get_input_details()[0]
interpreter.resize_tensor_input(detail["index"], x.shape)  # the batch dimension is dynamic
interpreter.allocate_tensors()
interpreter.set_tensor(detail["index"], x)
interpreter.invoke()
np.save(sys.argv[3], interpreter.get_tensor(interpreter.get_output_details()[0]["index"]))
""",
}
FILENAMES = {"tf_saved_model": "digits_saved_model", "onnx": "digits.onnx",
             "litert": "digits.tflite"}


def build_model():
    """A small CNN for 8x8 digits (Conv2D, BatchNormalization, MaxPooling, Dropout, Dense)."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.2),
        layers.Dense(10, activation="softmax"),
    ])


def serve(fmt: str, path: str, x: np.ndarray, workdir: str) -> np.ndarray:
    """Run the exported file ``path`` on ``x`` in a fresh process with only its runtime."""
    inputs, outputs = os.path.join(workdir, "inputs.npy"), os.path.join(workdir, "outputs.npy")
    np.save(inputs, x)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, "-c", SERVERS[fmt], path, inputs, outputs],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"serving {fmt} failed:\n{done.stderr[-2000:]}")
    return np.load(outputs)


def main(epochs: int = 10, workdir: str | None = None) -> dict:
    """Train, export to every format, serve each; return ``{format: max |served - predict|}``."""
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = datasets.digits.load_data()
    x_train, x_test = (x.astype("float32")[..., None] / 16.0 for x in (x_train, x_test))
    model = build_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Trained on the {keras.config.backend()} backend: test accuracy {accuracy:.3f}")

    x = x_test[:32]
    expected = model.predict(x, verbose=0)
    workdir = workdir or tempfile.mkdtemp(prefix="export_and_serve_")
    errors = {}
    for fmt, name in FILENAMES.items():
        path = os.path.join(workdir, name)
        model.export(path, format=fmt, verbose=False)
        served = serve(fmt, path, x, workdir)
        errors[fmt] = float(np.abs(served - expected).max())
        agree = float(np.mean(served.argmax(-1) == expected.argmax(-1)))
        print(f"{fmt:>15}: {path}\n{'':>15}  max |served - predict| = {errors[fmt]:.1e}, "
              f"same class for {agree:.0%} of {len(x)} digits")
    return {"accuracy": float(accuracy), "errors": errors}


if __name__ == "__main__":
    main()
