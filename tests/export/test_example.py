"""examples/export_and_serve.py: trains, exports the three formats, serves each alone.

One backend is enough here: the example is the library's export path end to end, which
test_model_export runs on every backend; this checks the example itself stays runnable.
"""

import importlib
import pathlib
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("backend", ["torch"], indirect=True)
def test_export_and_serve_example(backend, tmp_path):
    sys.path.insert(0, str(EXAMPLES))
    try:
        example = importlib.import_module("export_and_serve")
    finally:
        sys.path.remove(str(EXAMPLES))
    result = example.main(epochs=3, workdir=str(tmp_path))
    assert result["accuracy"] > 0.7  # chance is 0.1
    # softmax outputs in [0, 1]: float32 rounding bounds of test_model_export
    assert result["errors"]["tf_saved_model"] <= 1e-5
    assert result["errors"]["onnx"] <= 1e-4 and result["errors"]["litert"] <= 1e-4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        list(example.FILENAMES.values()) + ["inputs.npy", "outputs.npy"])
