"""The math family, general ops: erf/erfc/erfinv, rsqrt, logsumexp, top_k, segments, cdist.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import builtins
import math
import numbers

from mini_keras import ops
from mini_keras.ops.checks import (
    _fail,
    _float,
    _positive_int,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _segment_args(op, data, segment_ids, num_segments):
    data, segment_ids = ops.convert_to_tensor(unwrap(data)), ops.convert_to_tensor(unwrap(segment_ids))
    ds, ss = tuple(ops.shape(data)), tuple(ops.shape(segment_ids))
    if "int" not in ops.dtype(segment_ids):
        _fail(op, f"`segment_ids` must be integers, received dtype {ops.dtype(segment_ids)}.",
              TypeError)
    if not ds or len(ss) != 1 or ss[0] != ds[0]:
        _fail(op, f"`segment_ids` must be 1-D with one id per row of `data`, received shapes "
                  f"data {ds} and segment_ids {ss}.")
    if num_segments is not None:
        _positive_int(op, num_segments, "num_segments")
    return data, segment_ids


@composite(keras_class="CDist")
def cdist(x, y):
    """Pairwise Euclidean distances between the rows of ``x`` and of ``y``.

    Args:
        x: ``(..., m, d)``.
        y: ``(..., n, d)``.

    Returns:
        ``(..., m, n)``.
    """
    x, y = _float(x), _float(y)
    if len(ops.shape(x)) < 2 or len(ops.shape(y)) < 2 or ops.shape(x)[-1] != ops.shape(y)[-1]:
        _fail("cdist", f"`x` and `y` must have rank >= 2 and the same last axis, received "
                       f"shapes {tuple(ops.shape(x))} and {tuple(ops.shape(y))}.")
    diff = ops.subtract(ops.expand_dims(x, -2), ops.expand_dims(y, -3))
    return ops.sqrt(ops.sum(ops.square(diff), axis=-1))


@primitive
def erf(x):
    ...


@composite
def erfc(x):
    """Complementary error function ``1 - erf(x)`` (absolute, not relative, precision).

    Args:
        x: input tensor.
    """
    return ops.subtract(1.0, ops.erf(_float(x)))


@primitive
def erfinv(x):
    """Inverse error function on ``(-1, 1)``.

    Args:
        x: input tensor.
    """
    return {'x': unwrap(x)}


@composite
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` along the last axis, every ``sequence_stride`` entries.

    Args:
        x: tensor ``(..., length)``.
        sequence_length: frame length.
        sequence_stride: hop between frame starts.

    Returns:
        tensor ``(..., num_frames, sequence_length)``.
    """
    x = ops.convert_to_tensor(unwrap(x))
    length = _positive_int("extract_sequences", sequence_length, "sequence_length")
    stride = _positive_int("extract_sequences", sequence_stride, "sequence_stride")
    total = ops.shape(x)[-1]
    if length > total:
        _fail("extract_sequences", f"`sequence_length`={length} exceeds the last axis ({total}).")
    frames = [ops.getitem(x, (Ellipsis, builtins.slice(s, s + length)))
              for s in range(0, total - length + 1, stride)]
    return ops.stack(frames, axis=-2)


@composite
def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` highest predictions of its row (ties count).

    Args:
        targets: int tensor ``(batch,)``.
        predictions: float tensor ``(batch, classes)``.
        k: number of top entries.

    Returns:
        bool tensor ``(batch,)``.
    """
    targets, predictions = (ops.convert_to_tensor(unwrap(t)) for t in (targets, predictions))
    ts, ps = tuple(ops.shape(targets)), tuple(ops.shape(predictions))
    if len(ps) != 2 or ts != ps[:1]:
        _fail("in_top_k", f"`targets` must have shape (batch,) and `predictions` (batch, "
                          f"classes), received {ts} and {ps}.")
    kth = ops.getitem(ops.top_k(predictions, k)[0], (builtins.slice(None), -1))
    picked = ops.take_along_axis(predictions, ops.expand_dims(ops.cast(targets, "int32"), 1), axis=1)
    return ops.greater_equal(ops.squeeze(picked, axis=1), kth)


@primitive
def logsumexp(x, axis=None, keepdims=False):
    ...


@composite
def rsqrt(x):
    """``1 / sqrt(x)``.

    Args:
        x: input tensor.
    """
    return ops.divide(1.0, ops.sqrt(x))


@primitive
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of ``data`` that share a segment id.

    Args:
        data: tensor ``(rows, ...)``.
        segment_ids: int tensor ``(rows,)`` with ids in ``[0, num_segments)``.
        num_segments: output rows (``max(segment_ids) + 1`` when None; required under jax.jit).
        sorted: whether ids are sorted (a hint).

    Returns:
        tensor ``(num_segments, ...)``; empty segments hold ``-inf`` (ints: the dtype minimum).
    """
    data, ids = _segment_args("segment_max", data, segment_ids, num_segments)
    return {'segment_ids': ids}


@composite
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minimum of the rows of ``data`` that share a segment id.

    Args:
        data: tensor ``(rows, ...)``.
        segment_ids: int tensor ``(rows,)`` with ids in ``[0, num_segments)``.
        num_segments: output rows (``max(segment_ids) + 1`` when None; required under jax.jit).
        sorted: whether ids are sorted (a hint).

    Returns:
        tensor ``(num_segments, ...)``; empty segments hold ``+inf`` (ints: the dtype maximum).
    """
    data, ids = _segment_args("segment_min", data, segment_ids, num_segments)
    dtype = ops.dtype(data)
    if dtype == "bool":  # min is "all": not(max(not x))
        flip = ops.logical_not
    elif "int" in dtype:  # ~x reverses the order of every integer dtype, and ~min is max
        flip = ops.bitwise_invert
    else:
        flip = ops.negative
    return flip(ops.segment_max(flip(data), ids, num_segments=num_segments, sorted=sorted))


@composite
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of ``data`` that share a segment id.

    Computed as a product over a ``(num_segments, rows, ...)`` selection (exact, and
    differentiable on every backend), so its memory grows with ``num_segments * rows``.

    Args:
        data: tensor ``(rows, ...)``.
        segment_ids: int tensor ``(rows,)`` with ids in ``[0, num_segments)``.
        num_segments: output rows (``max(segment_ids) + 1`` when None: needs concrete ids).
        sorted: whether ids are sorted (a hint).

    Returns:
        tensor ``(num_segments, ...)`` in ``data``'s dtype; empty segments are 1.
    """
    data, ids = _segment_args("segment_prod", data, segment_ids, num_segments)
    if num_segments is None:
        num_segments = int(ops.convert_to_numpy(ops.max(ids))) + 1
    ids = ops.cast(ids, "int32")
    rest = len(ops.shape(data)) - 1
    chosen = ops.equal(ops.expand_dims(ops.arange(num_segments, dtype="int32"), 1),
                       ops.expand_dims(ids, 0))  # (num_segments, rows)
    chosen = ops.reshape(chosen, tuple(ops.shape(chosen)) + (1,) * rest)
    ones = ops.ones((), ops.dtype(data))
    return ops.prod(ops.where(chosen, ops.expand_dims(data, 0), ones), axis=1)


@primitive
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of ``data`` that share a segment id.

    Args:
        data: tensor ``(rows, ...)``.
        segment_ids: int tensor ``(rows,)`` with ids in ``[0, num_segments)``.
        num_segments: output rows (``max(segment_ids) + 1`` when None; required under jax.jit).
        sorted: whether ids are sorted (a hint).

    Returns:
        tensor ``(num_segments, ...)``; empty segments are 0.
    """
    data, ids = _segment_args("segment_sum", data, segment_ids, num_segments)
    return {'segment_ids': ids}


@primitive
def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis.

    Args:
        x: input tensor (rank >= 1).
        k: how many (``1 <= k <= x.shape[-1]``).
        sorted: accepted for Keras compatibility; results are always sorted descending.

    Returns:
        ``(values, indices)``: values in ``x``'s dtype, int32 indices.
    """
    x = ops.convert_to_tensor(unwrap(x))
    shape = ops.shape(x)
    if not shape:
        _fail("top_k", "`x` must have rank >= 1, received a scalar.")
    if not isinstance(k, numbers.Integral) or isinstance(k, bool):
        _fail("top_k", f"`k` must be an int, received {k!r}.", TypeError)
    if shape[-1] is not None and not 1 <= k <= shape[-1]:
        _fail("top_k", f"`k` must be in [1, {shape[-1]}] (the size of the last axis of x), "
                       f"received {k}.")
    return {'k': int(k)}


@composite
def logdet(x):
    """``log(det(x))`` of each (positive-definite) square matrix; NaN for negative determinants.

    Args:
        x: tensor of shape (..., n, n).
    """
    sign, logabs = ops.slogdet(x)
    return ops.where(ops.greater(sign, 0), logabs,
                     ops.where(ops.equal(sign, 0), -math.inf, math.nan))


__all__ = [name for name in exported(__name__)]
