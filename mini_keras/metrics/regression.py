"""Regression metrics (Keras 3 names): MSE, MAE, MAPE, MSLE, RMSE, log-cosh, cosine, R2."""

from __future__ import annotations

from mini_keras import losses, ops
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
    return ops.negative(losses.cosine_similarity(y_true, y_pred, axis=axis))


class RootMeanSquaredError(Mean):
    """Square root of the running (weighted) mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(ops.square(ops.subtract(y_pred, y_true)), sample_weight)

    def result(self):
        return ops.sqrt(super().result())


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
        y_true = ops.cast(ops.convert_to_tensor(y_true), self.dtype)
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        self.build_from_shapes(ops.shape(y_true), ops.shape(y_pred))
        sw = ops.convert_to_tensor(1.0 if sample_weight is None else sample_weight)
        sw = ops.cast(sw, self.dtype)
        if len(ops.shape(sw)) == 1:
            sw = ops.expand_dims(sw, axis=1)
        sw = ops.broadcast_to(sw, ops.shape(y_true))
        weighted = ops.multiply(y_true, sw)
        residual = ops.multiply(ops.square(ops.subtract(y_true, y_pred)), sw)
        squared = ops.multiply(y_true, weighted)
        for var, values in ((self.sum, weighted), (self.squared_sum, squared),
                            (self.total_mse, residual), (self.count, sw)):
            var.assign(ops.add(var.value, ops.sum(values, axis=0)))
        size = 1
        for d in ops.shape(y_true):
            size *= d
        self.num_samples.assign(ops.add(self.num_samples.value, float(size)))

    def result(self):
        mean = ops.divide(self.sum.value, self.count.value)
        total = ops.subtract(self.squared_sum.value, ops.multiply(self.sum.value, mean))
        raw = ops.subtract(1.0, ops.divide(self.total_mse.value, total))
        raw = ops.where(ops.equal(ops.abs(raw), float("inf")), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.divide(ops.sum(ops.multiply(total, raw)), ops.sum(total))
        else:
            score = raw
        if self.num_regressors:
            n, p = self.num_samples.value, float(self.num_regressors)
            adjusted = ops.subtract(1.0, ops.divide(ops.multiply(ops.subtract(1.0, score),
                                                                 ops.subtract(n, 1.0)),
                                                    ops.subtract(ops.subtract(n, p), 1.0)))
            # Keras falls back to the plain score (with a warning) when n - 1 <= p.
            score = ops.where(ops.greater(ops.subtract(n, 1.0), p), adjusted, score)
        return score
