"""Serve exported files with their runtime only, in a fresh process (run by the export tests).

Usage: ``python serve_exported.py <tensorflow|light> <manifest.json> <results.npz>``.
The manifest lists ``{"key", "format", "path", "inputs", "input_names", "batches",
"structure"}`` entries (``inputs``: an .npz of the model's inputs, one array per input name;
``structure``: how the model takes them, "single", "list" or "dict"); for each, the outputs
at every batch size the manifest names are written to ``results.npz`` as ``<key>/b<batch>``.
``tensorflow`` serves the SavedModels (``tf.saved_model.load``), ``light`` the ONNX
(onnxruntime) and LiteRT (ai_edge_litert) files, without importing TensorFlow or PyTorch.
mini_keras is never imported: the result's ``modules`` entry lists the frameworks that were
loaded, for the test to check.
"""

import json
import sys

import numpy as np

FRAMEWORKS = ("mini_keras", "tensorflow", "torch", "jax", "mlx", "keras")


def _saved_model(path, inputs, structure):
    import tensorflow as tf

    loaded = tf.saved_model.load(path)
    if "serving_default" not in loaded.signatures:
        raise AssertionError(f"{path}: no serving_default signature")
    values = list(inputs.values())
    args = {"single": values[0], "list": values, "dict": dict(inputs)}[structure]
    return loaded.serve(args).numpy()


def _onnx(path, inputs, structure):
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    feed = (inputs if set(names) == set(inputs)
            else dict(zip(names, inputs.values())))
    return session.run(None, feed)[0]


def _litert(path, inputs, structure):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=path)
    if structure != "single":  # by name, through the signature (resizes the batch per call)
        runner = interpreter.get_signature_runner("serving_default")
        return next(iter(runner(**inputs).values()))
    detail = interpreter.get_input_details()[0]
    value = next(iter(inputs.values()))
    interpreter.resize_tensor_input(detail["index"], value.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(detail["index"], value)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


SERVERS = {"tensorflow": {"tf_saved_model": _saved_model},
           "light": {"onnx": _onnx, "litert": _litert}}


def main(runtime: str, manifest: str, results: str) -> None:
    """Serve every manifest entry of ``runtime``'s formats; write outputs to ``results``."""
    out = {}
    with open(manifest) as f:
        entries = json.load(f)
    for entry in entries:
        serve = SERVERS[runtime].get(entry["format"])
        if serve is None:
            continue
        data = np.load(entry["inputs"])
        for batch in entry["batches"]:
            inputs = {name: data[name][:batch] for name in entry["input_names"]}
            out[f"{entry['key']}/b{batch}"] = serve(entry["path"], inputs,
                                                   entry.get("structure", "single"))
    out["modules"] = np.array([m for m in FRAMEWORKS if m in sys.modules])
    np.savez(results, **out)


if __name__ == "__main__":
    main(*sys.argv[1:])
