"""Statistics of the numpy family: corrcoef, correlate, histogram, bincount.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras.backend.dtypes import result_type
from mini_keras.ops.checks import _fail, _tensor
from mini_keras.ops.declare import composite, exported

_CORRELATE_MODES = ("valid", "same", "full")


def _float_result(*dtypes):
    """Keras 3's float result of a statistic: int64 -> float64; half floats and float64 kept;
    anything else float32."""
    dtype = result_type(*dtypes)
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
    out_dtype = "float64" if dtype == "int64" else result_type(dtype, float)
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


__all__ = [name for name in exported(__name__)]
