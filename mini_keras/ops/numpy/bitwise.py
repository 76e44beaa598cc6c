"""Bitwise and integer-arithmetic ops of the numpy family: and/or/xor/invert, shifts, gcd, lcm.

The operands are integers (bool too for and/or/xor/invert); they are promoted to one dtype by
Keras 3's rules (:func:`mini_keras.backend.result_type`: a Python int takes the tensor's dtype)
before the backend runs. None of these ops has a gradient (integer results).
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras.backend.dtypes import result_type
from mini_keras.ops.checks import _fail
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _dtype_of(op, arg, value, allow_bool):
    """The dtype (``int`` for a weak Python int) of one operand, refusing non-integers."""
    if isinstance(value, bool):
        dtype = "bool"
    elif isinstance(value, int):
        return int
    else:
        dtype = ops.dtype(ops.convert_to_tensor(value))
    if not ("int" in dtype or (allow_bool and dtype == "bool")):
        kinds = "integer or bool" if allow_bool else "integer"
        _fail(op, f"`{arg}` must have an {kinds} dtype, received dtype {dtype}.", TypeError)
    return dtype


def _operands(op, allow_bool, **named):
    """The operands as tensors of their common (Keras 3 promoted) dtype, by argument name."""
    named = {k: unwrap(v) for k, v in named.items()}
    dtypes = [_dtype_of(op, k, v, allow_bool) for k, v in named.items()]
    strong = {d for d in dtypes if d is not int}
    common = strong.pop() if len(strong) == 1 else result_type(*dtypes)
    return {k: ops.cast(ops.convert_to_tensor(v), common) for k, v in named.items()}


@primitive
def bitwise_and(x, y):
    """Elementwise bitwise AND ``x & y``.

    Args:
        x, y: integer or bool tensors (or Python ints), broadcast together.

    Raises:
        TypeError: an operand is not integer or bool.
    """
    return _operands("bitwise_and", True, x=x, y=y)


@primitive
def bitwise_or(x, y):
    """Elementwise bitwise OR ``x | y``.

    Args:
        x, y: integer or bool tensors (or Python ints), broadcast together.

    Raises:
        TypeError: an operand is not integer or bool.
    """
    return _operands("bitwise_or", True, x=x, y=y)


@primitive
def bitwise_xor(x, y):
    """Elementwise bitwise XOR ``x ^ y``.

    Args:
        x, y: integer or bool tensors (or Python ints), broadcast together.

    Raises:
        TypeError: an operand is not integer or bool.
    """
    return _operands("bitwise_xor", True, x=x, y=y)


@primitive
def bitwise_invert(x):
    """Elementwise bitwise NOT ``~x`` (logical NOT for bool).

    Args:
        x: an integer or bool tensor.

    Raises:
        TypeError: ``x`` is not integer or bool.
    """
    return _operands("bitwise_invert", True, x=x)


@composite
def bitwise_not(x):
    """Elementwise bitwise NOT ``~x``: the same as :func:`bitwise_invert`.

    Args:
        x: an integer or bool tensor.
    """
    return ops.bitwise_invert(x)


@primitive
def bitwise_left_shift(x, y):
    """Elementwise ``x << y``.

    Args:
        x: integer tensor. y: integer tensor or Python int (the shift counts).

    Raises:
        TypeError: an operand is not integer.
    """
    return _operands("bitwise_left_shift", False, x=x, y=y)


@composite
def left_shift(x, y):
    """Elementwise ``x << y``: the same as :func:`bitwise_left_shift`.

    Args:
        x: integer tensor. y: integer tensor or Python int.
    """
    return ops.bitwise_left_shift(x, y)


@primitive
def bitwise_right_shift(x, y):
    """Elementwise ``x >> y`` (arithmetic: the sign is kept for signed dtypes).

    Args:
        x: integer tensor. y: integer tensor or Python int (the shift counts).

    Raises:
        TypeError: an operand is not integer.
    """
    return _operands("bitwise_right_shift", False, x=x, y=y)


@composite
def right_shift(x, y):
    """Elementwise ``x >> y``: the same as :func:`bitwise_right_shift`.

    Args:
        x: integer tensor. y: integer tensor or Python int.
    """
    return ops.bitwise_right_shift(x, y)


def _euclid(a, b):
    """gcd of two non-negative integer tensors of one shape (Euclid's loop, all lanes at once)."""
    def cond(a, b):
        return ops.any(ops.not_equal(b, 0))

    def body(a, b):
        live = ops.not_equal(b, 0)
        step = ops.mod(a, ops.where(live, b, ops.ones_like(b)))
        return ops.where(live, b, a), ops.where(live, step, b)
    return ops.while_loop(cond, body, (a, b))[0]


@composite
def gcd(x1, x2):
    """Elementwise greatest common divisor of ``|x1|`` and ``|x2|`` (``gcd(0, 0) = 0``).

    Args:
        x1, x2: integer tensors (or Python ints), broadcast together.

    Raises:
        TypeError: an operand is not integer.
    """
    both = _operands("gcd", False, x1=x1, x2=x2)
    a, b = ops.abs(both["x1"]), ops.abs(both["x2"])
    return _euclid(ops.add(a, ops.zeros_like(b)), ops.add(b, ops.zeros_like(a)))


@composite
def lcm(x1, x2):
    """Elementwise least common multiple of ``|x1|`` and ``|x2|`` (0 when either is 0).

    Args:
        x1, x2: integer tensors (or Python ints), broadcast together.

    Raises:
        TypeError: an operand is not integer.
    """
    both = _operands("lcm", False, x1=x1, x2=x2)
    a, b = ops.abs(both["x1"]), ops.abs(both["x2"])
    divisor = ops.gcd(a, b)
    zero = ops.equal(divisor, 0)
    out = ops.multiply(ops.floor_divide(a, ops.where(zero, ops.ones_like(divisor), divisor)), b)
    return ops.where(zero, ops.zeros_like(out), out)


__all__ = [name for name in exported(__name__)]
