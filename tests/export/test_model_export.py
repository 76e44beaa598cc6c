"""Model.export: every backend's MLP, CNN and LSTM model, served by each format's runtime alone.

The reference is ``model.predict`` on the model's own backend; the files are served in fresh
processes (``serve_exported.py``) that import only TensorFlow (SavedModel) or only onnxruntime
and ai_edge_litert (ONNX, LiteRT), at batch 1 and batch 5 (the batch dimension is dynamic).
"""

import numpy as np
import pytest

from tests.export.conftest import BATCHES, FORMAT_FILES, MODEL_KINDS, build_model

# float32 has eps 1.2e-7; the models' outputs are O(1) sums of <= 100 products, so a graph that
# reorders the sums (XNNPACK, ONNX Runtime's fused kernels) differs by ~1e-6. The bounds:
# 1e-5 for the SavedModel (same TensorFlow kernels as the tensorflow backend), 1e-4 for the
# runtimes that fuse and reorder (ONNX Runtime, LiteRT).
TOLERANCE = {"tf_saved_model": 1e-5, "onnx": 1e-4, "litert": 1e-4}


@pytest.mark.parametrize("fmt", list(FORMAT_FILES))
@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_served_output_equals_predict(served, kind, fmt):
    expected = served["expected"][kind]
    for batch in BATCHES:
        got = served["served"][f"{kind}/{fmt}/b{batch}"]
        assert got.shape == expected[:batch].shape
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, expected[:batch], rtol=0, atol=TOLERANCE[fmt],
                                   err_msg=f"{kind} exported to {fmt}, batch {batch}")


def test_serving_processes_import_only_the_runtime(served):
    # TensorFlow's own import may pull keras/jax; what matters is that mini_keras and the
    # model's framework were not needed
    loaded = served["modules"]["tensorflow"]
    assert "tensorflow" in loaded and not loaded & {"mini_keras", "torch", "mlx"}
    assert served["modules"]["light"] == set()  # onnxruntime + ai_edge_litert only


def test_export_leaves_the_model_unchanged(backend, tmp_path):
    model, x = build_model("cnn")
    before = model.predict(x, verbose=0)
    handles = [type(v.value) for v in model.variables]
    model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    model.export(str(tmp_path / "m.tflite"), format="litert", verbose=False)
    assert [type(v.value) for v in model.variables] == handles
    assert all(layer.backend == backend for layer in model.layers)
    np.testing.assert_array_equal(model.predict(x, verbose=0), before)


def test_verbose_output_says_how_it_was_exported(backend, tmp_path, capsys):
    model, _ = build_model("mlp")
    model.export(str(tmp_path / "m.onnx"), format="onnx")
    out = capsys.readouterr().out
    assert f"Saved ONNX model at '{tmp_path / 'm.onnx'}'" in out
    assert ("Exporting through PyTorch" in out) == (backend != "torch")
    model.export(str(tmp_path / "sm"), format="tf_saved_model", verbose=False)
    assert capsys.readouterr().out == ""
