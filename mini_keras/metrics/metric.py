"""The Metric base class and the reducing metrics: Mean, Sum, MeanMetricWrapper."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.common.naming import to_snake_case
from mini_keras.common.settings import floatx
from mini_keras.core.variable import Variable
from mini_keras.metrics.stateless_api import StatelessMetricAPI


class Metric(StatelessMetricAPI):
    """Base class: ``update_state(y_true, y_pred, sample_weight)``, ``result()``, ``reset_state()``.

    State is held in Variables created with :meth:`add_variable` on the current backend, so
    compiled train steps update it in place (JAX threads it through the jitted step). Metrics
    whose state shape depends on the data (F1Score, R2Score, ...) create it in
    :meth:`build_from_shapes`, which ``metrics.get`` calls at compile time; used standalone they
    build on the first ``update_state``.
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or to_snake_case(type(self).__name__)
        self.dtype = dtype or floatx()
        self._variables: list[Variable] = []

    def add_variable(self, shape=(), initializer="zeros", dtype=None, aggregation="sum",
                     name=None):
        """Create a non-trainable state Variable (summed over replicas under a distribution).

        ``dtype`` defaults to ``config.floatx()``, not the metric's dtype (as Keras 3: the
        confusion-count metrics keep float32 counts whatever ``dtype`` they are given)."""
        from mini_keras import initializers
        var = Variable(initializers.get(initializer), shape=shape, dtype=dtype or floatx(),
                       trainable=False, name=name or "state", path=f"{self.name}/{name}",
                       aggregation=aggregation)
        self._variables.append(var)
        return var

    def build_from_shapes(self, y_true_shape, y_pred_shape) -> None:
        """Create data-dependent state from the label/prediction shapes (default: nothing)."""

    @property
    def variables(self) -> list[Variable]:
        """The state variables."""
        return list(self._variables)

    def reset_state(self) -> None:
        """Set every state variable back to zero."""
        for v in self._variables:
            v.assign(np.zeros(v.shape, dtype="float32"))  # assign casts to the state's dtype

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


def _broadcast_weight(sample_weight, values, dtype):
    """Cast ``sample_weight`` and broadcast it (aligned on the leading axes) to ``values``."""
    sw = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
    while len(ops.shape(sw)) > len(ops.shape(values)):
        sw = ops.squeeze(sw, axis=-1)
    missing = len(ops.shape(values)) - len(ops.shape(sw))
    if missing:
        sw = ops.reshape(sw, tuple(ops.shape(sw)) + (1,) * missing)
    return ops.broadcast_to(sw, ops.shape(values))


class Mean(Metric):
    """Weighted running mean of the values passed to ``update_state``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(dtype=self.dtype, name="total")
        self.count = self.add_variable(dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        values = ops.cast(ops.convert_to_tensor(values), self.dtype)
        if isinstance(sample_weight, (int, float)) and not ops.shape(values):
            # a scalar with a scalar weight (the trainer's loss tracker: loss x batch size)
            self.total.assign(ops.add(self.total.value, ops.multiply(values, float(sample_weight))))
            self.count.assign(ops.add(self.count.value, float(sample_weight)))
            return
        if sample_weight is None:
            n = 1
            for d in ops.shape(values):
                n *= d
            self.total.assign(ops.add(self.total.value, ops.sum(values)))
            self.count.assign(ops.add(self.count.value, float(n)))
            return
        sw = _broadcast_weight(sample_weight, values, self.dtype)
        self.total.assign(ops.add(self.total.value, ops.sum(ops.multiply(values, sw))))
        self.count.assign(ops.add(self.count.value, ops.sum(sw)))

    def result(self):
        return ops.divide(self.total.value, ops.maximum(self.count.value, 1e-12))


class Sum(Metric):
    """Weighted running sum of the values passed to ``update_state``."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values = ops.cast(ops.convert_to_tensor(values), self.dtype)
        if sample_weight is not None:
            values = ops.multiply(values, _broadcast_weight(sample_weight, values, self.dtype))
        self.total.assign(ops.add(self.total.value, ops.sum(values)))

    def result(self):
        return self.total.value


class MeanMetricWrapper(Mean):
    """Mean over the batch of ``fn(y_true, y_pred)`` per sample."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, dtype=dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
