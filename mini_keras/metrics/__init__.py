"""Metrics (Keras 3 names): stateful running statistics whose state lives in Variables."""

from __future__ import annotations

from mini_keras import backends, losses, ops
from mini_keras.core.variable import Variable

__all__ = ["Metric", "Mean", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
           "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanSquaredError",
           "MeanAbsoluteError", "get", "accuracy_for_loss"]


class Metric:
    """Base class: ``update_state(y_true, y_pred, sample_weight)``, ``result()``, ``reset_state()``.

    State is held in Variables created with :meth:`add_variable` on the current backend, so
    compiled train steps update it in place (JAX threads it through the jitted step).
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__.lower()
        self.dtype = dtype or "float32"
        self._variables: list[Variable] = []

    def add_variable(self, shape=(), initializer="zeros", dtype=None, name=None):
        """Create a non-trainable state Variable."""
        from mini_keras import initializers
        var = Variable(initializers.get(initializer), shape=shape, dtype=dtype or self.dtype,
                       trainable=False, name=name or "state", path=f"{self.name}/{name}")
        self._variables.append(var)
        return var

    @property
    def variables(self) -> list[Variable]:
        """The state variables."""
        return list(self._variables)

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for v in self._variables:
            v.assign(backends.get(v.backend).zeros(v.shape, dtype=v.dtype))

    def update_state(self, *args, **kwargs):
        """Accumulate a batch."""
        raise NotImplementedError

    def result(self):
        """The current value (a scalar tensor)."""
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Update with a batch and return the new result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        """Constructor arguments."""
        return {"name": self.name, "dtype": self.dtype}


class Mean(Metric):
    """Weighted running mean of the values passed to ``update_state``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(name="total")
        self.count = self.add_variable(name="count")

    def update_state(self, values, sample_weight=None):
        b = backends.current()
        values = b.cast(b.convert_to_tensor(values), self.dtype)
        if sample_weight is None:
            n = 1
            for d in b.shape(values):
                n *= d
            self.total.assign(b.add(self.total.value, b.sum(values)))
            self.count.assign(b.add(self.count.value, float(n)))
            return
        sw = b.cast(b.convert_to_tensor(sample_weight), self.dtype)
        while len(b.shape(sw)) > len(b.shape(values)):
            sw = b.squeeze(sw, axis=-1)
        sw = b.broadcast_to(sw if len(b.shape(sw)) == len(b.shape(values)) else
                            b.reshape(sw, tuple(b.shape(sw)) + (1,) *
                                      (len(b.shape(values)) - len(b.shape(sw)))),
                            b.shape(values))
        self.total.assign(b.add(self.total.value, b.sum(b.multiply(values, sw))))
        self.count.assign(b.add(self.count.value, b.sum(sw)))

    def result(self):
        b = backends.current()
        return b.divide(self.total.value, b.maximum(self.count.value, 1e-12))


class MeanMetricWrapper(Mean):
    """Mean over the batch of ``fn(y_true, y_pred)`` per sample."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` exactly."""
    b = backends.current()
    y_pred = b.convert_to_tensor(y_pred)
    return b.cast(b.equal(b.cast(b.convert_to_tensor(y_true), b.dtype(y_pred)), y_pred), "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of ``(y_pred > threshold) == y_true``."""
    b = backends.current()
    pred = b.cast(b.greater(y_pred, threshold), "float32")
    true = b.cast(b.convert_to_tensor(y_true), "float32")
    return b.mean(b.cast(b.equal(true, pred), "float32"), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_true) == argmax(y_pred)``."""
    b = backends.current()
    return b.cast(b.equal(b.argmax(y_true, axis=-1), b.argmax(y_pred, axis=-1)), "float32")


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals ``argmax(y_pred)``."""
    b = backends.current()
    y_true = b.convert_to_tensor(y_true)
    if len(b.shape(y_true)) == len(b.shape(y_pred)) and b.shape(y_true)[-1] == 1:
        y_true = b.squeeze(y_true, axis=-1)
    pred = b.argmax(y_pred, axis=-1)
    return b.cast(b.equal(b.cast(y_true, "int32"), pred), "float32")


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches one-hot labels."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max of predictions matches integer labels."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper):
    """Running mean squared error."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean absolute error."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


_BY_NAME = {
    "binary_accuracy": BinaryAccuracy, "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
}


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

    "accuracy"/"acc" resolve (like Keras) to binary, categorical or sparse accuracy from the loss
    and the shapes of targets and predictions.
    """
    if isinstance(identifier, Metric):
        return identifier
    if identifier in ("accuracy", "acc"):
        return accuracy_for_loss(loss, y_true_shape, y_pred_shape, identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier)
        if cls is None:
            valid = sorted(list(_BY_NAME) + ["accuracy", "acc"])
            raise ValueError(f"Unknown metric {identifier!r}. Valid names: {', '.join(valid)}")
        return cls(name=identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"Could not interpret metric {identifier!r}.")
