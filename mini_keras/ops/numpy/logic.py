"""Comparisons, logic, predicates (isnan, isclose...) and selection (where, clip, select).

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math

from mini_keras import ops
from mini_keras.ops.checks import (
    _tensor,
    _to_float,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


@primitive
def where(condition, x1, x2):
    ...


@primitive
def clip(x, x_min, x_max):
    ...


@primitive
def equal(x1, x2):
    ...


@primitive
def not_equal(x1, x2):
    ...


@primitive
def greater(x1, x2):
    ...


@primitive
def greater_equal(x1, x2):
    ...


@primitive
def less(x1, x2):
    ...


@primitive
def less_equal(x1, x2):
    ...


@primitive
def logical_and(x1, x2):
    ...


@primitive
def logical_or(x1, x2):
    ...


@primitive
def logical_not(x):
    ...


@composite
def logical_xor(x1, x2):
    """Elementwise exclusive OR of the truth values.

    Args:
        x1, x2: input tensors (non-zero is True).
    """
    return ops.not_equal(ops.cast(_tensor(x1), "bool"), ops.cast(_tensor(x2), "bool"))


@primitive
def isnan(x):
    ...


@primitive
def isinf(x):
    ...


@primitive
def isfinite(x):
    ...


@composite
def isneginf(x):
    """Elementwise ``x == -inf`` (bool).

    Args:
        x: input tensor.
    """
    return ops.equal(_to_float(x), -math.inf)


@composite
def isposinf(x):
    """Elementwise ``x == +inf`` (bool).

    Args:
        x: input tensor.
    """
    return ops.equal(_to_float(x), math.inf)


@composite
def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Elementwise ``|x1 - x2| <= atol + rtol * |x2|`` (equal infinities are close).

    Args:
        x1, x2: tensors to compare. rtol, atol: tolerances. equal_nan: NaN == NaN.
    """
    x1, x2 = _to_float(x1), _to_float(x2)
    near = ops.less_equal(ops.abs(ops.subtract(x1, x2)), ops.add(atol, ops.multiply(rtol, ops.abs(x2))))
    finite = ops.logical_and(ops.isfinite(x1), ops.isfinite(x2))
    out = ops.logical_or(ops.equal(x1, x2), ops.logical_and(finite, near))
    if equal_nan:
        out = ops.logical_or(out, ops.logical_and(ops.isnan(x1), ops.isnan(x2)))
    return out


@composite(keras_class="AllClose")
def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """True (a bool scalar tensor) when :func:`isclose` holds everywhere.

    Args:
        x1, x2: tensors to compare. rtol, atol: tolerances. equal_nan: NaN == NaN.
    """
    return ops.all(ops.isclose(x1, x2, rtol, atol, equal_nan))


@composite
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
    out = unwrap(default)
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = ops.where(unwrap(cond), unwrap(choice), out)
    return ops.convert_to_tensor(out)


@composite(keras_class="IsIn")
def isin(x1, x2, assume_unique=False, invert=False):
    """True where an entry of ``x1`` occurs in ``x2`` (shape of ``x1``).

    Args:
        x1: the tested values. x2: the values to look for (any shape). assume_unique: a
            speed hint in numpy (the result is the same). invert: return the complement.
    """
    x1, x2 = ops.convert_to_tensor(x1), ops.reshape(ops.convert_to_tensor(x2), (-1,))
    found = ops.any(ops.equal(ops.expand_dims(x1, -1), x2), axis=-1)
    return ops.logical_not(found) if invert else found


__all__ = [name for name in exported(__name__)]
