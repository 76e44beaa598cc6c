"""Bit-level ops of the numpy family: and/or/xor/invert, shifts, gcd, lcm, view, nextafter.

The operands are integers (bool too for and/or/xor/invert); they are promoted to one dtype by
Keras 3's rules (:func:`mini_keras.backend.result_type`: a Python int takes the tensor's dtype)
before the backend runs. None of these ops has a gradient (integer results).
"""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.backend.dtypes import result_type, standardize_dtype
from mini_keras.ops.backend_calls import backend_function
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


_bitcast = backend_function("bitcast")


def _itemsize(dtype: str) -> int:
    return 2 if dtype == "bfloat16" else np.dtype(dtype).itemsize


def _bytes_as(x, dtype):
    """``bitcast`` that also takes bool (one byte of 0/1 each, as numpy stores it)."""
    if ops.dtype(x) == "bool":
        x = ops.cast(x, "uint8")
    if dtype == "bool":
        return ops.not_equal(_bitcast(x, "uint8"), 0)
    return _bitcast(x, dtype)


@composite
def view(x, dtype=None):
    """The bytes of ``x`` read as ``dtype`` (numpy's ``x.view(dtype)``; no gradient).

    With another item size the last axis changes length (``n * old // new`` items), as in
    numpy; bytes are read in little-endian order.

    Args:
        x: input tensor. dtype: the new dtype (default: ``x``'s own).

    Raises:
        ValueError: a scalar with another item size, or a last axis whose byte length the new
            item size does not divide.
    """
    x = ops.convert_to_tensor(unwrap(x))
    old = ops.dtype(x)
    new = standardize_dtype(dtype) if dtype is not None else old
    if new == old:
        return x
    before, after = _itemsize(old), _itemsize(new)
    if before == after:
        return _bytes_as(x, new)
    shape = tuple(ops.shape(x))
    if not shape:
        _fail("view", f"cannot view a scalar of {old} as {new}: the item sizes differ.")
    if (shape[-1] * before) % after:
        _fail("view", f"cannot view shape {shape} of {old} as {new}: the last axis holds "
                      f"{shape[-1] * before} bytes, not a multiple of {after}.")
    if before > after:
        return ops.reshape(_bytes_as(x, new), (*shape[:-1], shape[-1] * before // after))
    grouped = ops.reshape(x, (*shape[:-1], shape[-1] * before // after, after // before))
    return _bytes_as(grouped, new)


_INT_OF_SIZE = {2: "int16", 4: "int32", 8: "int64"}


@composite
def nextafter(x1, x2):
    """The next representable float after ``x1`` in the direction of ``x2``, elementwise.

    Args:
        x1, x2: tensors (or Python numbers), broadcast together; the result is their common
            float dtype (ints become floatx).
    """
    x1, x2 = unwrap(x1), unwrap(x2)
    dtypes = [ops.dtype(ops.convert_to_tensor(v)) if not isinstance(v, (int, float))
              or isinstance(v, bool) else type(v) for v in (x1, x2)]
    dtype = result_type(*dtypes, float)
    a, b = ops.cast(ops.convert_to_tensor(x1), dtype), ops.cast(ops.convert_to_tensor(x2), dtype)
    a, b = ops.add(a, ops.zeros_like(b)), ops.add(b, ops.zeros_like(a))
    int_dtype = _INT_OF_SIZE[_itemsize(dtype)]
    bits = ops.view(a, int_dtype)
    away = ops.equal(ops.greater(b, a), ops.greater(a, 0))  # moving away from zero
    step = ops.where(away, ops.ones_like(bits), ops.negative(ops.ones_like(bits)))
    moved = ops.view(ops.add(bits, step), dtype)
    smallest = ops.view(ops.ones_like(bits), dtype)  # the smallest subnormal, towards b
    from_zero = ops.where(ops.greater(b, a), smallest, ops.negative(smallest))
    out = ops.where(ops.equal(a, 0), from_zero, moved)
    out = ops.where(ops.equal(a, b), b, out)
    return ops.where(ops.logical_or(ops.isnan(a), ops.isnan(b)), ops.add(a, b), out)


__all__ = [name for name in exported(__name__)]
