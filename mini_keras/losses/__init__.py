"""Losses (Keras 3 names): per-sample functions and ``Loss`` classes that reduce over the batch."""

from __future__ import annotations

from mini_keras.losses.loss import (
    Loss,
    LossFunctionWrapper,
    reduce_weighted_values,
    squeeze_or_expand_to_same_rank,
)
from mini_keras.losses.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    CosineSimilarity,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    cosine_similarity,
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

__all__ = [  # noqa: RUF022 - grouped: base, classes, functions
    "Loss", "LossFunctionWrapper", "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
    "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "Huber", "LogCosh", "KLDivergence", "Poisson", "Hinge",
    "SquaredHinge", "CategoricalHinge", "CosineSimilarity", "MeanSquaredLogarithmicError",
    "MeanAbsolutePercentageError",
    "mean_squared_error", "mean_absolute_error", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "huber", "log_cosh",
    "kl_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge",
    "cosine_similarity", "mean_squared_logarithmic_error", "mean_absolute_percentage_error",
    "get",
]

_CLASSES = (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, Huber, LogCosh, KLDivergence, Poisson, Hinge,
            SquaredHinge, CategoricalHinge, CosineSimilarity, MeanSquaredLogarithmicError,
            MeanAbsolutePercentageError)
_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "huber": Huber, "log_cosh": LogCosh, "kl_divergence": KLDivergence, "kld": KLDivergence,
    "poisson": Poisson, "hinge": Hinge, "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge, "cosine_similarity": CosineSimilarity,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError,
    "msle": MeanSquaredLogarithmicError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mape": MeanAbsolutePercentageError,
    **{cls.__name__: cls for cls in _CLASSES},
}


def get(identifier) -> Loss:
    """Return a Loss from a name ("mse", "huber", "Huber", "kld", ...), a class or a callable.

    Names are Keras' function names, class names and aliases (mse, mae, mape, msle, kld, bce,
    also upper-case).
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower() if identifier.isupper() else identifier
        cls = _BY_NAME.get(key)
        if cls is None:
            raise ValueError(f"Unknown loss {identifier!r}. Valid names: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss {identifier!r}: expected a name, a Loss or a callable.")
