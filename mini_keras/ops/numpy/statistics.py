"""Statistics of the numpy family: corrcoef, correlate, histogram, bincount.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras.backend.dtypes import result_type
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.ops.checks import _fail, _tensor
from mini_keras.ops.declare import composite, exported

_CORRELATE_MODES = ("valid", "same", "full")


def _promote(*dtypes):
    """The common dtype: a dtype shared by all, or the one float among ints, else Keras 3's
    promotion (which would turn a lone float64 into float32 off TensorFlow)."""
    if len(set(dtypes)) == 1:
        return dtypes[0]
    floats = {d for d in dtypes if "float" in d}
    return floats.pop() if len(floats) == 1 else result_type(*dtypes)


def _float_result(*dtypes):
    """Keras 3's float result of a statistic: int64 -> float64; half floats and float64 kept;
    anything else float32."""
    dtype = _promote(*dtypes)
    if dtype == "int64":
        return "float64"
    return dtype if dtype in ("bfloat16", "float16", "float64") else "float32"


@composite
def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x`` (variables) over its columns.

    Args:
        x: a 1-D (one variable: the result is the scalar 1) or 2-D tensor.

    Returns:
        ``(rows, rows)`` coefficients in ``[-1, 1]`` (int64 -> float64, ints -> float32).

    Raises:
        ValueError: ``x`` has more than 2 dimensions.
    """
    x = _tensor(x)
    if ops.ndim(x) > 2:
        _fail("corrcoef", f"`x` must be 1-D or 2-D, received shape {tuple(ops.shape(x))}.")
    dtype = ops.dtype(x)
    out_dtype = _float_result(dtype)
    work = ops.cast(ops.reshape(x, (1, -1)) if ops.ndim(x) < 2 else x,
                    "float64" if out_dtype == "float64" else "float32")
    centred = ops.subtract(work, ops.mean(work, axis=1, keepdims=True))
    cov = ops.matmul(centred, ops.transpose(centred))
    scale = ops.sqrt(ops.diagonal(cov))
    out = ops.divide(ops.divide(cov, ops.expand_dims(scale, 1)), ops.expand_dims(scale, 0))
    out = ops.cast(ops.clip(out, -1.0, 1.0), out_dtype)
    return ops.reshape(out, ()) if ops.ndim(x) < 2 else out


def _full_correlation(a, v):
    """``c[k] = sum_n a[n + k] v[n]`` for every overlap ``k = -(len(v) - 1) .. len(a) - 1``."""
    n, m = ops.shape(a)[0], ops.shape(v)[0]
    padded = ops.pad(a, [(m - 1, m - 1)])
    windows = ops.add(ops.expand_dims(ops.arange(n + m - 1, dtype="int32"), 1),
                      ops.expand_dims(ops.arange(m, dtype="int32"), 0))
    return ops.matmul(ops.take(padded, windows), v)


@composite
def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D tensors, ``c[k] = sum_n x1[n + k] * x2[n]`` (numpy's).

    Args:
        x1, x2: 1-D tensors.
        mode: "valid" (full overlaps only: ``max - min + 1`` values), "same" (``max(len)``
            values, centred) or "full" (every overlap: ``len1 + len2 - 1`` values).

    Raises:
        ValueError: an input is not 1-D or is empty, or ``mode`` is unknown.
    """
    if mode not in _CORRELATE_MODES:
        _fail("correlate", f"`mode` must be one of {_CORRELATE_MODES}, received {mode!r}.")
    x1, x2 = _tensor(x1), _tensor(x2)
    for name, x in (("x1", x1), ("x2", x2)):
        if ops.ndim(x) != 1 or ops.shape(x)[0] == 0:
            _fail("correlate", f"`{name}` must be a non-empty 1-D tensor, received shape "
                               f"{tuple(ops.shape(x))}.")
    dtype = _float_result(ops.dtype(x1), ops.dtype(x2))
    work = "float64" if dtype == "float64" else "float32"
    n, m = ops.shape(x1)[0], ops.shape(x2)[0]
    full = _full_correlation(ops.cast(x1, work), ops.cast(x2, work))
    if mode == "full":
        out = full
    else:
        length = max(n, m) if mode == "same" else max(n, m) - min(n, m) + 1
        # "same" centres the window; numpy rounds the offset up when x2 is the longer one
        start = (n + m - 1 - length + (n < m)) // 2 if mode == "same" else min(n, m) - 1
        out = ops.getitem(full, slice(start, start + length))
    return ops.cast(out, dtype)


def _last_size_unknown(probed, *args):
    """The probe cannot see a size that depends on the values: the last axis is unknown."""
    return KerasTensor((*probed.shape[:-1], None), probed.dtype)


@composite(spec=_last_size_unknown)
def bincount(x, weights=None, minlength=0, sparse=False):
    """Count (or sum the ``weights`` of) each value ``0..max(x)`` of a non-negative int ``x``.

    The output length ``max(max(x) + 1, minlength)`` depends on the values: eager only (not
    inside a compiled step); in a functional graph the last axis is unknown.

    Args:
        x: 1-D non-negative ints, or 2-D (one count per row).
        weights: optional tensor of ``x``'s shape; the result then has the promoted dtype of
            ``x`` and ``weights`` (else int32).
        minlength: the least output length.
        sparse: must be False (no sparse tensors in mini_keras).

    Raises:
        NotImplementedError: ``sparse=True``.
        TypeError: ``x`` is not integer.
        ValueError: ``x`` is not 1-D/2-D or holds negatives, ``weights`` has another shape,
            ``minlength`` is negative.
    """
    if sparse:
        raise NotImplementedError("ops.bincount: `sparse=True` is not supported (mini_keras has "
                                  "no sparse tensors); use sparse=False.")
    x = _tensor(x)
    dtype = ops.dtype(x)
    if dtype != "bool" and "int" not in dtype:
        _fail("bincount", f"`x` must have an integer dtype, received dtype {dtype}.", TypeError)
    shape = tuple(ops.shape(x))
    if len(shape) not in (1, 2):
        _fail("bincount", f"`x` must be 1-D or 2-D, received shape {shape}.")
    if isinstance(minlength, bool) or not isinstance(minlength, int) or minlength < 0:
        _fail("bincount", f"`minlength` must be a non-negative int, received {minlength!r}.")
    x = ops.cast(x, "int32")
    if ops.size(x) and int(ops.convert_to_numpy(ops.min(x))) < 0:
        _fail("bincount", "`x` must hold non-negative values.")
    biggest = int(ops.convert_to_numpy(ops.max(x))) + 1 if ops.size(x) else 0
    length = max(biggest, minlength)
    if weights is None:
        values, out_dtype = ops.ones(shape, "int32"), "int32"
    else:
        values = _tensor(weights)
        if tuple(ops.shape(values)) != shape:
            _fail("bincount", f"`weights` must have `x`'s shape {shape}, received "
                              f"{tuple(ops.shape(values))}.")
        out_dtype = _promote(dtype, ops.dtype(values))
        values = ops.cast(values, out_dtype)
    rows = shape[0] if len(shape) == 2 else 1
    ids = ops.reshape(x, (rows, -1))
    ids = ops.add(ids, ops.expand_dims(ops.multiply(ops.arange(rows, dtype="int32"), length), 1))
    counts = ops.segment_sum(ops.reshape(values, (-1,)), ops.reshape(ids, (-1,)),
                             num_segments=rows * length)
    return ops.reshape(counts, (rows, length) if len(shape) == 2 else (length,))


@composite
def histogram(x, bins=10, range=None):
    """Counts of a 1-D ``x`` in ``bins`` equal-width bins, and the ``bins + 1`` bin edges.

    The last bin includes its right edge; values outside ``range`` are not counted.

    Args:
        x: a 1-D tensor.
        bins: the number of bins (an int >= 0).
        range: ``(low, high)``; default ``(min(x), max(x))``.

    Returns:
        ``(counts, edges)``, both in ``x``'s dtype (as Keras 3).

    Raises:
        TypeError, ValueError: ``bins`` is not a non-negative int, ``range`` not an ordered
            pair, or ``x`` not 1-D.
    """
    if isinstance(bins, bool) or not isinstance(bins, int):
        _fail("histogram", f"`bins` must be an int, received {bins!r}.", TypeError)
    if bins < 0:
        _fail("histogram", f"`bins` must be non-negative, received {bins}.")
    if range is not None and (not isinstance(range, (tuple, list)) or len(range) != 2
                              or range[1] < range[0]):
        _fail("histogram", f"`range` must be a pair (low, high) with low <= high, received "
                           f"{range!r}.")
    x = _tensor(x)
    if ops.ndim(x) != 1:
        _fail("histogram", f"`x` must be 1-D, received shape {tuple(ops.shape(x))}.")
    dtype = ops.dtype(x)
    work = ops.cast(x, "float64" if dtype == "float64" else "float32")
    low, high = (ops.min(work), ops.max(work)) if range is None else \
        (ops.cast(range[0], ops.dtype(work)), ops.cast(range[1], ops.dtype(work)))
    edges = ops.linspace(low, high, bins + 1)
    if bins == 0:
        return ops.zeros((0,), dtype), ops.cast(edges, dtype)
    inside = ops.logical_and(ops.greater_equal(work, low), ops.less_equal(work, high))
    index = ops.searchsorted(ops.getitem(edges, slice(1, -1)), work, side="right")
    counts = ops.segment_sum(ops.cast(inside, "int32"), ops.clip(index, 0, bins - 1),
                             num_segments=bins)
    return ops.cast(counts, dtype), ops.cast(edges, dtype)


__all__ = [name for name in exported(__name__)]
