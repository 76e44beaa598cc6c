"""Regression metrics (Keras 3 names): MSE, MAE, MAPE, MSLE, RMSE, log-cosh, cosine, R2."""

from __future__ import annotations

from mini_keras import backends, losses
from mini_keras.losses.loss import squeeze_or_expand_to_same_rank
from mini_keras.metrics.metric import Mean, MeanMetricWrapper, Metric


class MeanSquaredError(MeanMetricWrapper):
    """Running mean squared error."""

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean absolute error."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class LogCoshError(MeanMetricWrapper):
    """Running mean of ``log(cosh(y_pred - y_true))``."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean cosine similarity (positive: 1 means same direction).

    Args:
        axis: the axis along which the similarity is computed.
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(_cosine_similarity, name=name, dtype=dtype, axis=axis)


def _cosine_similarity(y_true, y_pred, axis=-1):
    return backends.current().negative(losses.cosine_similarity(y_true, y_pred, axis=axis))


class RootMeanSquaredError(Mean):
    """Square root of the running (weighted) mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        b = backends.current()
        y_true = b.cast(b.convert_to_tensor(y_true), self.dtype)
        y_pred = b.cast(b.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(b.square(b.subtract(y_pred, y_true)), sample_weight)

    def result(self):
        return backends.current().sqrt(super().result())


class R2Score(Metric):
    """Coefficient of determination ``1 - SS_res / SS_tot`` per output, then aggregated.

    Args:
        class_aggregation: "uniform_average" (mean over outputs), "variance_weighted_average"
            or None (one score per output).
        num_regressors: number of regressors for the adjusted R2 (0: plain R2).
        name: metric name.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in (None, "uniform_average", "variance_weighted_average"):
            raise ValueError("R2Score: class_aggregation must be None, 'uniform_average' or "
                             f"'variance_weighted_average', received {class_aggregation!r}")
        if num_regressors < 0:
            raise ValueError(f"R2Score: num_regressors must be >= 0, received {num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable(name="num_samples")
        self._built = False

    def build_from_shapes(self, y_true_shape, y_pred_shape):
        if self._built:
            return
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2-D inputs (batch_size, output_dim); received "
                             f"y_true {tuple(y_true_shape)}, y_pred {tuple(y_pred_shape)}")
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(n,), name="squared_sum")
        self.sum = self.add_variable(shape=(n,), name="sum")
        self.total_mse = self.add_variable(shape=(n,), name="residual")
        self.count = self.add_variable(shape=(n,), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        b = backends.current()
        y_true = b.cast(b.convert_to_tensor(y_true), self.dtype)
        y_pred = b.cast(b.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        self.build_from_shapes(b.shape(y_true), b.shape(y_pred))
        sw = b.convert_to_tensor(1.0 if sample_weight is None else sample_weight)
        sw = b.cast(sw, self.dtype)
        if len(b.shape(sw)) == 1:
            sw = b.expand_dims(sw, axis=1)
        sw = b.broadcast_to(sw, b.shape(y_true))
        weighted = b.multiply(y_true, sw)
        residual = b.multiply(b.square(b.subtract(y_true, y_pred)), sw)
        for var, values in ((self.sum, weighted), (self.squared_sum, b.multiply(y_true, weighted)),
                            (self.total_mse, residual), (self.count, sw)):
            var.assign(b.add(var.value, b.sum(values, axis=0)))
        size = 1
        for d in b.shape(y_true):
            size *= d
        self.num_samples.assign(b.add(self.num_samples.value, float(size)))

    def result(self):
        b = backends.current()
        mean = b.divide(self.sum.value, self.count.value)
        total = b.subtract(self.squared_sum.value, b.multiply(self.sum.value, mean))
        raw = b.subtract(1.0, b.divide(self.total_mse.value, total))
        raw = b.where(b.equal(b.abs(raw), float("inf")), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = b.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = b.divide(b.sum(b.multiply(total, raw)), b.sum(total))
        else:
            score = raw
        if self.num_regressors:
            n, p = self.num_samples.value, float(self.num_regressors)
            adjusted = b.subtract(1.0, b.divide(b.multiply(b.subtract(1.0, score),
                                                           b.subtract(n, 1.0)),
                                                b.subtract(b.subtract(n, p), 1.0)))
            # Keras falls back to the plain score (with a warning) when n - 1 <= p.
            score = b.where(b.greater(b.subtract(n, 1.0), p), adjusted, score)
        return score
