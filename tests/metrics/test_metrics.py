"""Metrics on every backend: several weighted updates equal real Keras 3 (and scikit-learn);
used in compile(metrics=[...]) within fit with Keras' log names."""

import re

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

RNG = np.random.default_rng(0)
N, C = 12, 4
BATCHES = 2
Y_BIN = RNG.integers(0, 2, size=(BATCHES, N, 1)).astype("float32")
P_BIN = np.clip(0.35 * Y_BIN + RNG.uniform(0, 0.65, size=(BATCHES, N, 1)), 0, 1).astype("float32")
LABELS = RNG.integers(0, C, size=(BATCHES, N))
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
SCORES = RNG.dirichlet(np.ones(C), size=(BATCHES, N)).astype("float32")
MULTI = RNG.integers(0, 2, size=(BATCHES, N, C)).astype("float32")
REAL_T = RNG.normal(size=(BATCHES, N, 3)).astype("float32")
REAL_P = (REAL_T + 0.5 * RNG.normal(size=(BATCHES, N, 3))).astype("float32")
PRED_IDS = np.where(RNG.uniform(size=(BATCHES, N)) < 0.6, LABELS,
                    RNG.integers(0, C, size=(BATCHES, N)))
WEIGHTS = RNG.uniform(0, 2, size=(BATCHES, N)).astype("float32")
INT_WEIGHTS = RNG.integers(0, 3, size=(BATCHES, N)).astype("float32")

_KERAS_CACHE: dict = {}
# (class name, kwargs, y_true batches, y_pred batches, sample weights)
CASES = [
    ("Precision", {}, Y_BIN, P_BIN, WEIGHTS),
    ("Precision", {"top_k": 2}, MULTI, SCORES, WEIGHTS),
    ("Precision", {"class_id": 1}, MULTI, SCORES, WEIGHTS),
    ("Recall", {}, Y_BIN, P_BIN, WEIGHTS),
    ("Recall", {"thresholds": [0.2, 0.6]}, MULTI, SCORES, None),
    ("AUC", {"num_thresholds": 7, "summation_method": "minoring", "curve": "PR"}, Y_BIN, P_BIN,
     None),
    ("AUC", {}, Y_BIN, P_BIN, WEIGHTS),
    ("AUC", {"curve": "PR"}, Y_BIN, P_BIN, WEIGHTS),
    ("AUC", {"curve": "PR", "summation_method": "majoring"}, Y_BIN, P_BIN, WEIGHTS),
    ("AUC", {"multi_label": True}, MULTI, SCORES, WEIGHTS),
    ("AUC", {"thresholds": [0.2, 0.5, 0.9]}, Y_BIN, P_BIN, WEIGHTS),
    ("F1Score", {}, ONE_HOT, SCORES, WEIGHTS),
    ("F1Score", {"average": "micro", "threshold": 0.3}, MULTI, SCORES, WEIGHTS),
    ("F1Score", {"average": "weighted", "threshold": 0.25}, MULTI, SCORES, WEIGHTS),
    ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.3}, MULTI, SCORES, WEIGHTS),
    ("TopKCategoricalAccuracy", {"k": 2}, ONE_HOT, SCORES, WEIGHTS),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, LABELS, SCORES, WEIGHTS),
    ("MeanIoU", {"num_classes": C}, LABELS, PRED_IDS, INT_WEIGHTS),
    ("MeanIoU", {"num_classes": C, "sparse_y_pred": False}, LABELS, SCORES, None),
    ("R2Score", {}, REAL_T, REAL_P, WEIGHTS),
    ("R2Score", {"class_aggregation": "variance_weighted_average", "num_regressors": 2},
     REAL_T, REAL_P, WEIGHTS),
    ("R2Score", {"class_aggregation": None}, REAL_T, REAL_P, None),
    ("RootMeanSquaredError", {}, REAL_T, REAL_P, WEIGHTS),
    ("MeanAbsolutePercentageError", {}, REAL_T, REAL_P, WEIGHTS),
    ("MeanSquaredLogarithmicError", {}, np.abs(REAL_T), np.abs(REAL_P), WEIGHTS),
    ("CosineSimilarity", {}, REAL_T, REAL_P, WEIGHTS),
    ("BinaryCrossentropy", {}, Y_BIN, P_BIN, WEIGHTS),
    ("CategoricalCrossentropy", {}, ONE_HOT, SCORES, WEIGHTS),
    ("SparseCategoricalCrossentropy", {}, LABELS, SCORES, WEIGHTS),
    ("KLDivergence", {}, ONE_HOT, SCORES, WEIGHTS),
]


def _run(metric, y_true, y_pred, weights, to_tensor, to_numpy):
    for i in range(BATCHES):
        sw = None if weights is None else to_tensor(weights[i])
        metric.update_state(to_tensor(y_true[i]), to_tensor(y_pred[i]), sample_weight=sw)
    return np.asarray(to_numpy(metric.result()))


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred", "weights"), CASES,
                         ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
def test_metric_matches_keras(backend, name, kwargs, y_true, y_pred, weights):
    real_keras = pytest.importorskip("keras")
    b = backends.current()
    ours = getattr(keras.metrics, name)(**kwargs)
    value = _run(ours, y_true, y_pred, weights, b.convert_to_tensor, b.convert_to_numpy)
    key = (name, repr(sorted(kwargs.items())), id(y_true), id(y_pred), id(weights))
    if key not in _KERAS_CACHE:  # the reference does not depend on our backend: compute once
        _KERAS_CACHE[key] = _run(getattr(real_keras.metrics, name)(**kwargs), y_true, y_pred,
                                 weights, real_keras.ops.convert_to_tensor,
                                 real_keras.ops.convert_to_numpy)
    expected = _KERAS_CACHE[key]
    np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)
    keras_name = getattr(real_keras.metrics, name)(**kwargs).name
    assert ours.name == re.sub(r"_\d+$", "", keras_name)  # Keras numbers repeated instances
    ours.reset_state()
    assert all(not np.any(v.numpy()) for v in ours.variables)


def test_threshold_metrics_match_sklearn(backend):
    metrics = pytest.importorskip("sklearn.metrics")
    b = backends.current()
    y, p, w = Y_BIN.ravel(), P_BIN.ravel(), WEIGHTS.ravel()

    def run(metric):
        return float(_run(metric, Y_BIN, P_BIN, WEIGHTS, b.convert_to_tensor, b.convert_to_numpy))

    hard = (p > 0.5).astype(int)
    np.testing.assert_allclose(run(keras.metrics.Precision()),
                               metrics.precision_score(y, hard, sample_weight=w), rtol=1e-5)
    np.testing.assert_allclose(run(keras.metrics.Recall()),
                               metrics.recall_score(y, hard, sample_weight=w), rtol=1e-5)
    # With thresholds finer than the gaps between scores, the Riemann sum is the exact ROC AUC.
    np.testing.assert_allclose(run(keras.metrics.AUC(num_thresholds=10000)),
                               metrics.roc_auc_score(y, p, sample_weight=w), atol=1e-5)
    f1 = keras.metrics.F1Score(average="macro")
    value = _run(f1, ONE_HOT, SCORES, WEIGHTS, b.convert_to_tensor, b.convert_to_numpy)
    np.testing.assert_allclose(value, metrics.f1_score(LABELS.ravel(), SCORES.reshape(-1, C)
                                                       .argmax(-1), average="macro",
                                                       sample_weight=WEIGHTS.ravel()),
                               rtol=1e-4)
    r2 = keras.metrics.R2Score()
    value = _run(r2, REAL_T, REAL_P, WEIGHTS, b.convert_to_tensor, b.convert_to_numpy)
    np.testing.assert_allclose(value, metrics.r2_score(REAL_T.reshape(-1, 3),
                                                       REAL_P.reshape(-1, 3),
                                                       sample_weight=WEIGHTS.ravel()), rtol=1e-4)


def test_sum_and_mean(backend):
    b = backends.current()
    total, mean = keras.metrics.Sum(), keras.metrics.Mean()
    for values, sw in [([1.0, 2.0, 3.0], [1.0, 0.0, 2.0]), ([4.0], None)]:
        sw_t = None if sw is None else b.convert_to_tensor(np.array(sw, "float32"))
        total.update_state(b.convert_to_tensor(np.array(values, "float32")), sample_weight=sw_t)
        mean.update_state(b.convert_to_tensor(np.array(values, "float32")), sample_weight=sw_t)
    assert float(b.convert_to_numpy(total.result())) == pytest.approx(1 + 6 + 4)
    assert float(b.convert_to_numpy(mean.result())) == pytest.approx(11 / 4)


@pytest.mark.parametrize("name", ["precision", "recall", "auc", "f1_score", "r2_score",
                                  "root_mean_squared_error", "top_k_categorical_accuracy",
                                  "Precision", "AUC", "mape", "msle", "sum"])
def test_get_by_name(name):
    metric = keras.metrics.get(name)
    assert isinstance(metric, keras.metrics.Metric) and metric.name == name
    with pytest.raises(ValueError, match="Unknown metric"):
        keras.metrics.get("precission")


def test_metrics_in_fit_binary(backend):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] + 0.5 * x[:, 1:2] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.2), loss="binary_crossentropy",
                  metrics=["precision", "recall", "auc",
                           keras.metrics.F1Score(average="macro", threshold=0.5)])
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "precision", "recall", "auc", "f1_score"}
    # evaluate's metrics equal the standalone metrics on the model's predictions
    results = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    pred = model.predict(x, verbose=0)
    b = backends.current()
    for name, metric in [("precision", keras.metrics.Precision()), ("auc", keras.metrics.AUC()),
                         ("recall", keras.metrics.Recall())]:
        metric.update_state(b.convert_to_tensor(y), b.convert_to_tensor(pred))
        np.testing.assert_allclose(results[name], float(b.convert_to_numpy(metric.result())),
                                   rtol=1e-5, atol=1e-6)
    assert results["auc"] > 0.9


def test_metrics_in_fit_multiclass_and_regression(backend):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(24, 3)).astype("float32")
    labels = np.argmax(x, axis=1)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=[keras.metrics.SparseTopKCategoricalAccuracy(k=2),
                           keras.metrics.MeanIoU(num_classes=3, sparse_y_pred=False)])
    history = model.fit(x, labels, epochs=1, batch_size=24, verbose=0)
    assert {"loss", "sparse_top_k_categorical_accuracy", "mean_io_u"} <= set(history.history)
    reg = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    reg.compile(optimizer="sgd", loss="mse",
                metrics=["root_mean_squared_error", keras.metrics.R2Score(), "mape"])
    y = np.stack([x.sum(1), x[:, 0]], axis=1).astype("float32")
    history = reg.fit(x, y, epochs=1, batch_size=24, verbose=0)
    assert {"root_mean_squared_error", "r2_score", "mape"} <= set(history.history)
    results = reg.evaluate(x, y, batch_size=24, verbose=0, return_dict=True)
    pred = reg.predict(x, verbose=0)
    np.testing.assert_allclose(results["root_mean_squared_error"],
                               np.sqrt(np.mean((pred - y) ** 2)), rtol=1e-5)
    np.testing.assert_allclose(results["loss"], np.mean((pred - y) ** 2), rtol=1e-5)
