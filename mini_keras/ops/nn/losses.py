"""Encodings and losses of the nn family: one_hot, multi_hot, cross-entropies, psnr.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math

from mini_keras import ops
from mini_keras.ops.checks import (
    _fail,
    _float,
    _positive_int,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


@primitive
def one_hot(x, num_classes, axis=-1, dtype=None):
    ...


@composite
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encode integer ids: 1 at every class present in a row (floatx by default).

    Args:
        inputs: int tensor of ids, shape ``(batch, ids)`` or ``(ids,)``.
        num_classes: number of classes (required).
        axis: where the class axis goes.
        dtype: output dtype.
        sparse: must be False (no sparse tensors here).
    """
    num_classes = kwargs.pop("num_tokens", num_classes)  # Keras' legacy name
    if kwargs:
        _fail("multi_hot", f"unexpected arguments {sorted(kwargs)}.", TypeError)
    if num_classes is None:
        _fail("multi_hot", "`num_classes` is required.")
    _positive_int("multi_hot", num_classes, "num_classes")
    if sparse:
        _fail("multi_hot", "`sparse=True` is not supported (dense tensors only).")
    inputs = ops.convert_to_tensor(unwrap(inputs))
    rank = len(ops.shape(inputs))
    encoded = ops.one_hot(inputs, int(num_classes), axis=axis, dtype=dtype)
    return ops.max(encoded, axis=1 if rank > 1 else 0)


@primitive
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    ...


@primitive
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    ...


@primitive
def binary_crossentropy(target, output, from_logits=False):
    ...


@composite(keras_class="PSNR")
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mean((x1 - x2)^2))``.

    Args:
        x1, x2: tensors of the same shape.
        max_val: the signal's dynamic range (e.g. 1.0 or 255).
    """
    x1, x2 = _float(x1), _float(x2)
    if tuple(ops.shape(x1)) != tuple(ops.shape(x2)):
        _fail("psnr", f"`x1` and `x2` must have the same shape, received {tuple(ops.shape(x1))} "
                      f"and {tuple(ops.shape(x2))}.")
    # keepdims until the end: 0-d intermediates would turn into Python scalars on numpy
    mse = ops.mean(ops.square(ops.subtract(x1, x2)), keepdims=True)
    ratio = ops.subtract(ops.log(mse), 2.0 * math.log(float(max_val)))
    return ops.reshape(ops.multiply(ratio, -10.0 / math.log(10.0)), ())


@composite
def mean_squared_error(y_true, y_pred):
    """Mean of ``(y_true - y_pred) ** 2`` over the last axis.

    Args:
        y_true: targets.
        y_pred: predictions (same shape).
    """
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


__all__ = [name for name in exported(__name__)]
