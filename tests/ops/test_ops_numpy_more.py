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


# ---------------------------------------------------------------------------- batch 2

F = rng.normal(size=(3, 6)).astype(np.float32)
V5 = rng.normal(size=5).astype(np.float32)
V3 = rng.normal(size=3).astype(np.float32)
BESSEL = np.array([0.0, 0.5, -1.0, 3.0, 7.9, 8.0, 8.5, -20.0, 60.0], np.float32)
FLAT = np.array([[1, 5], [7, 0]], np.int32)

VALUE_CASES = [  # (id, call, numpy reference, rtol)
    ("i0", lambda: ops.i0(BESSEL), lambda: np.i0(BESSEL).astype(np.float32), 1e-5),
    ("kaiser", lambda: ops.kaiser(12, 5.0), lambda: np.kaiser(12, 5.0).astype(np.float32), 1e-5),
    ("kaiser-1", lambda: ops.kaiser(1, 5.0), lambda: np.kaiser(1, 5.0).astype(np.float32), 0),
    ("corrcoef", lambda: ops.corrcoef(F), lambda: np.corrcoef(F).astype(np.float32), 1e-5),
    ("corrcoef-int", lambda: ops.corrcoef(I32), lambda: np.corrcoef(I32).astype(np.float32),
     1e-5),
    # Keras 3 keeps the input dtype where numpy widens (vander, unravel_index)
    ("vander", lambda: ops.vander(V3), lambda: np.vander(V3).astype(np.float32), 1e-6),
    ("vander-int-N-inc", lambda: ops.vander(SHIFTS, 3, increasing=True),
     lambda: np.vander(SHIFTS, 3, increasing=True).astype(np.int32), 0),
    ("unravel", lambda: ops.unravel_index(FLAT, (2, 4)),
     lambda: tuple(c.astype(np.int32) for c in np.unravel_index(FLAT, (2, 4))), 0),
    ("unravel-1d", lambda: ops.unravel_index(np.array([3, 22, 41], np.int32), (7, 6)),
     lambda: tuple(c.astype(np.int32) for c in np.unravel_index([3, 22, 41], (7, 6))), 0),
    ("get_item", lambda: ops.get_item(F, (slice(1, None), [0, 2])),
     lambda: F[1:, [0, 2]], 0),
    ("get_item-list-key", lambda: ops.get_item(F, [1, slice(None, None, 2)]),
     lambda: F[1, ::2], 0),
] + [
    (f"correlate-{mode}-{a}-{b}", lambda a=a, b=b, mode=mode: ops.correlate(
        V5[:a], V3[:b], mode=mode), lambda a=a, b=b, mode=mode: np.correlate(
        V5[:a], V3[:b], mode=mode), 1e-5)
    for mode in ("valid", "same", "full") for a, b in ((5, 3), (2, 3), (4, 2), (1, 3))
]


@pytest.mark.parametrize("case", VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_values_match_numpy(backend, case):
    _, call, reference, rtol = case
    out, expected = call(), reference()
    if isinstance(expected, tuple):
        assert isinstance(out, tuple) and len(out) == len(expected)
        for o, e in zip(out, expected):
            np.testing.assert_array_equal(ops.convert_to_numpy(o), e)
            assert ops.dtype(o) == e.dtype.name
        return
    np.testing.assert_allclose(ops.convert_to_numpy(out), expected, rtol=rtol, atol=rtol)
    assert ops.dtype(out) == expected.dtype.name


def test_i0_gradient_is_i1(backend):
    x = np.array([0.3, -2.0, 9.0], np.float32)
    _, (grad,) = ops.value_and_grad(lambda v: ops.sum(ops.i0(v[0])))([ops.convert_to_tensor(x)])
    h = 1e-4  # central differences of numpy's float64 i0: i1(x)
    expected = (np.i0(x.astype(np.float64) + h) - np.i0(x.astype(np.float64) - h)) / (2 * h)
    np.testing.assert_allclose(ops.convert_to_numpy(grad), expected, rtol=1e-4)


@pytest.mark.parametrize("name", ["i0", "corrcoef", "correlate", "vander", "kaiser"])
def test_dtypes_match_keras(backend, name):
    keras = pytest.importorskip("keras")
    cases = {
        "i0": [(np.ones(3, "float16"),), (np.ones(3, "int32"),), (np.ones(3, "float32"),)],
        "corrcoef": [(F.astype("float16"),), (I32,), (F,)],
        "correlate": [(V5, V3), (SHIFTS, SHIFTS), (V5.astype("float16"), V3.astype("float16"))],
        "vander": [(V3,), (SHIFTS,), (V3.astype("float16"),)],
        "kaiser": [(4, 2.0)],
    }[name]
    for args in cases:
        ours, theirs = getattr(ops, name)(*args), getattr(keras.ops, name)(*args)
        assert ops.dtype(ours) == keras.backend.standardize_dtype(theirs.dtype), (name, args)


def test_symbolic_batch2(backend):
    x = Input((3,))
    assert ops.i0(x).shape == (None, 3) and ops.i0(x).dtype == "float32"
    assert ops.get_item(x, (slice(None), 0)).shape == (None,)
    assert x[:, 1:].shape == (None, 2)
    assert x[0].shape == (3,)
    rows, cols = ops.unravel_index(Input((4,), dtype="int32"), (3, 5))
    assert rows.shape == cols.shape == (None, 4) and rows.dtype == "int32"
    v = Input((3,), batch_size=None)
    assert ops.vander(v[0]).shape == (3, 3)
    with pytest.raises(TypeError, match="not iterable"):
        list(x)


def test_bad_arguments_raise(backend):
    with pytest.raises(ValueError, match="ops.correlate: `mode`"):
        ops.correlate(V5, V3, mode="middle")
    with pytest.raises(ValueError, match="ops.correlate: `x1` must be a non-empty 1-D"):
        ops.correlate(F, V3)
    with pytest.raises(ValueError, match="ops.vander: `x` must be 1-D"):
        ops.vander(F)
    with pytest.raises(ValueError, match="ops.unravel_index: `shape`"):
        ops.unravel_index(3, (None, 4))
    with pytest.raises(ValueError, match="ops.corrcoef: `x` must be 1-D or 2-D"):
        ops.corrcoef(np.ones((2, 2, 2)))
    with pytest.raises(TypeError, match="ops.kaiser: `x` must be a Python int"):
        ops.kaiser(4.0, 1.0)


# ---------------------------------------------------------------------------- view, nextafter

GRID = np.arange(8, dtype=np.float32).reshape(2, 4) - 3.5
BYTES = np.arange(16, dtype=np.uint8).reshape(2, 8)


@pytest.mark.parametrize("source, dtype", [
    (GRID, "int32"), (GRID, "uint8"), (GRID, "float16"), (GRID, None), (BYTES, "int32"),
    (BYTES, "float16"), (BYTES, "bool"), (BYTES.astype(bool), "uint8"), (I32, "float32")])
def test_view_matches_numpy(backend, source, dtype):
    out = ops.view(source, dtype)
    expected = source.view(dtype or source.dtype)
    assert ops.dtype(out) == expected.dtype.name
    np.testing.assert_array_equal(ops.convert_to_numpy(out), expected)


def test_view_errors_and_symbolic(backend):
    with pytest.raises(ValueError, match="ops.view: cannot view a scalar"):
        ops.view(np.float32(1.0), "uint8")
    with pytest.raises(ValueError, match="ops.view: cannot view shape"):
        ops.view(np.ones((2, 3), np.uint8), "int16")
    out = ops.view(Input((4,), dtype="float32"), "uint8")
    assert out.shape == (None, 16) and out.dtype == "uint8"


def test_nextafter_matches_numpy(backend):
    # (no subnormal inputs: jax and tensorflow flush them to zero on CPU)
    x = np.array([0.0, 1.0, -3.0, 10.0, -0.0, np.inf, 2.5, 1.1754944e-38], np.float32)
    y = np.array([5.0, 0.0, -4.0, 10.0, -1.0, 0.0, np.nan, 0.0], np.float32)
    out = ops.convert_to_numpy(ops.nextafter(x, y))
    expected = np.nextafter(x, y)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    keep = ~np.isnan(expected)
    np.testing.assert_array_equal(out[keep].view(np.int32), expected[keep].view(np.int32))
    assert ops.dtype(ops.nextafter(np.array([1, 2], np.int32), 3)) == "float32"
    half = ops.nextafter(np.float16(1.0), np.float16(2.0))
    assert ops.dtype(half) == "float16"
    assert ops.convert_to_numpy(half) == np.nextafter(np.float16(1.0), np.float16(2.0))


# ---------------------------------------------------------------------------- counts and sets

COUNTS = rng.integers(0, 6, size=10).astype(np.int32)
WEIGHTS = rng.normal(size=10).astype(np.float32)
SAMPLES = rng.normal(size=40).astype(np.float32)


def test_bincount_matches_numpy(backend):
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.bincount(COUNTS)), np.bincount(COUNTS))
    out = ops.bincount(COUNTS, WEIGHTS, minlength=9)
    np.testing.assert_allclose(ops.convert_to_numpy(out), np.bincount(COUNTS, WEIGHTS, 9),
                               rtol=1e-5, atol=1e-6)
    assert ops.dtype(out) == "float32" and ops.dtype(ops.bincount(COUNTS)) == "int32"
    rows = np.stack([COUNTS, COUNTS[::-1]])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.bincount(rows, minlength=7)),
                                  np.stack([np.bincount(r, minlength=7) for r in rows]))
    with pytest.raises(NotImplementedError, match="ops.bincount: `sparse=True`"):
        ops.bincount(COUNTS, sparse=True)
    with pytest.raises(ValueError, match="ops.bincount: `x` must hold non-negative"):
        ops.bincount(np.array([1, -1], np.int32))
    with pytest.raises(TypeError, match="ops.bincount: `x` must have an integer dtype"):
        ops.bincount(WEIGHTS)
    assert ops.bincount(Input((5,), dtype="int32")).shape == (None, None)


def test_bincount_weights_gradient(backend):
    def loss(values):
        return ops.sum(ops.multiply(ops.bincount(COUNTS, values[0]), np.arange(6.0, dtype="f")))
    _, (grad,) = ops.value_and_grad(loss)([ops.convert_to_tensor(WEIGHTS)])
    np.testing.assert_allclose(ops.convert_to_numpy(grad), COUNTS.astype(np.float32))


@pytest.mark.parametrize("bins, value_range", [(10, None), (4, (-1.0, 1.0)), (1, None)])
def test_histogram_matches_numpy(backend, bins, value_range):
    counts, edges = ops.histogram(SAMPLES, bins=bins, range=value_range)
    expected_counts, expected_edges = np.histogram(SAMPLES, bins=bins, range=value_range)
    np.testing.assert_array_equal(ops.convert_to_numpy(counts), expected_counts)
    np.testing.assert_allclose(ops.convert_to_numpy(edges), expected_edges, rtol=1e-6, atol=1e-6)
    assert ops.dtype(counts) == ops.dtype(edges) == "float32"  # x's dtype, as Keras 3


def test_histogram_errors_and_symbolic(backend):
    with pytest.raises(ValueError, match="ops.histogram: `range`"):
        ops.histogram(SAMPLES, range=(1.0, 0.0))
    with pytest.raises(ValueError, match="ops.histogram: `x` must be 1-D"):
        ops.histogram(F)
    counts, edges = ops.histogram(Input((5,))[0], bins=3)
    assert counts.shape == (3,) and edges.shape == (4,)


def test_unique_matches_numpy(backend):
    out = ops.unique(I32 % 7, return_index=True, return_inverse=True, return_counts=True)
    expected = np.unique(I32 % 7, return_index=True, return_inverse=True, return_counts=True)
    for ours, theirs in zip(out, expected):
        np.testing.assert_array_equal(ops.convert_to_numpy(ours), theirs.reshape(
            ops.convert_to_numpy(ours).shape))
    assert [ops.dtype(o) for o in out] == ["int32"] * 4
    values = ops.unique(SAMPLES.round())
    np.testing.assert_array_equal(ops.convert_to_numpy(values), np.unique(SAMPLES.round()))


def test_unique_with_size(backend):
    data = np.array([3.0, 1.0, 3.0, 2.0], np.float32)
    values, counts = ops.unique(data, size=5, return_counts=True)
    np.testing.assert_array_equal(ops.convert_to_numpy(values), [1, 2, 3, 1, 1])
    np.testing.assert_array_equal(ops.convert_to_numpy(counts), [1, 1, 2, 0, 0])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.unique(data, size=2)), [1, 2])
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.unique(data, size=4, fill_value=-1)),
                                  [1, 2, 3, -1])
    with pytest.raises(NotImplementedError, match="ops.unique: `axis`"):
        ops.unique(F, axis=0)


def test_unique_symbolic(backend):
    x = Input((5,))
    assert ops.unique(x).shape == (None,)
    values, inverse = ops.unique(x, return_inverse=True)
    assert values.shape == (None,) and inverse.shape == (None, 5) and inverse.dtype == "int32"
    assert ops.unique(x, size=3).shape == (3,)


def test_vectorize(backend):
    matrices = rng.normal(size=(3, 2, 4)).astype(np.float32)
    vector = rng.normal(size=4).astype(np.float32)
    matvec = ops.vectorize(lambda m, v: ops.matmul(m, v), signature="(m,n),(n)->(m)")
    np.testing.assert_allclose(ops.convert_to_numpy(matvec(matrices, vector)),
                               np.einsum("bmn,n->bm", matrices, vector), rtol=1e-5, atol=1e-5)
    scaled = ops.vectorize(lambda a, b: ops.add(ops.multiply(a, 2.0), b))
    column = vector[:3].reshape(3, 1)
    np.testing.assert_allclose(ops.convert_to_numpy(scaled(column, vector)),
                               2 * column + vector, rtol=1e-6)
    power = ops.vectorize(lambda a, p: ops.power(a, p), excluded={1})
    np.testing.assert_allclose(ops.convert_to_numpy(power(vector, 2)), vector ** 2, rtol=1e-6)
    with pytest.raises(ValueError, match="ops.vectorize: `signature`"):
        ops.vectorize(ops.add, signature="m,n->m")
    with pytest.raises(TypeError, match="ops.vectorize: `pyfunc` must be callable"):
        ops.vectorize(3)


def test_get_item_model_round_trips_with_keras(backend, tmp_path):
    keras = pytest.importorskip("keras")
    import mini_keras
    data = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    x = Input((4, 3))
    ours = mini_keras.Model(x, [x[:, 1:, 0], x[..., None, 1]])
    ours.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    for a, b in zip(ours.predict(data, verbose=0), theirs.predict(data, verbose=0)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    k_in = keras.Input((4, 3))
    keras.Model(k_in, k_in[:, ::2, -1]).save(tmp_path / "theirs.keras")
    back = mini_keras.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_array_equal(np.asarray(back.predict(data, verbose=0)), data[:, ::2, -1])
