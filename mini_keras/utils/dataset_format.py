"""Which kind of dataset the ``keras.utils`` dataset functions return (their ``format``).

- ``"tf"`` (Keras' default): a ``tf.data.Dataset`` when TensorFlow is installed, so code that
  calls ``.map``/``.prefetch``/``.cache`` on it keeps working; on an install without
  TensorFlow, the framework-free :class:`NumpyDataset` (with a warning), so the same program
  still runs.
- ``"numpy"`` (ours): always the framework-free :class:`NumpyDataset`.
- ``"grain"`` (Keras'): not supported; raises.

``fit``/``evaluate``/``predict`` take both kinds on every backend.
"""

from __future__ import annotations

import importlib
import importlib.util
import warnings

FORMATS = ("tf", "numpy")


def resolve_format(format: str, where: str) -> str:
    """``"tf"`` or ``"numpy"``: what ``format`` gives on this install.

    Raises:
        NotImplementedError: ``format="grain"``.
        ValueError: any other unknown value.
    """
    if format == "grain":
        raise NotImplementedError(f"{where}: format='grain' is not supported by mini_keras; use "
                                  "format='tf' (a tf.data.Dataset) or format='numpy' (a "
                                  "framework-free dataset that fit() takes on every backend).")
    if format not in FORMATS:
        raise ValueError(f"{where}: `format` must be one of {FORMATS}, received "
                         f"format={format!r}")
    if format == "tf" and importlib.util.find_spec("tensorflow") is None:
        warnings.warn(f"{where}: TensorFlow is not installed, so format='tf' returns a "
                      "framework-free mini_keras NumpyDataset instead of a tf.data.Dataset "
                      "(pass format='numpy' to silence this).", stacklevel=3)
        return "numpy"
    return format


def tf_datasets():
    """The tf.data builders (``mini_keras.backends.tensorflow.datasets``)."""
    return importlib.import_module("mini_keras.backends.tensorflow.datasets")


def torch_datasets():
    """The torch.utils.data builders (``mini_keras.backends.torch.datasets``)."""
    return importlib.import_module("mini_keras.backends.torch.datasets")
