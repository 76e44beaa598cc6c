"""The Loss base class, the function wrapper and Keras' weighting and reduction rules."""

from __future__ import annotations

from mini_keras import ops

_REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "none", None)
_HALF = ("float16", "bfloat16")
_FLOATS = ("float16", "bfloat16", "float32", "float64")


class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None) -> scalar``.

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses.

    Args:
        name: the loss name.
        reduction: "sum_over_batch_size" (default), "sum", "mean" or "none".
        dtype: the dtype the loss computes in (default ``config.floatx()``). Half-precision
            predictions (a mixed-precision model's float16/bfloat16 outputs) are cast to it,
            as Keras 3 does, so the loss and its gradient are computed in float32.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Loss '{name}': reduction must be one of {_REDUCTIONS}, "
                             f"received {reduction!r}")
        from mini_keras import config
        self.name = name or type(self).__name__
        self.reduction = reduction
        self._explicit_dtype = dtype is not None
        self.dtype = str(dtype) if dtype is not None else config.floatx()

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true)
        pred_dtype = ops.dtype(y_pred)
        if pred_dtype != self.dtype and (pred_dtype in _HALF or (
                self._explicit_dtype and pred_dtype in _FLOATS)):
            y_pred = ops.cast(y_pred, self.dtype)
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
    if sample_weight is not None:
        sw = ops.cast(ops.convert_to_tensor(sample_weight), ops.dtype(values))
        while len(ops.shape(sw)) > len(ops.shape(values)):
            sw = ops.squeeze(sw, axis=-1)
        while len(ops.shape(sw)) < len(ops.shape(values)):
            sw = ops.expand_dims(sw, axis=-1)
        values = ops.multiply(values, sw)
    if reduction in ("none", None):
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    count = 1
    for d in ops.shape(values):
        count *= d
    return ops.divide(total, max(count, 1))

def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeeze or expand the last axis when the ranks differ by exactly one (Keras' rule).

    A size-1 last axis of the higher-rank tensor is squeezed, except that a rank-1 partner is
    expanded instead when ``expand_rank_1``.
    """
    r1, r2 = len(ops.shape(x1)), len(ops.shape(x2))
    if r1 == r2 + 1 and ops.shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and ops.shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def match_dtype(y_true, y_pred):
    return ops.cast(y_true, ops.dtype(y_pred))


class LossFunctionWrapper(Loss):
    """Wrap a per-sample function ``fn(y_true, y_pred, **kwargs)`` as a Loss."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", dtype=None, **kwargs):
        super().__init__(name=name or fn.__name__, reduction=reduction, dtype=dtype)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
