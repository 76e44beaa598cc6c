"""Losses (Keras 3 names): per-sample functions and ``Loss`` classes that reduce over the batch."""

from __future__ import annotations

from mini_keras.losses.circle import Circle, circle
from mini_keras.losses.ctc import CTC, ctc
from mini_keras.losses.focal import (
    BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    binary_focal_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
)
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
from mini_keras.losses.overlap import Dice, Tversky, dice, tversky
from mini_keras.saving import module_serialization as _module_serialization

__all__ = [  # noqa: RUF022 - grouped: base, classes, functions
    "Loss", "LossFunctionWrapper", "reduce_weighted_values", "squeeze_or_expand_to_same_rank",
    "MeanSquaredError", "MeanAbsoluteError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "Huber", "LogCosh", "KLDivergence", "Poisson", "Hinge",
    "SquaredHinge", "CategoricalHinge", "CosineSimilarity", "MeanSquaredLogarithmicError",
    "MeanAbsolutePercentageError", "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy", "Dice", "Tversky", "Circle", "CTC",
    "mean_squared_error", "mean_absolute_error", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "huber", "log_cosh",
    "kl_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge",
    "cosine_similarity", "mean_squared_logarithmic_error", "mean_absolute_percentage_error",
    "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy", "dice", "tversky", "circle", "ctc",
    "deserialize", "get", "serialize",
]

_CLASSES = (MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, Huber, LogCosh, KLDivergence, Poisson, Hinge,
            SquaredHinge, CategoricalHinge, CosineSimilarity, MeanSquaredLogarithmicError,
            MeanAbsolutePercentageError, BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
            CategoricalGeneralizedCrossEntropy, Dice, Tversky, Circle, CTC)
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
    **{cls().fn.__name__: cls for cls in _CLASSES},
}
# Names a config may use: the functions by their names, the classes by theirs.
_OBJECTS = {**{cls.__name__: cls for cls in _CLASSES}, **{cls().fn.__name__: cls().fn
                                                           for cls in _CLASSES}}


def serialize(loss) -> dict:
    """The Keras 3 config of a loss object or function."""
    return _module_serialization.serialize(loss)


def deserialize(name, custom_objects=None):
    """A loss from its Keras 3 config, a function name (the function) or a class name (an
    instance with the defaults)."""
    return _module_serialization.deserialize(name, _OBJECTS, "loss", custom_objects)


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
