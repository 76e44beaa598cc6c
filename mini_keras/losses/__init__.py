"""Losses (Keras 3 names): per-sample functions and ``Loss`` classes that reduce over the batch."""

from __future__ import annotations

from mini_keras import backends, ops

__all__ = ["Loss", "LossFunctionWrapper", "MeanSquaredError", "MeanAbsoluteError",
           "BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
           "mean_squared_error", "mean_absolute_error", "binary_crossentropy",
           "categorical_crossentropy", "sparse_categorical_crossentropy", "get"]

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "none", None)


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None) -> scalar``.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses.

    Args:
        name: the loss name.
        reduction: "sum_over_batch_size" (default), "sum", "mean" or "none".
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Loss '{name}': reduction must be one of {_REDUCTIONS}, "
                             f"received {reduction!r}")
        self.name = name or type(self).__name__
        self.reduction = reduction

    def __call__(self, y_true, y_pred, sample_weight=None):
        b = backends.current()
        y_pred = b.convert_to_tensor(y_pred)
        y_true = b.convert_to_tensor(y_true)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def call(self, y_true, y_pred):
        """Per-sample loss values."""
        raise NotImplementedError

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """Recreate from :meth:`get_config`."""
        return cls(**config)


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Apply ``sample_weight`` (broadcast over trailing dims) and reduce per ``reduction``."""
    b = backends.current()
    if sample_weight is not None:
        sw = b.cast(b.convert_to_tensor(sample_weight), b.dtype(values))
        while len(b.shape(sw)) > len(b.shape(values)):
            sw = b.squeeze(sw, axis=-1)
        while len(b.shape(sw)) < len(b.shape(values)):
            sw = b.expand_dims(sw, axis=-1)
        values = b.multiply(values, sw)
    if reduction in ("none", None):
        return values
    total = b.sum(values)
    if reduction == "sum":
        return total
    count = 1
    for d in b.shape(values):
        count *= d
    return b.divide(total, max(count, 1))


def _match_dtype(y_true, y_pred):
    b = backends.current()
    return b.cast(y_true, b.dtype(y_pred))


def mean_squared_error(y_true, y_pred):
    """Mean of squared errors over the last axis."""
    return ops.mean(ops.square(ops.subtract(_match_dtype(y_true, y_pred), y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean of absolute errors over the last axis."""
    return ops.mean(ops.abs(ops.subtract(_match_dtype(y_true, y_pred), y_pred)), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Mean binary cross-entropy over the last axis."""
    y_true = _match_dtype(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Cross-entropy with one-hot (or probability) targets."""
    y_true = _match_dtype(y_true, y_pred)
    if label_smoothing:
        k = backends.current().shape(y_pred)[axis]
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), label_smoothing / k)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    """Cross-entropy with integer class targets."""
    return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


class LossFunctionWrapper(Loss):
    """Wrap a per-sample function ``fn(y_true, y_pred, **kwargs)`` as a Loss."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


class MeanSquaredError(LossFunctionWrapper):
    """Mean squared error."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error"):
        super().__init__(mean_squared_error, name=name, reduction=reduction)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean absolute error."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name=name, reduction=reduction)


class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy; ``from_logits`` for raw scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy"):
        super().__init__(binary_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with one-hot targets; ``from_logits`` for raw scores."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer targets; ``from_logits`` for raw scores."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction,
                         from_logits=from_logits)
        self.from_logits = from_logits


_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def get(identifier) -> Loss:
    """Return a Loss from a name ("mse", "sparse_categorical_crossentropy", ...), class, or callable."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier) or {c.__name__: c for c in _BY_NAME.values()}.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown loss {identifier!r}. Valid names: "
                             f"{', '.join(sorted(_BY_NAME))}")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise TypeError(f"Could not interpret loss {identifier!r}: expected a name, a Loss or a callable.")
