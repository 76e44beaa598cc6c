"""Elementwise arithmetic of the numpy family: +-*/, powers, exp/log, trigonometry, rounding.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import (
    _is_float,
    _tensor,
    _to_float,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _check_numeric_pair(op, x1, x2):
    for name, x in (("x1", x1), ("x2", x2)):
        if not isinstance(x, (int, float)) and ops.dtype(_tensor(x)) == "bool":
            raise TypeError(f"ops.{op}: `{name}` must be numeric, received dtype bool.")


@primitive
def add(x1, x2):
    ...


@primitive
def subtract(x1, x2):
    ...


@primitive
def multiply(x1, x2):
    ...


@primitive
def divide(x1, x2):
    ...


@primitive
def power(x1, x2):
    ...


@primitive
def maximum(x1, x2):
    ...


@primitive
def minimum(x1, x2):
    ...


@primitive
def negative(x):
    ...


@primitive(keras_class="Absolute")
def abs(x):
    ...


@primitive
def sign(x):
    ...


@primitive
def exp(x):
    ...


@primitive
def log(x):
    ...


@primitive
def log1p(x):
    ...


@primitive
def expm1(x):
    ...


@primitive
def sqrt(x):
    ...


@primitive
def square(x):
    ...


@primitive
def sin(x):
    ...


@primitive
def cos(x):
    ...


@primitive
def tanh(x):
    ...


@primitive
def floor(x):
    ...


@primitive
def ceil(x):
    ...


@primitive
def tan(x):
    ...


@primitive
def arcsin(x):
    ...


@primitive
def arccos(x):
    ...


@primitive
def arctan(x):
    ...


@primitive
def arctan2(x1, x2):
    ...


@primitive
def sinh(x):
    ...


@primitive
def cosh(x):
    ...


@primitive
def arcsinh(x):
    ...


@primitive
def arccosh(x):
    ...


@primitive
def arctanh(x):
    ...


@primitive
def trunc(x):
    ...


@primitive
def mod(x1, x2):
    """Floor remainder ``x1 - floor(x1 / x2) * x2`` (sign of ``x2``), with broadcasting.

    Args:
        x1: dividend. x2: divisor. Gradient: 1 for ``x1``, ``-floor(x1 / x2)`` for ``x2``.

    Raises:
        TypeError: a bool operand.
    """
    _check_numeric_pair("mod", x1, x2)
    return {'x1': unwrap(x1), 'x2': unwrap(x2)}


@primitive
def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the operands' common dtype (zero gradient).

    Args:
        x1: dividend. x2: divisor.

    Raises:
        TypeError: a bool operand.
    """
    _check_numeric_pair("floor_divide", x1, x2)
    return {'x1': unwrap(x1), 'x2': unwrap(x2)}


@composite
def fmod(x1, x2):
    """C-style remainder: like :func:`mod` but with the sign of ``x1``.

    Args:
        x1: dividend. x2: divisor.
    """
    r = ops.mod(x1, x2)
    x1 = _tensor(x1)
    wrong_sign = ops.logical_and(ops.not_equal(r, 0), ops.not_equal(ops.less(r, 0), ops.less(x1, 0)))
    return ops.where(wrong_sign, ops.subtract(r, unwrap(x2)), r)


@composite
def absolute(x):
    """``|x|`` (same as :func:`abs`).

    Args:
        x: input tensor.
    """
    return ops.abs(unwrap(x))


@composite
def fabs(x):
    """``|x|`` as a float tensor (integers become floatx).

    Args:
        x: input tensor.
    """
    return ops.abs(_to_float(x))


@composite
def true_divide(x1, x2):
    """True division ``x1 / x2`` (same as :func:`divide`).

    Args:
        x1: numerator. x2: denominator.
    """
    return ops.divide(unwrap(x1), unwrap(x2))


@composite
def reciprocal(x):
    """``1 / x`` (integers give floatx).

    Args:
        x: input tensor.
    """
    return ops.divide(1.0, _to_float(x))


@composite
def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 (and a zero gradient) wherever ``x2 == 0``.

    Args:
        x1: numerator. x2: denominator.
    """
    x1, x2 = _to_float(x1), _to_float(x2)
    zero = ops.equal(x2, 0)
    return ops.where(zero, 0.0, ops.divide(x1, ops.where(zero, 1.0, x2)))


@composite
def log2(x):
    """Base-2 logarithm.

    Args:
        x: input tensor (integers become floatx).
    """
    return ops.divide(ops.log(_to_float(x)), math.log(2.0))


@composite
def log10(x):
    """Base-10 logarithm.

    Args:
        x: input tensor (integers become floatx).
    """
    return ops.divide(ops.log(_to_float(x)), math.log(10.0))


@composite
def exp2(x):
    """``2 ** x``.

    Args:
        x: input tensor (integers become floatx).
    """
    return ops.exp(ops.multiply(_to_float(x), math.log(2.0)))


@composite
def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` computed stably (the gradient is the pair's softmax).

    Args:
        x1, x2: input tensors (broadcast together; integers become floatx).
    """
    x1, x2 = _to_float(x1), _to_float(x2)
    top = ops.maximum(x1, x2)
    top = ops.stop_gradient(ops.where(ops.isfinite(top), top, 0.0))
    return ops.add(top, ops.log(ops.add(ops.exp(ops.subtract(x1, top)), ops.exp(ops.subtract(x2, top)))))


@composite
def hypot(x1, x2):
    """``sqrt(x1**2 + x2**2)``.

    Args:
        x1, x2: input tensors (broadcast together; integers become floatx).
    """
    return ops.sqrt(ops.add(ops.square(_to_float(x1)), ops.square(_to_float(x2))))


@composite
def cbrt(x):
    """Real cube root (negative inputs give negative roots).

    Args:
        x: input tensor (integers become floatx).
    """
    x = _to_float(x)
    return ops.multiply(ops.sign(x), ops.power(ops.abs(x), 1.0 / 3.0))


@composite
def heaviside(x1, x2):
    """Step function: 0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``.

    Args:
        x1: input. x2: the value at zero. Integers become floatx.
    """
    x1, x2 = _to_float(x1), _to_float(x2)
    return ops.where(ops.less(x1, 0), 0.0, ops.where(ops.greater(x1, 0), 1.0, x2))


@composite
def deg2rad(x):
    """Degrees to radians.

    Args:
        x: angles in degrees.
    """
    return ops.multiply(_to_float(x), math.pi / 180.0)


@composite
def rad2deg(x):
    """Radians to degrees.

    Args:
        x: angles in radians.
    """
    return ops.multiply(_to_float(x), 180.0 / math.pi)


@composite
def sinc(x):
    """Normalised sinc ``sin(pi x) / (pi x)`` (1 at 0, with a finite gradient there).

    Args:
        x: input tensor.
    """
    x = _to_float(x)
    zero = ops.equal(x, 0)
    safe = ops.multiply(ops.where(zero, 1.0, x), math.pi)
    return ops.where(zero, 1.0, ops.divide(ops.sin(safe), safe))


@composite
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the dtype's
    largest/smallest finite values).

    Args:
        x: input tensor. nan, posinf, neginf: replacement values.
    """
    x = _tensor(x)
    if not _is_float(x):
        return x
    info = np.finfo(np.float32 if ops.dtype(x) == "bfloat16" else ops.dtype(x))
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    x = ops.where(ops.isnan(x), nan, x)
    x = ops.where(ops.equal(x, math.inf), posinf, x)
    return ops.where(ops.equal(x, -math.inf), neginf, x)


@composite
def fmax(x1, x2):
    """Elementwise maximum that ignores a NaN operand (NaN only where both are NaN).

    Args:
        x1, x2: tensors (broadcast together).
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    if not (_is_float(x1) or _is_float(x2)):
        return ops.maximum(x1, x2)
    return ops.where(ops.isnan(x1), x2, ops.where(ops.isnan(x2), x1, ops.maximum(x1, x2)))


@composite
def fmin(x1, x2):
    """Elementwise minimum that ignores a NaN operand (NaN only where both are NaN).

    Args:
        x1, x2: tensors (broadcast together).
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.convert_to_tensor(x2)
    if not (_is_float(x1) or _is_float(x2)):
        return ops.minimum(x1, x2)
    return ops.where(ops.isnan(x1), x2, ops.where(ops.isnan(x2), x1, ops.minimum(x1, x2)))


@composite
def logaddexp2(x1, x2):
    """``log2(2**x1 + 2**x2)`` computed stably.

    Args:
        x1, x2: tensors (broadcast together; integers become floatx).
    """
    ln2 = math.log(2.0)
    return ops.divide(ops.logaddexp(ops.multiply(_to_float(x1), ln2),
                                    ops.multiply(_to_float(x2), ln2)), ln2)


@composite
def ldexp(x1, x2):
    """``x1 * 2**x2`` (``x2`` must be integers).

    Args:
        x1: mantissas. x2: integer exponents.

    Raises:
        TypeError: ``x2`` is not an integer tensor.
    """
    x2 = ops.convert_to_tensor(x2)
    if "int" not in ops.dtype(x2):
        raise TypeError(f"ops.ldexp: `x2` must be integers, received dtype {ops.dtype(x2)}.")
    x1 = _to_float(x1)
    return ops.multiply(x1, ops.power(ops.cast(2.0, ops.dtype(x1)), ops.cast(x2, ops.dtype(x1))))


@composite
def signbit(x):
    """True where the sign bit is set (negative numbers, ``-0.0`` and ``-nan``).

    Args:
        x: input tensor.
    """
    x = ops.convert_to_tensor(x)
    if ops.dtype(x) == "bool" or ops.dtype(x).startswith("uint"):
        return ops.zeros(ops.shape(x), "bool")
    if not _is_float(x):
        return ops.less(x, 0)
    # 1 / -0.0 is -inf: the sign of a zero shows in its reciprocal
    zero_sign = ops.less(ops.divide(ops.ones((), ops.dtype(x)), x), 0)
    return ops.where(ops.equal(x, 0), zero_sign, ops.less(x, 0))


__all__ = [name for name in exported(__name__)]
