"""Metrics (Keras 3 names): stateful running statistics whose state lives in Variables."""

from __future__ import annotations

from mini_keras import losses
from mini_keras.losses import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from mini_keras.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from mini_keras.metrics.confusion import AUC, Precision, Recall
from mini_keras.metrics.confusion_counts import (
    FalseNegatives,
    FalsePositives,
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from mini_keras.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from mini_keras.metrics.f_score import F1Score, FBetaScore
from mini_keras.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from mini_keras.metrics.iou import MeanIoU
from mini_keras.metrics.iou_variants import BinaryIoU, IoU, OneHotIoU, OneHotMeanIoU
from mini_keras.metrics.metric import Mean, MeanMetricWrapper, Metric, Sum, to_snake_case
from mini_keras.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
)
from mini_keras.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from mini_keras.saving import module_serialization as _module_serialization

__all__ = [  # noqa: RUF022 - grouped by kind
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "Precision", "Recall", "AUC", "F1Score", "FBetaScore", "MeanIoU",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "RootMeanSquaredError", "R2Score", "LogCoshError",
    "CosineSimilarity",
    "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
    "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge",
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "PrecisionAtRecall",
    "RecallAtPrecision", "SensitivityAtSpecificity", "SpecificityAtSensitivity", "IoU",
    "BinaryIoU", "OneHotIoU", "OneHotMeanIoU", "PearsonCorrelation", "ConcordanceCorrelation",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber", "kl_divergence",
    "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge", "pearson_correlation", "concordance_correlation",
    "accuracy_for_loss", "deserialize", "get", "serialize",
]

_CLASSES = (Mean, Sum, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, Precision, Recall, AUC,
            F1Score, FBetaScore, MeanSquaredError, MeanAbsoluteError,
            MeanAbsolutePercentageError, MeanSquaredLogarithmicError, RootMeanSquaredError,
            R2Score, LogCoshError, CosineSimilarity, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson,
            Hinge, SquaredHinge, CategoricalHinge, TruePositives, FalsePositives, TrueNegatives,
            FalseNegatives, PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity,
            SpecificityAtSensitivity, MeanIoU, IoU, BinaryIoU, OneHotIoU, OneHotMeanIoU,
            PearsonCorrelation, ConcordanceCorrelation, Accuracy)
_FUNCTIONS = (accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
              top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
              binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
              categorical_focal_crossentropy, categorical_hinge, hinge, huber, kl_divergence,
              log_cosh, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
              mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
              squared_hinge, pearson_correlation, concordance_correlation)

_BY_NAME = {
    **{cls.__name__: cls for cls in _CLASSES},
    **{to_snake_case(cls.__name__): cls for cls in _CLASSES},
    "auc": AUC, "f_beta_score": FBetaScore,
    "mse": MeanSquaredError, "mae": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "bce": BinaryCrossentropy,
}
# Names a config may use: the classes and the functions by their names, and the aliases.
_OBJECTS = {**_BY_NAME, **{f.__name__: f for f in _FUNCTIONS}}


def serialize(metric) -> dict:
    """The Keras 3 config of a metric object or function."""
    return _module_serialization.serialize(metric)


def deserialize(config, custom_objects=None):
    """A metric from its Keras 3 config, a function name (the function) or a class name (an
    instance with the defaults)."""
    return _module_serialization.deserialize(config, _OBJECTS, "metric", custom_objects)


def accuracy_for_loss(loss, y_true_shape, y_pred_shape, name):
    """Pick the accuracy Keras would pick for metrics=["accuracy"] given the loss and shapes."""
    fn = getattr(loss, "fn", None)
    if fn is losses.binary_crossentropy:
        return BinaryAccuracy(name=name)
    if fn is losses.sparse_categorical_crossentropy:
        return SparseCategoricalAccuracy(name=name)
    if fn is losses.categorical_crossentropy:
        return CategoricalAccuracy(name=name)
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy(name=name)
    if len(y_true_shape) == len(y_pred_shape) and y_true_shape[-1] == y_pred_shape[-1]:
        return CategoricalAccuracy(name=name)
    return SparseCategoricalAccuracy(name=name)


def get(identifier, loss=None, y_true_shape=None, y_pred_shape=None) -> Metric:
    """Return a Metric from a name, class, instance or function.

    Names are Keras' class names, their snake_case forms ("precision", "auc", "f1_score",
    "root_mean_squared_error", ...) and aliases (mse, mae, mape, msle, bce). "accuracy"/"acc"
    resolve (like Keras) to binary, categorical or sparse accuracy from the loss and the shapes
    of targets and predictions. When the shapes are given, metrics whose state depends on them
    (F1Score, R2Score, multi-label AUC) create it now, so compiled steps see all the state.
    """
    if identifier in ("accuracy", "acc"):
        return accuracy_for_loss(loss, y_true_shape, y_pred_shape, identifier)
    if isinstance(identifier, Metric):
        metric = identifier
    elif isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            valid = sorted(list(_BY_NAME) + ["accuracy", "acc"])
            raise ValueError(f"Unknown metric {identifier!r}. Valid names: {', '.join(valid)}")
        metric = cls(name=identifier)
    elif isinstance(identifier, type) and issubclass(identifier, Metric):
        metric = identifier()
    elif callable(identifier):
        metric = MeanMetricWrapper(identifier)
    else:
        raise TypeError(f"Could not interpret metric {identifier!r}.")
    if y_true_shape is not None and y_pred_shape is not None:
        metric.build_from_shapes(tuple(y_true_shape), tuple(y_pred_shape))
    return metric
