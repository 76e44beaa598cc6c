"""Keras 3 numpy-family ops added late (bitwise, gcd/lcm, ...): values vs numpy, dtypes vs
Keras 3's promotion, symbolic shapes/dtypes, on every backend."""

import os

import numpy as np
import pytest

from mini_keras import Input, ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

rng = np.random.default_rng(11)
I8 = np.array([[5, -3, 12, 0], [-7, 1, 100, -128]], np.int8)
I16 = np.array([3, 6, -10, 0], np.int16)
I32 = rng.integers(-1000, 1000, (2, 4)).astype(np.int32)
U8 = np.array([0, 1, 200, 255], np.uint8)
SHIFTS = np.array([0, 1, 2, 3], np.int32)
B = np.array([True, False, True, False])
C = np.array([True, True, False, False])

BITWISE_CASES = [  # (id, op, args, numpy reference)
    ("and", ops.bitwise_and, (I8, I16), lambda: np.bitwise_and(I8, I16)),
    ("and-int", ops.bitwise_and, (I8, 6), lambda: np.bitwise_and(I8, np.int8(6))),
    ("and-bool", ops.bitwise_and, (B, C), lambda: B & C),
    ("or", ops.bitwise_or, (I32, I16), lambda: np.bitwise_or(I32, I16)),
    ("or-uint", ops.bitwise_or, (U8, 9), lambda: np.bitwise_or(U8, np.uint8(9))),
    ("or-bool", ops.bitwise_or, (B, C), lambda: B | C),
    ("xor", ops.bitwise_xor, (I8, I8[::-1]), lambda: np.bitwise_xor(I8, I8[::-1])),
    ("xor-bool", ops.bitwise_xor, (B, C), lambda: B ^ C),
    ("invert", ops.bitwise_invert, (I8,), lambda: np.invert(I8)),
    ("invert-uint", ops.bitwise_invert, (U8,), lambda: np.invert(U8)),
    ("invert-bool", ops.bitwise_invert, (B,), lambda: ~B),
    ("not", ops.bitwise_not, (I32,), lambda: np.invert(I32)),
    ("lshift", ops.bitwise_left_shift, (I32, SHIFTS), lambda: np.left_shift(I32, SHIFTS)),
    ("lshift-int", ops.left_shift, (I16, 2), lambda: np.left_shift(I16, np.int16(2))),
    ("rshift", ops.bitwise_right_shift, (I32, SHIFTS), lambda: np.right_shift(I32, SHIFTS)),
    ("rshift-int", ops.right_shift, (I8, 1), lambda: np.right_shift(I8, np.int8(1))),
    ("rshift-uint", ops.right_shift, (U8, 3), lambda: np.right_shift(U8, np.uint8(3))),
    ("gcd", ops.gcd, (I32, np.array([12, -18, 0, 7], np.int32)),
     lambda: np.gcd(I32, np.array([12, -18, 0, 7], np.int32))),
    ("gcd-zeros", ops.gcd, (np.array([0, 0, 6]), np.array([0, 4, 0])),
     lambda: np.gcd(np.array([0, 0, 6]), np.array([0, 4, 0]))),
    ("gcd-int", ops.gcd, (I16, 4), lambda: np.gcd(I16, np.int16(4))),
    ("lcm", ops.lcm, (np.array([4, -6, 0, 21], np.int32), np.array([6, 4, 5, -14], np.int32)),
     lambda: np.lcm(np.array([4, -6, 0, 21], np.int32), np.array([6, 4, 5, -14], np.int32))),
    ("lcm-bcast", ops.lcm, (np.array([[2], [3]], np.int16), np.array([4, 9, 1], np.int16)),
     lambda: np.lcm(np.array([[2], [3]], np.int16), np.array([4, 9, 1], np.int16))),
]


def _expected_dtype(expected, backend):
    """numpy's dtype, with JAX/Keras' 32-bit default for 64-bit ints off TensorFlow."""
    name = expected.dtype.name
    if backend not in ("tensorflow", "numpy", "torch") and name == "int64":
        return "int32"
    return name


@pytest.mark.parametrize("case", BITWISE_CASES, ids=[c[0] for c in BITWISE_CASES])
def test_bitwise_matches_numpy(backend, case):
    _, op, args, reference = case
    out = op(*args)
    expected = reference()
    np.testing.assert_array_equal(ops.convert_to_numpy(out), expected)
    assert ops.dtype(out) in (_expected_dtype(expected, backend), expected.dtype.name)


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"])
def test_binary_dtypes_match_keras(backend, name):
    keras = pytest.importorskip("keras")
    for a, b in ((I8, I16), (U8, I16), (I8, I32), (I8, 3)):
        ours = ops.dtype(getattr(ops, name)(a, b))
        theirs = keras.backend.result_type(a.dtype.name, int if b == 3 else b.dtype.name) \
            if isinstance(b, int) else keras.backend.result_type(a.dtype.name, b.dtype.name)
        assert ours == theirs, (name, a.dtype, getattr(b, "dtype", b))


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_invert",
                                  "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm"])
def test_float_operands_raise(backend, name):
    op = getattr(ops, name)
    args = (np.ones(3, np.float32),) * (1 if name == "bitwise_invert" else 2)
    with pytest.raises(TypeError, match=f"ops.{name}: `x1?` must have an integer"):
        op(*args)


@pytest.mark.parametrize("name", ["bitwise_left_shift", "gcd", "lcm"])
def test_bool_refused_where_numpy_refuses(backend, name):
    with pytest.raises(TypeError, match=f"ops.{name}: .* integer dtype, received dtype bool"):
        getattr(ops, name)(B, C)


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_left_shift", "gcd", "lcm",
                                  "bitwise_not"])
def test_symbolic_shape_and_dtype(backend, name):
    x = Input((3, 4), dtype="int16")
    y = Input((1, 4), dtype="int8")
    out = ops.bitwise_not(x) if name == "bitwise_not" else getattr(ops, name)(x, y)
    assert out.shape == (None, 3, 4)
    assert out.dtype == "int16"
