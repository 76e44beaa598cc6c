"""Public numpy-like ops beyond the core set (Keras 3 ``keras.ops`` names and arguments).

Ops that are contract primitives dispatch with :func:`make_op`; the rest are composites written
once from other backend functions, so they behave (and differentiate) identically everywhere.
Argument checks happen here, before dispatch, so a bad call fails with the same message on every
backend: ``ops.<name>: <argument> ...``. Shape and axis arguments must be static (Python ints).
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from mini_keras import config
from mini_keras.backends import current
from mini_keras.ops._linalg import (
    cholesky,
    det,
    eigh,
    inv,
    lstsq,
    norm,
    pinv,
    qr,
    slogdet,
    solve,
    solve_triangular,
    svd,
)
from mini_keras.ops.dispatch import make_op, unwrap

_LINALG = ["cholesky", "det", "eigh", "inv", "lstsq", "norm", "pinv", "qr", "slogdet", "solve",
           "solve_triangular", "svd"]

# ============================================================================ helpers


def _tensor(x):
    """``x`` (Variable, scalar, array, tensor) as a tensor of the current backend."""
    return current().convert_to_tensor(unwrap(x))


def _is_float(x) -> bool:
    return current().dtype(x).startswith(("float", "bfloat"))


def _to_float(x):
    """``x`` as a tensor, cast to floatx unless it already is floating point."""
    x = _tensor(x)
    return x if _is_float(x) else current().cast(x, config.floatx())


def _axis(op, arg, axis, ndim):
    """Normalise one axis to ``0 <= axis < ndim`` or raise naming the op and argument."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"ops.{op}: `{arg}` must be an int, received {axis!r}.")
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"ops.{op}: `{arg}`={axis} is out of range for a tensor of rank {ndim}.")
    return int(axis) % builtins.max(ndim, 1)


def _axes(op, arg, axis, ndim):
    """Normalise None / int / sequence axes to a sorted tuple (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        return tuple(sorted(_axis(op, arg, a, ndim) for a in axis))
    return (_axis(op, arg, axis, ndim),)


def _int(op, arg, value):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"ops.{op}: `{arg}` must be an int, received {value!r}.")
    return int(value)


def _take_static(x, indices, axis):
    """``take`` with a host-side index list (int32)."""
    b = current()
    return b.take(x, b.convert_to_tensor(np.asarray(indices, np.int32)), axis=axis)


def _slice(x, axis, start, stop):
    """``x[..., start:stop, ...]`` along ``axis``."""
    return current().getitem(x, (slice(None),) * axis + (slice(start, stop),))


# ============================================================================ elementwise

tan = make_op("tan")
arcsin = make_op("arcsin")
arccos = make_op("arccos")
arctan = make_op("arctan")
arctan2 = make_op("arctan2")
sinh = make_op("sinh")
cosh = make_op("cosh")
arcsinh = make_op("arcsinh")
arccosh = make_op("arccosh")
arctanh = make_op("arctanh")
trunc = make_op("trunc")
isnan = make_op("isnan")
isinf = make_op("isinf")
isfinite = make_op("isfinite")


def _check_numeric_pair(op, x1, x2):
    b = current()
    for name, x in (("x1", x1), ("x2", x2)):
        if not isinstance(x, (int, float)) and b.dtype(_tensor(x)) == "bool":
            raise TypeError(f"ops.{op}: `{name}` must be numeric, received dtype bool.")


def mod(x1, x2):
    """Floor remainder ``x1 - floor(x1 / x2) * x2`` (sign of ``x2``), with broadcasting.

    Args:
        x1: dividend. x2: divisor. Gradient: 1 for ``x1``, ``-floor(x1 / x2)`` for ``x2``.

    Raises:
        TypeError: a bool operand.
    """
    _check_numeric_pair("mod", x1, x2)
    return current().mod(unwrap(x1), unwrap(x2))


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the operands' common dtype (zero gradient).

    Args:
        x1: dividend. x2: divisor.

    Raises:
        TypeError: a bool operand.
    """
    _check_numeric_pair("floor_divide", x1, x2)
    return current().floor_divide(unwrap(x1), unwrap(x2))


def fmod(x1, x2):
    """C-style remainder: like :func:`mod` but with the sign of ``x1``.

    Args:
        x1: dividend. x2: divisor.
    """
    b = current()
    r = mod(x1, x2)
    x1 = _tensor(x1)
    wrong_sign = b.logical_and(b.not_equal(r, 0), b.not_equal(b.less(r, 0), b.less(x1, 0)))
    return b.where(wrong_sign, b.subtract(r, unwrap(x2)), r)


def absolute(x):
    """``|x|`` (same as :func:`abs`).

    Args:
        x: input tensor.
    """
    return current().abs(unwrap(x))


def fabs(x):
    """``|x|`` as a float tensor (integers become floatx).

    Args:
        x: input tensor.
    """
    return current().abs(_to_float(x))


def true_divide(x1, x2):
    """True division ``x1 / x2`` (same as :func:`divide`).

    Args:
        x1: numerator. x2: denominator.
    """
    return current().divide(unwrap(x1), unwrap(x2))


def reciprocal(x):
    """``1 / x`` (integers give floatx).

    Args:
        x: input tensor.
    """
    return current().divide(1.0, _to_float(x))


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 (and a zero gradient) wherever ``x2 == 0``.

    Args:
        x1: numerator. x2: denominator.
    """
    b = current()
    x1, x2 = _to_float(x1), _to_float(x2)
    zero = b.equal(x2, 0)
    return b.where(zero, 0.0, b.divide(x1, b.where(zero, 1.0, x2)))


def log2(x):
    """Base-2 logarithm.

    Args:
        x: input tensor (integers become floatx).
    """
    return current().divide(current().log(_to_float(x)), math.log(2.0))


def log10(x):
    """Base-10 logarithm.

    Args:
        x: input tensor (integers become floatx).
    """
    return current().divide(current().log(_to_float(x)), math.log(10.0))


def exp2(x):
    """``2 ** x``.

    Args:
        x: input tensor (integers become floatx).
    """
    return current().exp(current().multiply(_to_float(x), math.log(2.0)))


def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` computed stably (the gradient is the pair's softmax).

    Args:
        x1, x2: input tensors (broadcast together; integers become floatx).
    """
    b = current()
    x1, x2 = _to_float(x1), _to_float(x2)
    top = b.maximum(x1, x2)
    top = b.stop_gradient(b.where(b.isfinite(top), top, 0.0))
    return b.add(top, b.log(b.add(b.exp(b.subtract(x1, top)), b.exp(b.subtract(x2, top)))))


def hypot(x1, x2):
    """``sqrt(x1**2 + x2**2)``.

    Args:
        x1, x2: input tensors (broadcast together; integers become floatx).
    """
    b = current()
    return b.sqrt(b.add(b.square(_to_float(x1)), b.square(_to_float(x2))))


def cbrt(x):
    """Real cube root (negative inputs give negative roots).

    Args:
        x: input tensor (integers become floatx).
    """
    b = current()
    x = _to_float(x)
    return b.multiply(b.sign(x), b.power(b.abs(x), 1.0 / 3.0))


def heaviside(x1, x2):
    """Step function: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``.

    Args:
        x1: input. x2: the value at zero. Integers become floatx.
    """
    b = current()
    x1, x2 = _to_float(x1), _to_float(x2)
    return b.where(b.less(x1, 0), 0.0, b.where(b.greater(x1, 0), 1.0, x2))


def deg2rad(x):
    """Degrees to radians.

    Args:
        x: angles in degrees.
    """
    return current().multiply(_to_float(x), math.pi / 180.0)


def rad2deg(x):
    """Radians to degrees.

    Args:
        x: angles in radians.
    """
    return current().multiply(_to_float(x), 180.0 / math.pi)


def sinc(x):
    """Normalised sinc ``sin(pi x) / (pi x)`` (1 at 0, with a finite gradient there).

    Args:
        x: input tensor.
    """
    b = current()
    x = _to_float(x)
    zero = b.equal(x, 0)
    safe = b.multiply(b.where(zero, 1.0, x), math.pi)
    return b.where(zero, 1.0, b.divide(b.sin(safe), safe))


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the dtype's
    largest/smallest finite values).

    Args:
        x: input tensor. nan, posinf, neginf: replacement values.
    """
    b = current()
    x = _tensor(x)
    if not _is_float(x):
        return x
    info = np.finfo(np.float32 if b.dtype(x) == "bfloat16" else b.dtype(x))
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    x = b.where(b.isnan(x), nan, x)
    x = b.where(b.equal(x, math.inf), posinf, x)
    return b.where(b.equal(x, -math.inf), neginf, x)


def isneginf(x):
    """Elementwise ``x == -inf`` (bool).

    Args:
        x: input tensor.
    """
    return current().equal(_to_float(x), -math.inf)


def isposinf(x):
    """Elementwise ``x == +inf`` (bool).

    Args:
        x: input tensor.
    """
    return current().equal(_to_float(x), math.inf)


def logical_xor(x1, x2):
    """Elementwise exclusive OR of the truth values.

    Args:
        x1, x2: input tensors (non-zero is True).
    """
    b = current()
    return b.not_equal(b.cast(_tensor(x1), "bool"), b.cast(_tensor(x2), "bool"))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Elementwise ``|x1 - x2| <= atol + rtol * |x2|`` (equal infinities are close).

    Args:
        x1, x2: tensors to compare. rtol, atol: tolerances. equal_nan: NaN == NaN.
    """
    b = current()
    x1, x2 = _to_float(x1), _to_float(x2)
    near = b.less_equal(b.abs(b.subtract(x1, x2)), b.add(atol, b.multiply(rtol, b.abs(x2))))
    finite = b.logical_and(b.isfinite(x1), b.isfinite(x2))
    out = b.logical_or(b.equal(x1, x2), b.logical_and(finite, near))
    if equal_nan:
        out = b.logical_or(out, b.logical_and(b.isnan(x1), b.isnan(x2)))
    return out


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """True (a bool scalar tensor) when :func:`isclose` holds everywhere.

    Args:
        x1, x2: tensors to compare. rtol, atol: tolerances. equal_nan: NaN == NaN.
    """
    return current().all(isclose(x1, x2, rtol, atol, equal_nan))


def select(condlist, choicelist, default=0):
    """Pick, per element, from the first ``choicelist`` entry whose condition holds.

    Args:
        condlist: list of bool tensors. choicelist: list of tensors (same length).
        default: the value where no condition holds.

    Raises:
        ValueError: the lists differ in length or are empty.
    """
    if len(condlist) != len(choicelist) or not condlist:
        raise ValueError(f"ops.select: `condlist` and `choicelist` must be non-empty and of "
                         f"equal length, received {len(condlist)} and {len(choicelist)}.")
    b = current()
    out = unwrap(default)
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = b.where(unwrap(cond), unwrap(choice), out)
    return b.convert_to_tensor(out)


# ============================================================================ reductions & scans

cumprod = make_op("cumprod")


def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (same as :func:`max`).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _tensor(x)
    _axes("amax", "axis", axis, len(current().shape(x)))
    return current().max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (same as :func:`min`).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    x = _tensor(x)
    _axes("amin", "axis", axis, len(current().shape(x)))
    return current().min(x, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """Range ``max - min`` over ``axis``.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    b = current()
    return b.subtract(amax(x, axis, keepdims), amin(x, axis, keepdims))


def count_nonzero(x, axis=None):
    """Number of non-zero entries over ``axis`` (int32).

    Args:
        x: input. axis: int, tuple or None.
    """
    b = current()
    x = _tensor(x)
    _axes("count_nonzero", "axis", axis, len(b.shape(x)))
    return b.sum(b.cast(b.not_equal(x, 0), "int32"), axis=axis)


def average(x, axis=None, weights=None):
    """(Weighted) mean over ``axis``; 1-D ``weights`` run along a single ``axis``.

    Args:
        x: input. axis: int, tuple or None. weights: same shape as ``x``, or 1-D of length
            ``x.shape[axis]``.

    Raises:
        ValueError: ``weights`` do not fit ``x``.
    """
    b = current()
    x = _to_float(x)
    ndim = len(b.shape(x))
    _axes("average", "axis", axis, ndim)
    if weights is None:
        return b.mean(x, axis=axis)
    w = b.cast(_tensor(weights), b.dtype(x))
    if b.shape(w) != b.shape(x):
        if len(b.shape(w)) != 1 or not isinstance(axis, int) or \
                b.shape(w)[0] != b.shape(x)[axis]:
            raise ValueError(f"ops.average: `weights` of shape {b.shape(w)} do not fit `x` of "
                             f"shape {b.shape(x)} along axis {axis}.")
        w = b.reshape(w, [-1 if i == axis % ndim else 1 for i in range(ndim)])
    total = b.sum(b.multiply(b.ones(b.shape(x), b.dtype(x)), w), axis=axis)
    return b.divide(b.sum(b.multiply(x, w), axis=axis), total)


_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles over ``axis`` (numpy's definition; ``q`` in [0, 1]).

    ``q`` must be a host value (Python float, list or numpy array), not a traced tensor.
    Output shape: ``q.shape`` + the reduced shape of ``x``.

    Args:
        x: input. q: quantile(s). axis: int, tuple or None. method: "linear", "lower",
            "higher", "midpoint" or "nearest". keepdims: keep reduced axes as size 1.

    Raises:
        ValueError: unknown ``method`` or ``q`` outside [0, 1].
    """
    if method not in _QUANTILE_METHODS:
        raise ValueError(f"ops.quantile: `method` must be one of {_QUANTILE_METHODS}, "
                         f"received {method!r}.")
    qs = np.asarray(current().convert_to_numpy(q) if current().is_tensor(q) else q, np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"ops.quantile: `q` must lie in [0, 1], received {qs.tolist()}.")
    b = current()
    x = _to_float(x)
    shape = b.shape(x)
    axes = _axes("quantile", "axis", axis, len(shape))
    rest = [i for i in range(len(shape)) if i not in axes]
    n = math.prod(shape[i] for i in axes)
    moved = b.reshape(b.transpose(x, rest + list(axes)), [shape[i] for i in rest] + [n])
    ordered = b.sort(moved, axis=-1)
    outs = []
    for qv in qs.reshape(-1):
        pos = qv * (n - 1)
        lo, hi = math.floor(pos), math.ceil(pos)
        low, high = _take_static(ordered, [lo], -1), _take_static(ordered, [hi], -1)
        if method == "lower":
            value = low
        elif method == "higher":
            value = high
        elif method == "nearest":
            value = _take_static(ordered, [int(np.round(pos))], -1)
        elif method == "midpoint":
            value = b.multiply(b.add(low, high), 0.5)
        else:
            value = b.add(low, b.multiply(b.subtract(high, low), pos - lo))
        outs.append(b.squeeze(value, -1))
    kept = [1 if i in axes else shape[i] for i in range(len(shape))] if keepdims else \
        [shape[i] for i in rest]
    outs = [b.reshape(o, kept) for o in outs]
    return outs[0] if qs.ndim == 0 else b.reshape(b.stack(outs), list(qs.shape) + kept)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]); see :func:`quantile`.

    Args:
        x: input. q: percentile(s). axis, method, keepdims: as in :func:`quantile`.
    """
    return quantile(x, np.asarray(q, np.float64) / 100.0, axis, method, keepdims)


def median(x, axis=None, keepdims=False):
    """Median over ``axis`` (mean of the two middle values for even counts).

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def _nan_filled(x, fill):
    b = current()
    x = _tensor(x)
    return b.where(b.isnan(x), fill, x) if _is_float(x) else x


def nansum(x, axis=None, keepdims=False):
    """Sum over ``axis`` treating NaN as 0.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().sum(_nan_filled(x, 0.0), axis=axis, keepdims=keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product over ``axis`` treating NaN as 1.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().prod(_nan_filled(x, 1.0), axis=axis, keepdims=keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    b = current()
    x = _to_float(x)
    count = b.sum(b.cast(b.logical_not(b.isnan(x)), b.dtype(x)), axis=axis, keepdims=keepdims)
    return b.divide(nansum(x, axis, keepdims), count)


def nanmax(x, axis=None, keepdims=False):
    """Maximum over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().max(_nan_filled(x, -math.inf), axis=axis, keepdims=keepdims)


def nanmin(x, axis=None, keepdims=False):
    """Minimum over ``axis`` ignoring NaN entries.

    Args:
        x: input. axis: int, tuple or None. keepdims: keep reduced axes as size 1.
    """
    return current().min(_nan_filled(x, math.inf), axis=axis, keepdims=keepdims)


def diff(a, n=1, axis=-1):
    """``n``-th discrete difference ``a[i + 1] - a[i]`` along ``axis``.

    Args:
        a: input. n: how many times to difference. axis: the axis.
    """
    b = current()
    a = _tensor(a)
    axis = _axis("diff", "axis", axis, len(b.shape(a)))
    for _ in range(_int("diff", "n", n)):
        a = b.subtract(_slice(a, axis, 1, None), _slice(a, axis, None, -1))
    return a


# ============================================================================ search & indexing

nonzero = make_op("nonzero")


def searchsorted(sorted_sequence, values, side="left"):
    """int32 indices where ``values`` would be inserted into ``sorted_sequence`` to keep order.

    Not differentiable.

    Args:
        sorted_sequence: 1-D ascending tensor. values: tensor of queries.
        side: "left" (first suitable index) or "right" (last).

    Raises:
        ValueError: ``sorted_sequence`` not 1-D, or an unknown ``side``.
    """
    b = current()
    sequence = _tensor(sorted_sequence)
    if len(b.shape(sequence)) != 1:
        raise ValueError("ops.searchsorted: `sorted_sequence` must be 1-D, received shape "
                         f"{b.shape(sequence)}.")
    if side not in ("left", "right"):
        raise ValueError(f"ops.searchsorted: `side` must be 'left' or 'right', received {side!r}.")
    return b.searchsorted(sequence, unwrap(values), side=side)


def digitize(x, bins):
    """int32 index of the bin of each ``x``: ``i`` with ``bins[i-1] <= x < bins[i]``.

    Args:
        x: input. bins: 1-D increasing bin edges.
    """
    return searchsorted(bins, x, side="right")


# ============================================================================ creation

def size(x):
    """Number of elements of ``x`` (a Python int).

    Args:
        x: input tensor.
    """
    return math.prod(current().shape(_tensor(x)))


def ndim(x):
    """Number of dimensions of ``x`` (a Python int).

    Args:
        x: input tensor.
    """
    return len(current().shape(_tensor(x)))


def zeros_like(x, dtype=None):
    """Zeros with the shape (and, by default, the dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    x = _tensor(x)
    return current().zeros(current().shape(x), dtype or current().dtype(x))


def ones_like(x, dtype=None):
    """Ones with the shape (and, by default, the dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    x = _tensor(x)
    return current().ones(current().shape(x), dtype or current().dtype(x))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` everywhere, with the shape (and, by default, dtype) of ``x``.

    Args:
        x: template tensor. fill_value: the value. dtype: result dtype.
    """
    x = _tensor(x)
    return current().full(current().shape(x), fill_value, dtype or current().dtype(x))


def empty(shape, dtype=None):
    """A tensor of ``shape`` (zeros here: backends have no uninitialised memory).

    Args:
        shape: the shape. dtype: result dtype (floatx by default).
    """
    return current().zeros(shape, dtype)


def empty_like(x, dtype=None):
    """:func:`empty` with the shape (and, by default, dtype) of ``x``.

    Args:
        x: template tensor. dtype: result dtype.
    """
    return zeros_like(x, dtype)


def array(x, dtype=None):
    """Create a tensor from ``x`` (same as :func:`convert_to_tensor`).

    Args:
        x: data. dtype: result dtype.
    """
    return current().convert_to_tensor(unwrap(x), dtype)


def identity(n, dtype=None):
    """The ``n x n`` identity matrix.

    Args:
        n: size. dtype: result dtype (floatx by default).
    """
    return current().eye(_int("identity", "n", n), dtype=dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras' argument names
    """Ones at and below the ``k``-th diagonal of an ``N x M`` matrix.

    Args:
        N: rows. M: columns (``N`` when None). k: diagonal offset. dtype: floatx by default.
    """
    N = _int("tri", "N", N)
    M = N if M is None else _int("tri", "M", M)
    mask = np.tri(N, M, _int("tri", "k", k))
    return current().convert_to_tensor(mask, dtype or config.floatx())


def _band(op, x, k, lower):
    b = current()
    x = _tensor(x)
    shape = b.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.{op}: `x` must have rank >= 2, received shape {shape}.")
    k = _int(op, "k", k)
    mask = np.tri(*shape[-2:], k, dtype=bool) if lower else ~np.tri(*shape[-2:], k - 1, dtype=bool)
    return b.where(b.convert_to_tensor(mask), x, b.zeros((), b.dtype(x)))


def tril(x, k=0):
    """Zero the entries above the ``k``-th diagonal of the last two axes.

    Args:
        x: tensor of rank >= 2. k: diagonal offset.
    """
    return _band("tril", x, k, lower=True)


def triu(x, k=0):
    """Zero the entries below the ``k``-th diagonal of the last two axes.

    Args:
        x: tensor of rank >= 2. k: diagonal offset.
    """
    return _band("triu", x, k, lower=False)


def _grid_values(op, start, stop, num, endpoint, dtype, axis):
    """``start + i * step`` for ``i < num`` (along a new ``axis``) and the step."""
    b = current()
    num = _int(op, "num", num)
    if num < 0:
        raise ValueError(f"ops.{op}: `num` must be non-negative, received {num}.")
    start, stop = _to_float(start), _to_float(stop)
    common = np.broadcast_shapes(b.shape(start), b.shape(stop))
    start, stop = b.broadcast_to(start, common), b.broadcast_to(stop, common)
    divisor = (num - 1 if endpoint else num) or 1
    step = b.divide(b.subtract(stop, start), float(divisor))
    ramp = b.convert_to_tensor(np.arange(num), b.dtype(start))
    extra = len(b.shape(start))
    ramp = b.reshape(ramp, [num] + [1] * extra)
    out = b.add(b.expand_dims(start, 0), b.multiply(ramp, b.expand_dims(step, 0)))
    if endpoint and num > 1:  # the last point is exactly ``stop``
        out = b.concatenate([_slice(out, 0, None, -1), b.expand_dims(stop, 0)], axis=0)
    out = b.transpose(out, _moved_axes(extra + 1, 0, _axis(op, "axis", axis, extra + 1)))
    return (out if dtype is None else b.cast(out, dtype)), step


def _moved_axes(ndim, source, destination):
    order = [i for i in range(ndim) if i != source]
    order.insert(destination, source)
    return order


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (tensors allowed: the values
    run along a new ``axis``).

    Args:
        start, stop: ends. num: count. endpoint: include ``stop``. retstep: also return the
            step. dtype: result dtype (floatx by default). axis: where the values run.
    """
    out, step = _grid_values("linspace", start, stop, num, endpoint, dtype, axis)
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``.

    Args:
        start, stop: exponents of the ends. num, endpoint, dtype, axis: as :func:`linspace`.
        base: the base.
    """
    b = current()
    exponents, _ = _grid_values("logspace", start, stop, num, endpoint, None, axis)
    out = b.exp(b.multiply(exponents, math.log(base)))
    return out if dtype is None else b.cast(out, dtype)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors.

    Args:
        *x: 1-D tensors. indexing: "xy" (Cartesian, first two axes swapped) or "ij" (matrix).

    Raises:
        ValueError: unknown ``indexing``.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"ops.meshgrid: `indexing` must be 'xy' or 'ij', received {indexing!r}.")
    b = current()
    vectors = [b.reshape(_tensor(v), [-1]) for v in x]
    sizes = [b.shape(v)[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for i, v in enumerate(vectors):
        where = (1 - i if i < 2 else i) if indexing == "xy" and len(vectors) > 1 else i
        shape = [1] * len(vectors)
        shape[where] = -1
        grids.append(b.broadcast_to(b.reshape(v, shape), sizes))
    return grids


# ============================================================================ shapes

def ravel(x):
    """Flatten to 1-D.

    Args:
        x: input tensor.
    """
    return current().reshape(_tensor(x), (-1,))


def moveaxis(x, source, destination):
    """Move axes ``source`` to positions ``destination`` (ints or equal-length sequences).

    Args:
        x: input. source, destination: axis or axes.

    Raises:
        ValueError: an axis out of range, or ``source``/``destination`` of different lengths.
    """
    b = current()
    x = _tensor(x)
    rank = len(b.shape(x))
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError(f"ops.moveaxis: `source` {source} and `destination` {destination} "
                         "must have the same number of axes.")
    src = [_axis("moveaxis", "source", s, rank) for s in src]
    dst = [_axis("moveaxis", "destination", d, rank) for d in dst]
    order = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return b.transpose(x, order)


def swapaxes(x, axis1, axis2):
    """Exchange two axes.

    Args:
        x: input. axis1, axis2: the axes.
    """
    b = current()
    x = _tensor(x)
    rank = len(b.shape(x))
    a1, a2 = _axis("swapaxes", "axis1", axis1, rank), _axis("swapaxes", "axis2", axis2, rank)
    order = list(range(rank))
    order[a1], order[a2] = order[a2], order[a1]
    return b.transpose(x, order)


def roll(x, shift, axis=None):
    """Shift elements circularly by ``shift`` along ``axis`` (the flattened tensor when None).

    Args:
        x: input. shift: int or tuple of ints. axis: int, tuple or None.
    """
    b = current()
    x = _tensor(x)
    if axis is None:
        return b.reshape(roll(b.reshape(x, (-1,)), shift, 0), b.shape(x))
    shape = b.shape(x)
    axes = [axis] if isinstance(axis, int) else list(axis)
    shifts = [shift] * len(axes) if isinstance(shift, int) else list(shift)
    if len(shifts) != len(axes):
        raise ValueError(f"ops.roll: `shift` {shift} and `axis` {axis} differ in length.")
    for s, a in zip(shifts, axes):
        a = _axis("roll", "axis", a, len(shape))
        n = shape[a]
        if n:
            x = _take_static(x, (np.arange(n) - int(s)) % n, a)
    return x


def rot90(array, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes`` (from the first axis toward the
    second).

    Args:
        array: tensor of rank >= 2. k: number of quarter turns. axes: the plane.
    """
    b = current()
    x = _tensor(array)
    rank = len(b.shape(x))
    a0, a1 = (_axis("rot90", "axes", a, rank) for a in axes)
    if a0 == a1:
        raise ValueError(f"ops.rot90: `axes` must be two different axes, received {axes}.")
    k = _int("rot90", "k", k) % 4
    if k == 0:
        return x
    if k == 2:
        return b.flip(b.flip(x, a0), a1)
    if k == 1:
        return swapaxes(b.flip(x, a1), a0, a1)
    return b.flip(swapaxes(x, a0, a1), a1)


def fliplr(x):
    """Reverse axis 1.

    Args:
        x: tensor of rank >= 2.
    """
    return current().flip(_tensor(x), 1)


def flipud(x):
    """Reverse axis 0.

    Args:
        x: tensor of rank >= 1.
    """
    return current().flip(_tensor(x), 0)


def _at_least(x, rank):
    b = current()
    x = _tensor(x)
    shape = b.shape(x)
    if len(shape) >= rank:
        return x
    if rank == 2:
        return b.reshape(x, (1, -1))
    return b.reshape(x, (1, -1, 1) if len(shape) <= 1 else shape + (1,))


def vstack(xs):
    """Stack along axis 0 (1-D inputs become rows).

    Args:
        xs: sequence of tensors.
    """
    return current().concatenate([_at_least(x, 2) for x in xs], axis=0)


def hstack(xs):
    """Stack along axis 1 (along axis 0 for 1-D inputs).

    Args:
        xs: sequence of tensors.
    """
    xs = [_tensor(x) for x in xs]
    return current().concatenate(xs, axis=0 if len(current().shape(xs[0])) == 1 else 1)


def dstack(xs):
    """Stack along axis 2 (inputs are made at least 3-D first).

    Args:
        xs: sequence of tensors.
    """
    return current().concatenate([_at_least(x, 3) for x in xs], axis=2)


def _split_along(op, axis, x, indices_or_sections):
    b = current()
    x = _tensor(x)
    if len(b.shape(x)) <= axis:
        raise ValueError(f"ops.{op}: `x` must have rank > {axis}, received shape {b.shape(x)}.")
    return b.split(x, indices_or_sections, axis=axis)


def hsplit(x, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D inputs).

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    axis = 0 if ndim(x) == 1 else 1
    return _split_along("hsplit", axis, x, indices_or_sections)


def vsplit(x, indices_or_sections):
    """Split along axis 0.

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    return _split_along("vsplit", 0, x, indices_or_sections)


def dsplit(x, indices_or_sections):
    """Split along axis 2.

    Args:
        x: input. indices_or_sections: equal sections or split indices.
    """
    return _split_along("dsplit", 2, x, indices_or_sections)


def append(x1, x2, axis=None):
    """Concatenate ``x2`` after ``x1`` along ``axis`` (both flattened when None).

    Args:
        x1, x2: tensors. axis: int or None.
    """
    b = current()
    x1, x2 = _tensor(x1), _tensor(x2)
    if axis is None:
        return b.concatenate([ravel(x1), ravel(x2)], axis=0)
    return b.concatenate([x1, x2], axis=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The ``offset``-th diagonal of the 2-D slices in ``(axis1, axis2)``, as the last axis.

    Args:
        x: tensor of rank >= 2. offset: diagonal offset. axis1, axis2: the plane.

    Raises:
        ValueError: rank < 2 or ``axis1 == axis2``.
    """
    b = current()
    x = _tensor(x)
    shape = b.shape(x)
    if len(shape) < 2:
        raise ValueError(f"ops.diagonal: `x` must have rank >= 2, received shape {shape}.")
    a1, a2 = _axis("diagonal", "axis1", axis1, len(shape)), _axis("diagonal", "axis2", axis2,
                                                                  len(shape))
    if a1 == a2:
        raise ValueError(f"ops.diagonal: `axis1` and `axis2` must differ, received {axis1} "
                         f"and {axis2}.")
    rest = [i for i in range(len(shape)) if i not in (a1, a2)]
    m, n = shape[a1], shape[a2]
    flat = b.reshape(b.transpose(x, rest + [a1, a2]), [shape[i] for i in rest] + [m * n])
    offset = _int("diagonal", "offset", offset)
    rows = np.arange(builtins.max(0, -offset), builtins.min(m, n - offset))
    return _take_static(flat, rows * n + rows + offset, -1)


def diag(x, k=0):
    """Diagonal of a matrix (1-D input: the square matrix with ``x`` on diagonal ``k``).

    Args:
        x: 1-D or 2-D tensor. k: diagonal offset.

    Raises:
        ValueError: ``x`` is neither 1-D nor 2-D.
    """
    b = current()
    x = _tensor(x)
    rank, k = len(b.shape(x)), _int("diag", "k", k)
    if rank == 2:
        return diagonal(x, k)
    if rank != 1:
        raise ValueError(f"ops.diag: `x` must be 1-D or 2-D, received shape {b.shape(x)}.")
    n = b.shape(x)[0]
    square = b.multiply(b.expand_dims(x, 1), b.eye(n, dtype=b.dtype(x)))
    pad = ((0, k), (k, 0)) if k >= 0 else ((-k, 0), (0, -k))
    return b.pad(square, pad)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the ``offset``-th diagonal (small ints and bool sum as int32).

    Args:
        x: tensor of rank >= 2. offset: diagonal offset. axis1, axis2: the plane.
    """
    b = current()
    x = _tensor(x)
    if b.dtype(x) in ("bool", "int8", "int16", "uint8"):
        x = b.cast(x, "int32")
    return b.sum(diagonal(x, offset, axis1, axis2), axis=-1)


# ============================================================================ products

def _promoted(x1, x2):
    """Two tensors in their common dtype (via a zero-cost add of a zero scalar of each)."""
    b = current()
    x1, x2 = _tensor(x1), _tensor(x2)
    common = b.dtype(b.add(b.zeros((), b.dtype(x1)), b.zeros((), b.dtype(x2))))
    return b.cast(x1, common), b.cast(x2, common)


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes``: an int N (last N of ``x1`` with first N of ``x2``) or a
    pair of axis sequences.

    Args:
        x1, x2: tensors. axes: int or ``(axes_of_x1, axes_of_x2)``.

    Raises:
        ValueError: contracted dimensions differ in size.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    s1, s2 = b.shape(x1), b.shape(x2)
    if isinstance(axes, int):
        ax1, ax2 = list(range(len(s1) - axes, len(s1))), list(range(axes))
    else:
        ax1, ax2 = ([a] if isinstance(a, int) else list(a) for a in axes)
    ax1 = [_axis("tensordot", "axes", a, len(s1)) for a in ax1]
    ax2 = [_axis("tensordot", "axes", a, len(s2)) for a in ax2]
    if [s1[a] for a in ax1] != [s2[a] for a in ax2]:
        raise ValueError(f"ops.tensordot: incompatible shapes x1 {s1} and x2 {s2} for axes "
                         f"{ax1} and {ax2}.")
    free1 = [i for i in range(len(s1)) if i not in ax1]
    free2 = [i for i in range(len(s2)) if i not in ax2]
    k = math.prod(s1[a] for a in ax1)
    m1 = b.reshape(b.transpose(x1, free1 + ax1), (math.prod(s1[i] for i in free1), k))
    m2 = b.reshape(b.transpose(x2, ax2 + free2), (k, math.prod(s2[i] for i in free2)))
    return b.reshape(b.matmul(m1, m2), [s1[i] for i in free1] + [s2[i] for i in free2])


def outer(x1, x2):
    """Outer product of the flattened inputs.

    Args:
        x1, x2: tensors.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    return b.multiply(b.reshape(x1, (-1, 1)), b.reshape(x2, (1, -1)))


def inner(x1, x2):
    """Sum of products over the last axes (scalars multiply).

    Args:
        x1, x2: tensors with equal last dimensions.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    if not b.shape(x1) or not b.shape(x2):
        return b.multiply(x1, x2)
    return tensordot(x1, x2, ([-1], [-1]))


def vdot(x1, x2):
    """Dot product of the flattened inputs.

    Args:
        x1, x2: tensors with the same number of elements.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    if size(x1) != size(x2):
        raise ValueError(f"ops.vdot: incompatible shapes x1 {b.shape(x1)} and x2 {b.shape(x2)}.")
    return b.sum(b.multiply(ravel(x1), ravel(x2)))


def kron(x1, x2):
    """Kronecker product (block ``x1[i, j] * x2`` layout).

    Args:
        x1, x2: tensors.
    """
    b = current()
    x1, x2 = _promoted(x1, x2)
    rank = builtins.max(len(b.shape(x1)), len(b.shape(x2)))
    s1 = (1,) * (rank - len(b.shape(x1))) + b.shape(x1)
    s2 = (1,) * (rank - len(b.shape(x2))) + b.shape(x2)
    a = b.reshape(x1, [d for n in s1 for d in (n, 1)])
    c = b.reshape(x2, [d for n in s2 for d in (1, n)])
    return b.reshape(b.multiply(a, c), [p * q for p, q in zip(s1, s2)])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 2- or 3-component vectors (2-D ones give the scalar z component).

    Args:
        x1, x2: tensors. axisa, axisb: the vector axes of ``x1``/``x2``. axisc: the vector axis
            of the result. axis: overrides all three.

    Raises:
        ValueError: a vector axis of size other than 2 or 3.
    """
    b = current()
    if axis is not None:
        axisa = axisb = axisc = axis
    x1, x2 = _promoted(x1, x2)
    x1, x2 = moveaxis(x1, axisa, -1), moveaxis(x2, axisb, -1)
    n1, n2 = b.shape(x1)[-1], b.shape(x2)[-1]
    if n1 not in (2, 3) or n2 not in (2, 3):
        raise ValueError(f"ops.cross: vector dimensions must be 2 or 3, received shapes "
                         f"{b.shape(x1)} and {b.shape(x2)}.")
    a = [b.getitem(x1, (Ellipsis, i)) for i in range(n1)]
    c = [b.getitem(x2, (Ellipsis, i)) for i in range(n2)]
    z = b.subtract(b.multiply(a[0], c[1]), b.multiply(a[1], c[0]))
    if n1 == n2 == 2:
        return z
    zero = b.zeros((), b.dtype(x1))
    a2, c2 = (a[2] if n1 == 3 else zero), (c[2] if n2 == 3 else zero)
    out = b.stack([b.subtract(b.multiply(a[1], c2), b.multiply(a2, c[1])),
                   b.subtract(b.multiply(a2, c[0]), b.multiply(a[0], c2)), z], axis=-1)
    return moveaxis(out, -1, axisc)


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "builtins", "math", "np", "config", "current", "make_op", "unwrap")]
