"""Elementwise numpy-like ops: trigonometry, rounding, remainders, logs, predicates.

See :mod:`mini_keras.ops.numpy_ext` for the conventions."""

from __future__ import annotations

import math

import numpy as np

from mini_keras.backends import current
from mini_keras.ops._common import (
    _is_float,
    _tensor,
    _to_float,
)
from mini_keras.ops.dispatch import make_op, unwrap

__all__ = ["absolute", "allclose", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "cbrt", "cosh", "deg2rad", "divide_no_nan", "exp2", "fabs", "floor_divide", "fmod",
    "heaviside", "hypot", "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "log2",
    "log10", "logaddexp", "logical_xor", "mod", "nan_to_num", "rad2deg", "reciprocal", "select",
    "sinc", "sinh", "tan", "true_divide", "trunc"]

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
