"""A metric's ``dtype``: Keras 3's state and result dtypes (the mean-based metrics compute in
``dtype``; the confusion-count metrics keep ``floatx`` counts), checked against Keras 3."""

import inspect
import os

import numpy as np
import pytest

import mini_keras as keras

Y_TRUE = np.array([[0, 1, 1], [1, 0, 1]], "float32")
Y_PRED = np.array([[0.2, 0.7, 0.9], [0.6, 0.4, 0.3]], "float32")
EXTRA = {"IoU": {"num_classes": 2, "target_class_ids": [0]}, "MeanIoU": {"num_classes": 2},
         "OneHotIoU": {"num_classes": 2, "target_class_ids": [0]},
         "OneHotMeanIoU": {"num_classes": 2}, "PrecisionAtRecall": {"recall": 0.5},
         "RecallAtPrecision": {"precision": 0.5}, "SensitivityAtSpecificity":
         {"specificity": 0.5}, "SpecificityAtSensitivity": {"sensitivity": 0.5}}
SPARSE = {"SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
          "SparseCategoricalCrossentropy"}
LABELS = {"MeanIoU", "IoU", "BinaryIoU"}


@pytest.fixture(scope="module")
def keras3():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def _names(keras3):
    """Every Keras 3 metric class (Metric and MeanMetricWrapper are bases, not metrics)."""
    return sorted(n for n, c in vars(keras3.metrics).items()
                  if inspect.isclass(c) and issubclass(c, keras3.metrics.Metric)
                  and n not in ("Metric", "MeanMetricWrapper"))


def _measure(module, name, dtype):
    """(metric.dtype, result dtype, variable dtypes, result) after one update."""
    metric = getattr(module.metrics, name)(dtype=dtype, **EXTRA.get(name, {}))
    if name in ("Mean", "Sum"):
        metric.update_state(Y_PRED)
    elif name in LABELS:
        metric.update_state(np.array([0, 1, 1]), np.array([0, 1, 0]))
    elif name in SPARSE:
        metric.update_state(np.array([1, 2]), Y_PRED)
    else:
        metric.update_state(Y_TRUE, Y_PRED)
    result = np.asarray(module.ops.convert_to_numpy(metric.result()))
    variables = sorted({str(np.asarray(module.ops.convert_to_numpy(v.value)).dtype)
                        for v in metric.variables})
    return str(metric.dtype), str(result.dtype), variables, result


def _on_backend(dtype: str) -> str:
    """The dtype a ``dtype`` tensor really has on the current backend (JAX without x64 keeps
    float64 as float32, as Keras 3's own JAX backend does)."""
    return str(keras.ops.convert_to_numpy(keras.ops.zeros((), dtype)).dtype)


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_state_and_result_dtypes_match_keras3(backend, keras3, dtype):
    names = _names(keras3)
    assert {"MeanSquaredError", "BinaryAccuracy", "Precision", "AUC", "F1Score"} <= set(names)
    for name in names:
        ours = _measure(keras, name, dtype)
        theirs = _measure(keras3, name, dtype)
        assert ours[0] == theirs[0] == dtype, name
        assert ours[1] == _on_backend(theirs[1]), (name, ours[1], theirs[1])
        assert ours[2] == sorted({_on_backend(d) for d in theirs[2]}), (name, ours[2], theirs[2])
        # the value, to the precision of the lower of the two result dtypes
        rtol = 2e-3 if "float16" in (ours[1], theirs[1]) else 1e-5
        np.testing.assert_allclose(ours[3], theirs[3], rtol=rtol, atol=rtol, err_msg=name)


def test_named_examples(backend, keras3):
    mse = _measure(keras, "MeanSquaredError", "float64")
    f64 = _on_backend("float64")
    assert mse[:3] == ("float64", f64, [f64])
    acc = _measure(keras, "BinaryAccuracy", "float16")
    assert acc[:3] == ("float16", "float16", ["float16"])
    precision = _measure(keras, "Precision", "float16")
    assert precision[:3] == ("float16", "float32", ["float32"])  # float32 counts, as Keras 3


def test_default_dtype_is_floatx(backend, keras3):
    previous = keras.config.floatx(), keras3.config.floatx()
    try:
        keras.config.set_floatx("float16")
        keras3.config.set_floatx("float16")
        for name in ("Mean", "Precision"):
            ours, theirs = _measure(keras, name, None), _measure(keras3, name, None)
            assert ours[:3] == theirs[:3] == ("float16", "float16", ["float16"]), name
    finally:
        keras.config.set_floatx(previous[0])
        keras3.config.set_floatx(previous[1])
