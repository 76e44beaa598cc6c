"""input_signature: multi-input and dict-input models, explicit specs, in every format."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.export import TensorSpec

tf = pytest.importorskip("tensorflow")
onnxruntime = pytest.importorskip("onnxruntime")
litert = pytest.importorskip("ai_edge_litert.interpreter")
TOLERANCE = {"tf_saved_model": 1e-5, "onnx": 1e-4, "litert": 1e-4}  # see test_model_export


def _two_input_model(as_dict: bool):
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    out = keras.layers.Dense(2)(keras.layers.Concatenate()([a, keras.layers.Dense(3)(b)]))
    return keras.Model({"a": a, "b": b} if as_dict else [a, b], out)


def _serve(fmt, path, data: dict, as_dict: bool):
    if fmt == "tf_saved_model":
        loaded = tf.saved_model.load(path)
        return loaded.serve(data if as_dict else [data["a"], data["b"]]).numpy()
    if fmt == "onnx":
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        assert [i.name for i in session.get_inputs()] == ["a", "b"]
        assert [i.shape[0] for i in session.get_inputs()] == ["a_dim0", "b_dim0"]  # dynamic
        return session.run(None, data)[0]
    runner = litert.Interpreter(model_path=path).get_signature_runner("serving_default")
    assert sorted(runner.get_input_details()) == ["a", "b"]
    return runner(**data)["output_0"]  # the runner resizes the dynamic batch per call


@pytest.mark.parametrize("as_dict", [False, True], ids=["list", "dict"])
@pytest.mark.parametrize("fmt,suffix", [("tf_saved_model", ""), ("onnx", ".onnx"),
                                        ("litert", ".tflite")])
def test_multi_input_models_export_with_default_and_explicit_signature(backend, tmp_path, fmt,
                                                                       suffix, as_dict):
    model = _two_input_model(as_dict)
    rng = np.random.default_rng(0)
    data = {"a": rng.normal(size=(5, 3)).astype("float32"),
            "b": rng.normal(size=(5, 2)).astype("float32")}
    expected = model.predict(data if as_dict else [data["a"], data["b"]], verbose=0)
    specs = {"a": keras.InputSpec(shape=(None, 3), dtype="float32", name="a"),  # Keras 3's
             "b": tf.TensorSpec((None, 2), tf.float32, name="b")}  # TF's specs work too
    explicit = [specs if as_dict else [specs["a"], specs["b"]]]
    for i, signature in enumerate((None, explicit)):
        path = str(tmp_path / f"m{i}{suffix}")
        model.export(path, format=fmt, verbose=False, input_signature=signature)
        for batch in (1, 5):
            sliced = {k: v[:batch] for k, v in data.items()}
            np.testing.assert_allclose(_serve(fmt, path, sliced, as_dict), expected[:batch],
                                       rtol=0, atol=TOLERANCE[fmt])


def test_input_signature_errors(backend, tmp_path):
    model = _two_input_model(as_dict=False)
    with pytest.raises(TypeError,
                       match=r"input_signature\[0\]\[1\] must be a spec.*received .float32."):
        model.export(str(tmp_path / "m.onnx"), format="onnx",
                     input_signature=[[TensorSpec((None, 3)), "float32"]])
    with pytest.raises(TypeError, match=r"input_signature\[0\] has no shape; give InputSpec"):
        model.export(str(tmp_path / "m.onnx"), format="onnx",
                     input_signature=[keras.InputSpec(ndim=2)])
    with pytest.raises(ValueError, match="input_signature has 2 entries"):
        model.export(str(tmp_path / "m.onnx"), format="onnx",
                     input_signature=[TensorSpec((None, 3)), TensorSpec((None, 2))])


class _Subclassed(keras.Model):
    """No config, no functional graph: export must still find its variables and signature."""

    def __init__(self):
        super().__init__()
        self.hidden, self.out = keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)

    def call(self, x, training=False):
        return self.out(self.hidden(x)) + 1.0


@pytest.mark.parametrize("fmt,suffix", [("tf_saved_model", ""), ("onnx", ".onnx"),
                                        ("litert", ".tflite")])
def test_subclassed_model_exports(backend, tmp_path, fmt, suffix):
    model = _Subclassed()
    x = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")
    expected = model.predict(x, verbose=0)  # builds it with input shape (None, 3)
    path = str(tmp_path / f"m{suffix}")
    model.export(path, format=fmt, verbose=False)
    for batch in (1, 5):
        np.testing.assert_allclose(_serve_single(fmt, path, x[:batch]), expected[:batch],
                                   rtol=0, atol=TOLERANCE[fmt])


def _serve_single(fmt, path, x):
    if fmt == "tf_saved_model":
        loaded = tf.saved_model.load(path)  # kept alive while its function runs
        return loaded.serve(x).numpy()
    if fmt == "onnx":
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        return session.run(None, {session.get_inputs()[0].name: x})[0]
    runner = litert.Interpreter(model_path=path).get_signature_runner("serving_default")
    return next(iter(runner(**{next(iter(runner.get_input_details())): x}).values()))
