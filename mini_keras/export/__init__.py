"""``mini_keras.export``: serve a model of any backend as a SavedModel, ONNX or LiteRT file.

``Model.export(filepath, format=...)`` is the one-call path (:func:`export_model`);
:class:`ExportArchive` builds a SavedModel with custom endpoints. The framework-specific
writers live in ``mini_keras/backends/tensorflow/export_saved_model.py`` and
``mini_keras/backends/torch/export_onnx.py``; this package only decides what to trace and runs
the model on the framework the format needs (:mod:`mini_keras.export.rebind`).
"""

from mini_keras.export.export_archive import ExportArchive
from mini_keras.export.formats import FORMATS, export_model
from mini_keras.export.signature import TensorSpec

__all__ = ["FORMATS", "ExportArchive", "TensorSpec", "export_model"]
