"""The metrics added for Keras 3 parity, on every backend: results over two batches (with and
without sample weights) and configs equal Keras 3's; function forms equal Keras' functions;
names resolve through get/serialize/deserialize."""

import numpy as np
import pytest
from catalogue_helpers import keras_numpy, ours_numpy, real_keras

import mini_keras as keras

RNG = np.random.default_rng(11)
BINARY = RNG.integers(0, 2, size=(2, 8, 3)).astype("float32")
SCORES = RNG.uniform(0, 1, size=(2, 8, 3)).astype("float32")
REAL_T = RNG.normal(size=(2, 8, 5)).astype("float32")
REAL_P = (REAL_T + RNG.normal(size=(2, 8, 5)) * 0.7).astype("float32")
LABELS = RNG.integers(0, 3, size=(2, 8)).astype("int32")
PRED_LABELS = np.where(RNG.uniform(size=(2, 8)) < 0.6, LABELS,
                       RNG.integers(0, 3, size=(2, 8))).astype("int32")
ONE_HOT = np.eye(3, dtype="float32")[LABELS]
PROBS = RNG.dirichlet(np.ones(3), size=(2, 8)).astype("float32")
BIN_LABELS = RNG.integers(0, 2, size=(2, 8)).astype("float32")
BIN_SCORES = RNG.uniform(size=(2, 8)).astype("float32")
WEIGHTS = RNG.uniform(0, 2, size=(8,)).astype("float32")
INT_WEIGHTS = RNG.integers(0, 3, size=(8,)).astype("float32")

CASES = [  # (class, kwargs, y_true batches, y_pred batches, weights of the second batch)
    ("Hinge", {}, BINARY, REAL_P[..., :3], WEIGHTS),
    ("SquaredHinge", {}, BINARY, REAL_P[..., :3], WEIGHTS),
    ("CategoricalHinge", {}, ONE_HOT, REAL_P[..., :3], WEIGHTS),
    ("TruePositives", {}, BINARY, SCORES, WEIGHTS),
    ("TruePositives", {"thresholds": [0.2, 0.5, 0.9]}, BINARY, SCORES, WEIGHTS),
    ("FalsePositives", {"thresholds": 0.3}, BINARY, SCORES, WEIGHTS),
    ("TrueNegatives", {}, BINARY, SCORES, WEIGHTS),
    ("FalseNegatives", {"thresholds": [0.1, 0.7]}, BINARY, SCORES, WEIGHTS),
    ("PrecisionAtRecall", {"recall": 0.6}, BINARY, SCORES, WEIGHTS),
    ("PrecisionAtRecall", {"recall": 0.3, "num_thresholds": 7, "class_id": 1}, BINARY, SCORES,
     WEIGHTS),
    ("RecallAtPrecision", {"precision": 0.5}, BINARY, SCORES, WEIGHTS),
    ("RecallAtPrecision", {"precision": 0.99, "num_thresholds": 1}, BINARY, SCORES, None),
    ("SensitivityAtSpecificity", {"specificity": 0.4}, BINARY, SCORES, WEIGHTS),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 20}, BINARY, SCORES,
     WEIGHTS),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, LABELS, PRED_LABELS, INT_WEIGHTS),
    ("IoU", {"num_classes": 3, "target_class_ids": [1], "ignore_class": 0}, LABELS,
     PRED_LABELS, None),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 1], "sparse_y_true": False,
             "sparse_y_pred": False}, ONE_HOT, PROBS, INT_WEIGHTS),
    ("BinaryIoU", {}, BIN_LABELS, BIN_SCORES, INT_WEIGHTS),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, BIN_LABELS, BIN_SCORES, None),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1, 2]}, ONE_HOT, PROBS, INT_WEIGHTS),
    ("OneHotMeanIoU", {"num_classes": 3}, ONE_HOT, PROBS, INT_WEIGHTS),
    ("MeanIoU", {"num_classes": 3}, LABELS, PRED_LABELS, WEIGHTS),
    ("PearsonCorrelation", {}, REAL_T, REAL_P, WEIGHTS),
    ("PearsonCorrelation", {"axis": 0}, REAL_T, REAL_P, None),
    ("ConcordanceCorrelation", {}, REAL_T, REAL_P, WEIGHTS),
    ("ConcordanceCorrelation", {"axis": 0}, REAL_T, REAL_P, None),
]
IDS = [f"{c[0]}{i}" for i, c in enumerate(CASES)]


def _run(metric, y_true, y_pred, weights, convert):
    metric.update_state(convert(y_true[0]), convert(y_pred[0]))
    metric.update_state(convert(y_true[1]), convert(y_pred[1]),
                        None if weights is None else convert(weights))
    return metric.result()


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred", "weights"), CASES, ids=IDS)
def test_metric_matches_keras(backend, name, kwargs, y_true, y_pred, weights):
    ours = getattr(keras.metrics, name)(**kwargs)
    theirs = getattr(real_keras().metrics, name)(**kwargs)
    got = ours_numpy(_run(ours, y_true, y_pred, weights, keras.ops.convert_to_tensor))
    expected = keras_numpy(_run(theirs, y_true, y_pred, weights, lambda v: v))
    assert got.shape == expected.shape
    # float32 sums of <= 48 weighted terms, then a ratio or a few means
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    ours_config, their_config = ours.get_config(), theirs.get_config()
    # Keras numbers a repeated default name (true_positives_1): compare the stem
    assert their_config.pop("name").startswith(ours_config.pop("name"))
    if "IoU" in name:  # Keras' "int" is int64 under TensorFlow, int32 under numpy/JAX
        assert ours_config.pop("dtype") == "int32" and their_config.pop("dtype")[:3] == "int"
    assert ours_config == their_config
    again = getattr(keras.metrics, name)(**{k: v for k, v in ours.get_config().items()})
    assert again.get_config() == ours.get_config()
    ours.reset_state()
    assert all(not np.any(ours_numpy(v.value)) for v in ours.variables)


FUNCTIONS = [  # (name, y_true, y_pred, kwargs)
    ("binary_crossentropy", BINARY[0], SCORES[0], {}),
    ("binary_focal_crossentropy", BINARY[0], SCORES[0], {"gamma": 1.0}),
    ("categorical_crossentropy", ONE_HOT[0], PROBS[0], {}),
    ("categorical_focal_crossentropy", ONE_HOT[0], PROBS[0], {}),
    ("categorical_hinge", ONE_HOT[0], REAL_P[0, :, :3], {}),
    ("hinge", BINARY[0], REAL_P[0, :, :3], {}),
    ("squared_hinge", BINARY[0], REAL_P[0, :, :3], {}),
    ("huber", REAL_T[0], REAL_P[0], {"delta": 0.5}),
    ("kl_divergence", PROBS[1], PROBS[0], {}),
    ("log_cosh", REAL_T[0], REAL_P[0], {}),
    ("mean_absolute_error", REAL_T[0], REAL_P[0], {}),
    ("mean_absolute_percentage_error", REAL_T[0], REAL_P[0], {}),
    ("mean_squared_error", REAL_T[0], REAL_P[0], {}),
    ("mean_squared_logarithmic_error", np.abs(REAL_T[0]), REAL_P[0], {}),
    ("poisson", np.abs(REAL_T[0]), np.abs(REAL_P[0]), {}),
    ("sparse_categorical_crossentropy", LABELS[0], PROBS[0], {}),
    ("pearson_correlation", REAL_T[0], REAL_P[0], {}),
    ("pearson_correlation", REAL_T[0], REAL_P[0], {"axis": 0}),
    ("concordance_correlation", REAL_T[0], REAL_P[0], {}),
    ("concordance_correlation", REAL_T[0], REAL_P[0], {"axis": 0}),
]


@pytest.mark.parametrize(("name", "y_true", "y_pred", "kwargs"), FUNCTIONS,
                         ids=[f"{f[0]}{i}" for i, f in enumerate(FUNCTIONS)])
def test_function_form_matches_keras(backend, name, y_true, y_pred, kwargs):
    convert = keras.ops.convert_to_tensor
    got = ours_numpy(getattr(keras.metrics, name)(convert(y_true), convert(y_pred), **kwargs))
    expected = keras_numpy(getattr(real_keras().metrics, name)(y_true, y_pred, **kwargs))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_names_resolve_like_keras():
    theirs = real_keras().metrics
    for name, *_ in CASES:
        if name in ("Hinge", "SquaredHinge", "CategoricalHinge", "TruePositives",
                    "PearsonCorrelation", "ConcordanceCorrelation"):
            assert type(keras.metrics.deserialize(name)).__name__ == name
            ours = keras.metrics.serialize(getattr(keras.metrics, name)(name="m"))
            assert ours == theirs.serialize(getattr(theirs, name)(name="m"))
            assert type(keras.metrics.deserialize(ours)).__name__ == name
    for name, *_ in FUNCTIONS:
        assert keras.metrics.deserialize(name) is getattr(keras.metrics, name)
    assert type(keras.metrics.deserialize("mse")).__name__ == "MeanSquaredError"
    assert keras.metrics.hinge is keras.losses.hinge
    with pytest.raises(ValueError, match="Unknown metric 'hinj'"):
        keras.metrics.deserialize("hinj")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"PrecisionAtRecall: `recall` must be in \[0, 1\]"):
        keras.metrics.PrecisionAtRecall(recall=1.5)
    with pytest.raises(ValueError, match="num_thresholds` must be an integer > 0"):
        keras.metrics.SensitivityAtSpecificity(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match=r"target_class_ids` must be class ids in \[0, 3\)"):
        keras.metrics.IoU(num_classes=3, target_class_ids=[3])
