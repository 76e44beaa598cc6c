"""Backend contract, elementwise math, comparisons, reductions, scans and segment reductions.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def add(x1, x2):
    """``x1 + x2`` with broadcasting."""


def subtract(x1, x2):
    """``x1 - x2`` with broadcasting."""


def multiply(x1, x2):
    """``x1 * x2`` with broadcasting."""


def divide(x1, x2):
    """True division ``x1 / x2`` with broadcasting."""


def power(x1, x2):
    """``x1 ** x2`` with broadcasting."""


def maximum(x1, x2):
    """Elementwise maximum (gradient flows to the larger input; ties to ``x1``)."""


def minimum(x1, x2):
    """Elementwise minimum (gradient flows to the smaller input; ties to ``x1``)."""


def negative(x):
    """``-x``."""


def abs(x):
    """``|x|`` (gradient ``sign(x)``)."""


def sign(x):
    """Sign of ``x`` (-1, 0, 1); gradient zero."""


def exp(x):
    """``e ** x``."""


def log(x):
    """Natural logarithm."""


def log1p(x):
    """``log(1 + x)``."""


def expm1(x):
    """``exp(x) - 1``."""


def sqrt(x):
    """Square root."""


def square(x):
    """``x * x``."""


def sin(x):
    """Sine."""


def cos(x):
    """Cosine."""


def tanh(x):
    """Hyperbolic tangent."""


def floor(x):
    """Round down (gradient zero)."""


def ceil(x):
    """Round up (gradient zero)."""


def round(x):
    """Round half to even (gradient zero)."""


def erf(x):
    """Gauss error function."""


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` else ``x2`` (broadcasting)."""


def clip(x, x_min, x_max):
    """Clip values to ``[x_min, x_max]`` (gradient 1 inside, 0 outside)."""


def equal(x1, x2):
    """``x1 == x2`` as bool."""


def not_equal(x1, x2):
    """``x1 != x2`` as bool."""


def greater(x1, x2):
    """``x1 > x2`` as bool."""


def greater_equal(x1, x2):
    """``x1 >= x2`` as bool."""


def less(x1, x2):
    """``x1 < x2`` as bool."""


def less_equal(x1, x2):
    """``x1 <= x2`` as bool."""


def logical_and(x1, x2):
    """Elementwise AND."""


def logical_or(x1, x2):
    """Elementwise OR."""


def logical_not(x):
    """Elementwise NOT."""


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis``."""


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (float result)."""


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (gradient to the arg-max; ties share it equally)."""


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``."""


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32 result; first on ties)."""


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32 result; first on ties)."""


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis``."""


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis``."""


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None)."""


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably."""


def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis: ``(values, indices)``.

    ``values`` keeps ``x``'s dtype, ``indices`` are int32; both have shape ``x.shape[:-1] + (k,)``.
    Ordered from largest to smallest (ties: lower index first). Differentiable in ``x``: the
    gradient flows to the selected entries.
    """


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of ``data`` (leading axis) that share a segment id.

    ``segment_ids``: 1-D ints in ``[0, num_segments)``, one per row. ``num_segments=None`` means
    ``max(segment_ids) + 1`` (needs concrete ids: pass it inside ``jax.jit``). Empty segments are
    0. Result shape ``(num_segments,) + data.shape[1:]``, dtype of ``data``.
    """


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of ``data`` that share a segment id (same conventions as
    :func:`segment_sum`). Empty segments hold ``-inf`` for floats (the dtype's minimum for ints).
    The gradient flows to the maximal rows (ties share it equally)."""


def erfinv(x):
    """Inverse error function on ``(-1, 1)`` (``±inf`` at ``±1``); float result."""


def tan(x):
    """Tangent (gradient ``1 + tan(x)**2``)."""


def arcsin(x):
    """Inverse sine (gradient ``1 / sqrt(1 - x**2)``)."""


def arccos(x):
    """Inverse cosine (gradient ``-1 / sqrt(1 - x**2)``)."""


def arctan(x):
    """Inverse tangent (gradient ``1 / (1 + x**2)``)."""


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)`` in ``[-pi, pi]``, with broadcasting."""


def sinh(x):
    """Hyperbolic sine."""


def cosh(x):
    """Hyperbolic cosine."""


def arcsinh(x):
    """Inverse hyperbolic sine."""


def arccosh(x):
    """Inverse hyperbolic cosine (``x >= 1``)."""


def arctanh(x):
    """Inverse hyperbolic tangent (``|x| < 1``)."""


def trunc(x):
    """Round toward zero (integers pass through; gradient zero)."""


def isnan(x):
    """Elementwise ``x != x`` as bool (all False for integers); not differentiable."""


def isinf(x):
    """Elementwise ``|x| == inf`` as bool; not differentiable."""


def isfinite(x):
    """Elementwise "neither NaN nor infinite" as bool; not differentiable."""


def mod(x1, x2):
    """Floor remainder ``x1 - floor(x1 / x2) * x2`` (sign of ``x2``; bool -> int32).

    Gradient: 1 for ``x1``, ``-floor(x1 / x2)`` for ``x2``.
    """


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the operands' common dtype (gradient zero)."""


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None); ``dtype`` casts first."""


def nonzero(x):
    """Tuple (one per dimension) of int32 index tensors of the non-zero entries.

    The output shape depends on the values: eager only (not inside ``jax.jit`` /
    ``tf.function``), and not differentiable.
    """


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices of ``values`` into the 1-D ``sorted_sequence`` (not
    differentiable); ``side`` "left" (first suitable) or "right" (last)."""


def bitwise_and(x, y):
    """Elementwise bitwise AND of two integer (or bool) tensors of one dtype (no gradient)."""


def bitwise_or(x, y):
    """Elementwise bitwise OR of two integer (or bool) tensors of one dtype (no gradient)."""


def bitwise_xor(x, y):
    """Elementwise bitwise XOR of two integer (or bool) tensors of one dtype (no gradient)."""


def bitwise_invert(x):
    """Elementwise bitwise NOT of an integer (or bool: logical NOT) tensor (no gradient)."""


def bitwise_left_shift(x, y):
    """``x << y`` elementwise for two integer tensors of one dtype (no gradient)."""


def bitwise_right_shift(x, y):
    """``x >> y`` elementwise (arithmetic for signed dtypes), two integer tensors of one dtype
    (no gradient)."""


def bitcast(x, dtype):
    """Reinterpret the bytes of ``x`` as ``dtype`` (no copy of meaning, no gradient).

    Same item size: same shape. A smaller ``dtype`` (ratio ``r``) appends a last axis of size
    ``r``; a larger one needs a last axis of size ``r`` and removes it (``tf.bitcast``'s rule).
    Bytes are in the machine's (little-endian) order.
    """
