"""Backend conformance: every contract function, on every installed backend, against numpy.

One helper, :func:`check`, runs a contract function on a backend (array inputs converted with the
backend's ``convert_to_tensor``), converts the result with ``convert_to_numpy`` and compares value,
shape and dtype name with a reference computed here with plain numpy/scipy formulas (never with the
numpy backend). Gradients from ``value_and_grad`` are compared with central finite differences of
the same references in float64.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest
import scipy.special

from mini_keras import backends

EXACT = (0, 0)
SIMPLE = (1e-5, 1e-6)
TRANSCENDENTAL = (1e-4, 1e-5)
rng = np.random.default_rng(0)


# ============================================================================ the helper

def case(case_id, fn, args, ref, kwargs=None, dtype=None, tol=SIMPLE):
    """One table row: ``fn(*args, **kwargs)`` must equal ``ref(*args)`` (dtype name ``dtype``).

    Top-level numpy arrays in ``args`` (and numpy arrays inside a list) become backend tensors;
    Python scalars, tuples and other values are passed as they are.
    """
    return pytest.param(fn, args, kwargs or {}, ref, dtype, tol, id=case_id)


ROW = "fn, args, kwargs, ref, dtype, tol"


def _to_backend(bk, value):
    if isinstance(value, np.ndarray):
        return bk.convert_to_tensor(value)
    if isinstance(value, list):
        return [_to_backend(bk, v) for v in value]
    return value


def assert_matches(bk, out, expected, dtype=None, tol=SIMPLE, what="result"):
    """Compare a backend result (tensor or list of tensors) with a numpy reference."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(out, (list, tuple)), f"{what}: expected a list, received {type(out)}"
        assert len(out) == len(expected), f"{what}: expected {len(expected)} items"
        for i, (o, e) in enumerate(zip(out, expected)):
            assert_matches(bk, o, e, dtype, tol, f"{what}[{i}]")
        return
    expected = np.asarray(expected)
    want = dtype or expected.dtype.name
    got = np.asarray(bk.convert_to_numpy(out))
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    assert bk.dtype(out) == want, f"{what}: backend dtype {bk.dtype(out)!r} != {want!r}"
    assert got.dtype.name == want, f"{what}: numpy dtype {got.dtype.name!r} != {want!r}"
    if got.dtype.kind in "biu" or tol == EXACT:
        np.testing.assert_array_equal(got, expected, err_msg=what)
    else:
        rtol, atol = tol
        np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                                   rtol=rtol, atol=atol, err_msg=what)


def check(backend_name, fn, args, kwargs, ref, dtype=None, tol=SIMPLE):
    """Run contract function ``fn`` on ``backend_name`` and compare with ``ref(*args)``."""
    bk = backends.get(backend_name)
    out = getattr(bk, fn)(*[_to_backend(bk, a) for a in args], **kwargs)
    assert_matches(bk, out, ref(*args), dtype, tol, what=f"{backend_name}.{fn}")


# ============================================================================ data

def f32(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape).astype(np.float32)


def distinct(*shape, scale=0.1):
    """float32 values with no ties (for max/argmax/sort)."""
    return ((rng.permutation(math.prod(shape)) - math.prod(shape) / 2) * scale).reshape(
        shape).astype(np.float32)


X34, Y34, Y4 = f32(3, 4), f32(3, 4), f32(4)
POS34, POS4 = f32(3, 4, low=0.5, high=2.0), f32(4, low=0.5, high=2.0)
UNIT34 = f32(3, 4, low=-0.9, high=0.9)
I34 = rng.integers(-5, 5, (3, 4)).astype(np.int32)
J34 = rng.integers(-5, 5, (3, 4)).astype(np.int32)
B34, C34 = rng.random((3, 4)) > 0.5, rng.random((3, 4)) > 0.5
TIES = np.array([[0.0, 1.0, 2.0, 3.0]] * 3, np.float32) - np.array([[0.0], [1.0], [2.0]],
                                                                    np.float32)
HALVES = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49, -0.51], np.float32)
X234 = distinct(2, 3, 4)
PROD234 = (0.5 + rng.permutation(24) / 24).reshape(2, 3, 4).astype(np.float32)
B234 = rng.random((2, 3, 4)) > 0.3
I234 = rng.integers(0, 9, (2, 3, 4)).astype(np.int32)


# ============================================================================ elementwise

def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ELEMENTWISE = [
    case("add", "add", [X34, Y34], np.add),
    case("add-broadcast", "add", [X34, Y4], np.add),
    case("add-int32", "add", [I34, J34], np.add),
    case("add-python-float", "add", [X34, 2.5], np.add),
    case("add-python-float-left", "add", [2.5, X34], np.add),
    case("add-python-int-to-int32", "add", [I34, 3], np.add),
    case("subtract", "subtract", [X34, Y4], np.subtract),
    case("subtract-python-float", "subtract", [1.5, X34], np.subtract),
    case("multiply", "multiply", [X34[:, :1], Y4], np.multiply),
    case("multiply-python-float", "multiply", [X34, 0.1], np.multiply),
    case("multiply-int32", "multiply", [I34, J34], np.multiply),
    case("divide", "divide", [X34, POS4], np.divide),
    case("divide-python-float", "divide", [X34, 3.0], np.divide),
    case("power", "power", [POS34, Y4], np.power, tol=TRANSCENDENTAL),
    case("power-python-int", "power", [X34, 2], np.power),
    case("power-python-float", "power", [POS34, 0.5], np.power, tol=TRANSCENDENTAL),
    case("maximum", "maximum", [X34, Y4], np.maximum),
    case("maximum-python-float", "maximum", [X34, 0.0], np.maximum),
    case("minimum", "minimum", [X34, Y34], np.minimum),
    case("minimum-int32", "minimum", [I34, J34], np.minimum),
    case("negative", "negative", [X34], np.negative),
    case("negative-int32", "negative", [I34], np.negative),
    case("abs", "abs", [X34], np.abs),
    case("abs-int32", "abs", [I34], np.abs),
    case("sign", "sign", [np.concatenate([X34, np.zeros((1, 4), np.float32)])], np.sign),
    case("exp", "exp", [X34], np.exp, tol=TRANSCENDENTAL),
    case("log", "log", [POS34], np.log, tol=TRANSCENDENTAL),
    case("log1p", "log1p", [POS34], np.log1p, tol=TRANSCENDENTAL),
    case("expm1", "expm1", [X34 * 1e-3], np.expm1, tol=TRANSCENDENTAL),
    case("sqrt", "sqrt", [POS34], np.sqrt, tol=TRANSCENDENTAL),
    case("square", "square", [X34], np.square),
    case("square-int32", "square", [I34], np.square),
    case("sin", "sin", [X34], np.sin, tol=TRANSCENDENTAL),
    case("cos", "cos", [X34], np.cos, tol=TRANSCENDENTAL),
    case("tanh", "tanh", [X34], np.tanh, tol=TRANSCENDENTAL),
    case("floor", "floor", [HALVES], np.floor, tol=EXACT),
    case("ceil", "ceil", [HALVES], np.ceil, tol=EXACT),
    case("round-half-to-even", "round", [HALVES], np.round, tol=EXACT),
    case("erf", "erf", [X34], scipy.special.erf, tol=TRANSCENDENTAL),
    case("where", "where", [B34, X34, Y34], np.where),
    case("where-broadcast", "where", [B34[:, :1], X34, Y4], np.where),
    case("where-python-float", "where", [B34, X34, 0.0], np.where),
    case("clip", "clip", [X34, -0.5, 0.5], np.clip),
    case("clip-int32", "clip", [I34, -2, 2], np.clip),
]


@pytest.mark.parametrize(ROW, ELEMENTWISE)
def test_elementwise(backend, fn, args, kwargs, ref, dtype, tol):
    check(backend, fn, args, kwargs, ref, dtype, tol)


# ============================================================================ comparison & logic

COMPARISON = [
    case(f"{name}-{kind}", name, args, getattr(np, name))
    for name in ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal")
    for kind, args in (("float", [TIES, np.full(4, 1.0, np.float32)]),
                       ("int32", [I34, J34]), ("python-float", [TIES, 1.0]))
] + [
    case("logical_and", "logical_and", [B34, C34], np.logical_and),
    case("logical_and-broadcast", "logical_and", [B34, C34[0]], np.logical_and),
    case("logical_or", "logical_or", [B34, C34], np.logical_or),
    case("logical_not", "logical_not", [B34], np.logical_not),
]


@pytest.mark.parametrize(ROW, COMPARISON)
def test_comparison_and_logic(backend, fn, args, kwargs, ref, dtype, tol):
    check(backend, fn, args, kwargs, ref, dtype, tol)


# ============================================================================ reductions

AXES = {"all": None, "1": 1, "neg1": -1, "tuple0neg1": (0, -1)}
FLOAT_REDUCTIONS = {
    "sum": (np.sum, X234, SIMPLE), "mean": (np.mean, X234, SIMPLE),
    "max": (np.max, X234, EXACT), "min": (np.min, X234, EXACT),
    "prod": (np.prod, PROD234, SIMPLE), "var": (np.var, X234, TRANSCENDENTAL),
    "any": (np.any, B234, EXACT), "all": (np.all, B234, EXACT),
}


def _reduce(np_fn, axis, keepdims, dtype=None):
    def ref(x):
        out = np.asarray(np_fn(x, axis=axis, keepdims=keepdims))
        return out.astype(dtype) if dtype else out
    return ref


REDUCTIONS = [
    case(f"{name}-axis{axis_id}-{'keep' if keep else 'drop'}", name, [x],
         _reduce(np_fn, axis, keep, x.dtype), {"axis": axis, "keepdims": keep}, tol=tol)
    for name, (np_fn, x, tol) in FLOAT_REDUCTIONS.items()
    for axis_id, axis in AXES.items()
    for keep in (False, True)
] + [
    case(f"logsumexp-axis{axis_id}-{'keep' if keep else 'drop'}", "logsumexp", [X234],
         _reduce(scipy.special.logsumexp, axis, keep), {"axis": axis, "keepdims": keep},
         tol=TRANSCENDENTAL)
    for axis_id, axis, keep in (("all", None, False), ("neg1", -1, True), ("tuple", (0, 2), False))
] + [
    case(f"{name}-axis{axis_id}-{'keep' if keep else 'drop'}", name, [X234],
         _reduce(np_fn, axis, keep, np.int32), {"axis": axis, "keepdims": keep}, tol=EXACT)
    for name, np_fn in (("argmax", np.argmax), ("argmin", np.argmin))
    for axis_id, axis in (("all", None), ("0", 0), ("neg1", -1))
    for keep in (False, True)
] + [
    case("argmax-first-on-ties", "argmax", [np.array([[0, 2, 1, 2]], np.float32)],
         _reduce(np.argmax, 1, False, np.int32), {"axis": 1}),
    case("argmin-first-on-ties", "argmin", [np.array([[3, 1, 2, 1]], np.float32)],
         _reduce(np.argmin, 1, False, np.int32), {"axis": 1}),
    case("max-int32", "max", [I234], _reduce(np.max, 1, False), {"axis": 1}),
    case("mean-int32-is-float32", "mean", [I234], _reduce(np.mean, None, False, np.float32),
         dtype="float32"),
    case("cumsum-axis-none", "cumsum", [X234], lambda x: np.cumsum(x)),
    case("cumsum-axis1", "cumsum", [X234], lambda x: np.cumsum(x, axis=1), {"axis": 1}),
    case("cumsum-axis-neg1", "cumsum", [X234], lambda x: np.cumsum(x, axis=-1), {"axis": -1}),
]


@pytest.mark.parametrize(ROW, REDUCTIONS)
def test_reductions(backend, fn, args, kwargs, ref, dtype, tol):
    check(backend, fn, args, kwargs, ref, dtype, tol)


# ============================================================================ shapes & indexing

def _one_hot(x, n, axis=-1, dtype=np.float32):
    out = (x[..., None] == np.arange(n)).astype(dtype)
    return np.moveaxis(out, -1, axis)


def _scatter_add(x, indices, updates):
    out = x.copy()
    np.add.at(out, tuple(indices.T), updates)
    return out


SQ = np.arange(1, 7, dtype=np.float32).reshape(1, 3, 1, 2)
IDX = np.array([[2, 0], [1, 1]], np.int32)
SORT_IDX = np.argsort(X234, axis=1).astype(np.int32)
SCATTER_X = np.zeros((4, 3), np.float32)
SCATTER_PTS = np.array([[0, 1], [2, 2], [0, 1], [3, 0]], np.int32)
SCATTER_UPD = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
LABELS = np.array([[0, 2, 1], [3, 3, 0]], np.int32)

SHAPES = [
    case("reshape", "reshape", [X234, (6, 4)], np.reshape),
    case("reshape-minus-one", "reshape", [X234, (4, -1)], np.reshape),
    case("reshape-flat", "reshape", [X234, (-1,)], np.reshape),
    case("transpose-default", "transpose", [X234], np.transpose),
    case("transpose-axes", "transpose", [X234, (1, 0, 2)], np.transpose),
    case("transpose-cycle", "transpose", [X234, (2, 0, 1)], np.transpose),
    case("expand_dims-0", "expand_dims", [X34, 0], np.expand_dims),
    case("expand_dims-1", "expand_dims", [X34, 1], np.expand_dims),
    case("expand_dims-neg1", "expand_dims", [X34, -1], np.expand_dims),
    case("squeeze-all", "squeeze", [SQ], np.squeeze),
    case("squeeze-axis0", "squeeze", [SQ, 0], np.squeeze),
    case("squeeze-axis-neg2", "squeeze", [SQ, -2], np.squeeze),
    case("concatenate-axis0", "concatenate", [[X34, Y34, X34[:1]]], np.concatenate),
    case("concatenate-axis-neg1", "concatenate", [[X34, Y34[:, :2]], -1], np.concatenate),
    case("stack-axis0", "stack", [[X34, Y34]], np.stack),
    case("stack-axis-neg1", "stack", [[X34, Y34, X34], -1], np.stack),
    case("split-sections", "split", [X234, 2, 2], lambda x, n, a: np.split(x, n, a)),
    case("split-indices", "split", [X234, [1, 2], 1], lambda x, i, a: np.split(x, i, a)),
    case("split-default-axis", "split", [X34, 3], lambda x, n: np.split(x, n)),
    case("broadcast_to", "broadcast_to", [Y4, (3, 4)], np.broadcast_to),
    case("broadcast_to-column", "broadcast_to", [X34[:, :1], (2, 3, 5)], np.broadcast_to),
    case("tile", "tile", [X34, (2, 1)], np.tile),
    case("tile-more-reps-than-dims", "tile", [Y4, (2, 1, 3)], np.tile),
    case("repeat-flat", "repeat", [X34, 2], np.repeat),
    case("repeat-axis0", "repeat", [X34, 2, 0], np.repeat),
    case("repeat-axis-neg1", "repeat", [X34, 3, -1], np.repeat),
    case("flip-all", "flip", [X234], np.flip),
    case("flip-axis0", "flip", [X234, 0], np.flip),
    case("flip-axis-tuple", "flip", [X234, (0, -1)], np.flip),
    case("pad-constant-zero", "pad", [X34, ((1, 2), (0, 1))], lambda x, p: np.pad(x, p)),
    case("pad-constant-value", "pad", [X34, ((1, 0), (2, 2))],
         lambda x, p: np.pad(x, p, constant_values=1.5), {"constant_values": 1.5}),
    case("pad-reflect", "pad", [X34, ((1, 1), (2, 1))], lambda x, p: np.pad(x, p, "reflect"),
         {"mode": "reflect"}),
    case("pad-symmetric", "pad", [X34, ((2, 1), (1, 3))], lambda x, p: np.pad(x, p, "symmetric"),
         {"mode": "symmetric"}),
    case("take-flat", "take", [X34, IDX], np.take),
    case("take-axis0", "take", [X34, np.array([2, 0, 2], np.int32), 0], np.take),
    case("take-axis1-2d-indices", "take", [X234, IDX, 1], np.take),
    case("take-axis-neg1", "take", [X234, np.array([3, 1], np.int32), -1], np.take),
    case("take-python-list", "take", [X34, (1, 0), 1], lambda x, i, a: np.take(x, list(i), a)),
    case("take_along_axis-1", "take_along_axis", [X234, SORT_IDX, 1], np.take_along_axis),
    case("take_along_axis-neg1", "take_along_axis",
         [X234, np.argsort(X234, axis=-1).astype(np.int32), -1], np.take_along_axis),
    case("one_hot", "one_hot", [np.array([0, 2, 1, 3], np.int32), 4], _one_hot),
    case("one_hot-2d", "one_hot", [LABELS, 5], _one_hot),
    case("one_hot-axis0", "one_hot", [LABELS, 4], lambda x, n: _one_hot(x, n, 0), {"axis": 0}),
    case("one_hot-int32", "one_hot", [LABELS, 4], lambda x, n: _one_hot(x, n, -1, np.int32),
         {"dtype": "int32"}),
    case("sort", "sort", [X234], np.sort),
    case("sort-axis0", "sort", [X234, 0], np.sort),
    case("argsort", "argsort", [X234], lambda x: np.argsort(x).astype(np.int32)),
    case("argsort-axis1", "argsort", [X234, 1], lambda x, a: np.argsort(x, a).astype(np.int32)),
    case("scatter_add-duplicates", "scatter_add", [SCATTER_X, SCATTER_PTS, SCATTER_UPD],
         _scatter_add),
    case("scatter_add-rows", "scatter_add",
         [X34, np.array([[2], [0], [2]], np.int32), Y34], _scatter_add),
]

GETITEM_KEYS = {
    "int": 1, "negative-int": -1, "slice": slice(1, 3), "negative-step": slice(None, None, -1),
    "tuple-slice-int": (slice(None), 2), "none-ellipsis": (None, Ellipsis, 0),
    "ellipsis-slice": (Ellipsis, slice(1, None, 2)),
    "int-array-in-tuple": (slice(None), np.array([0, 3, 0])),
    "int-list": [2, 0, 2],
}
SHAPES += [
    case(f"getitem-{name}", "getitem", [X34, key], lambda x, k: x[k], tol=EXACT)
    for name, key in GETITEM_KEYS.items()
] + [
    case("getitem-int-tensor", "getitem", [X34, np.array([2, 0, 2], np.int32)],
         lambda x, k: x[k], tol=EXACT),
    case("getitem-bool-mask", "getitem", [X34, X34 > 0], lambda x, k: x[k], tol=EXACT),
    case("getitem-bool-rows", "getitem", [X34, np.array([True, False, True])],
         lambda x, k: x[k], tol=EXACT),
]


@pytest.mark.parametrize(ROW, SHAPES)
def test_shapes_and_indexing(backend, fn, args, kwargs, ref, dtype, tol):
    check(backend, fn, args, kwargs, ref, dtype, tol)


# ============================================================================ linear algebra

LINALG = [
    case("matmul-2d", "matmul", [f32(3, 4), f32(4, 5)], np.matmul),
    case("matmul-batched", "matmul", [f32(2, 3, 4), f32(4, 5)], np.matmul),
    case("matmul-broadcast-batch", "matmul", [f32(2, 1, 3, 4), f32(3, 4, 2)], np.matmul),
    case("matmul-vector-matrix", "matmul", [f32(4), f32(4, 5)], np.matmul),
    case("matmul-matrix-vector", "matmul", [f32(3, 4), f32(4)], np.matmul),
    case("matmul-int32", "matmul", [I34, J34.T.copy()], np.matmul),
    case("einsum-matmul", "einsum", ["ij,jk->ik", f32(3, 4), f32(4, 2)], np.einsum),
    case("einsum-batched", "einsum", ["bij,jk->bik", f32(2, 3, 4), f32(4, 2)], np.einsum),
    case("einsum-dot", "einsum", ["i,i->", f32(5), f32(5)], np.einsum),
    case("einsum-transpose", "einsum", ["ij->ji", f32(3, 4)], np.einsum),
    case("einsum-outer-sum", "einsum", ["bi,bj->ij", f32(2, 3), f32(2, 4)], np.einsum),
]


@pytest.mark.parametrize(ROW, LINALG)
def test_linear_algebra(backend, fn, args, kwargs, ref, dtype, tol):
    check(backend, fn, args, kwargs, ref, dtype, tol)


# ============================================================================ nn references

def softmax_ref(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax_ref(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def gelu_ref(x, approximate=True):
    if approximate:
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + scipy.special.erf(x / math.sqrt(2)))


def elu_ref(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def selu_ref(x):
    return 1.05070098 * elu_ref(x, 1.67326324)


EPS = 1e-7  # mini_keras.config.epsilon()


def categorical_crossentropy_ref(target, output, from_logits=False, axis=-1):
    if from_logits:
        return -np.sum(target * log_softmax_ref(output, axis), axis=axis)
    output = output / np.sum(output, axis=axis, keepdims=True)
    return -np.sum(target * np.log(np.clip(output, EPS, 1 - EPS)), axis=axis)


def sparse_categorical_crossentropy_ref(target, output, from_logits=False, axis=-1):
    one_hot = _one_hot(target, output.shape[axis], axis, output.dtype)
    return categorical_crossentropy_ref(one_hot, output, from_logits, axis)


def binary_crossentropy_ref(target, output, from_logits=False):
    if from_logits:  # -t log(sigmoid(z)) - (1 - t) log(1 - sigmoid(z)), stably
        return np.maximum(output, 0) - output * target + np.log1p(np.exp(-np.abs(output)))
    output = np.clip(output, EPS, 1 - EPS)
    return -(target * np.log(output) + (1 - target) * np.log(1 - output))


def _ntuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _window_geometry(size, window, stride, padding):
    """(output length, padding before) with the TensorFlow/Keras "valid"/"same" rule."""
    if padding == "valid":
        return (size - window) // stride + 1, 0
    out = -(-size // stride)
    return out, max((out - 1) * stride + window - size, 0) // 2


def _channels_first(ref):
    """Let a channels_last reference also accept ``data_format="channels_first"``."""
    def wrapped(x, *args, data_format=None, **kwargs):
        if data_format == "channels_first":
            return np.moveaxis(ref(np.moveaxis(x, 1, -1), *args, **kwargs), -1, 1)
        return ref(x, *args, **kwargs)
    return wrapped


@_channels_first
def conv_ref(x, kernel, strides=1, padding="valid", dilation_rate=1):
    """Direct-loop grouped N-D convolution (cross-correlation), channels_last."""
    nd = x.ndim - 2
    s, d, k = _ntuple(strides, nd), _ntuple(dilation_rate, nd), kernel.shape[:nd]
    span = [(k[i] - 1) * d[i] + 1 for i in range(nd)]
    geometry = [_window_geometry(x.shape[1 + i], span[i], s[i], padding) for i in range(nd)]
    pads = [(before, max((out - 1) * s[i] + span[i] - x.shape[1 + i] - before, 0))
            for i, (out, before) in enumerate(geometry)]
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    in_per_group = kernel.shape[-2]
    groups = x.shape[-1] // in_per_group
    out_per_group = kernel.shape[-1] // groups
    out = np.zeros((x.shape[0], *[g[0] for g in geometry], kernel.shape[-1]), x.dtype)
    for pos in np.ndindex(*[g[0] for g in geometry]):
        window = xp[(slice(None), *[slice(p * s[i], p * s[i] + span[i], d[i])
                                    for i, p in enumerate(pos)])]
        for g in range(groups):
            patch = window[..., g * in_per_group:(g + 1) * in_per_group]
            weights = kernel[..., g * out_per_group:(g + 1) * out_per_group]
            out[(slice(None), *pos, slice(g * out_per_group, (g + 1) * out_per_group))] = \
                np.tensordot(patch, weights, axes=nd + 1)
    return out


def depthwise_conv_ref(x, kernel, strides=1, padding="valid", data_format=None,
                       dilation_rate=1):
    """Depthwise = grouped conv with one group per input channel (output channel c*M + m)."""
    *spatial, channels, multiplier = kernel.shape
    grouped = kernel.reshape(*spatial, 1, channels * multiplier)
    return conv_ref(x, grouped, strides, padding, data_format=data_format,
                    dilation_rate=dilation_rate)


def _transpose_geometry(size, window, stride, padding, output_padding):
    """(output length, offset into the full scatter) following Keras' conv_transpose padding."""
    if padding == "valid":
        extra = max(window, stride) - window if output_padding is None else output_padding
        left = window - 1
        right = window - 1 + extra
    else:
        total = (stride + window - 2 if output_padding is None
                 else window + window % 2 - 2 + output_padding)
        left = min(total // 2 + total % 2, window - 1)
        right = total - left
    return (size - 1) * stride + left + right - window + 2, window - 1 - left


@_channels_first
def conv_transpose_ref(x, kernel, strides=1, padding="valid", output_padding=None,
                       dilation_rate=1):
    """Scatter each input pixel through the (out, in) kernel, then crop/pad like Keras."""
    nd = x.ndim - 2
    s, d, k = _ntuple(strides, nd), _ntuple(dilation_rate, nd), kernel.shape[:nd]
    extra = _ntuple(output_padding, nd)
    span = [(k[i] - 1) * d[i] + 1 for i in range(nd)]
    full = np.zeros((x.shape[0], *[(x.shape[1 + i] - 1) * s[i] + span[i] for i in range(nd)],
                     kernel.shape[-2]), x.dtype)
    for i in np.ndindex(*x.shape[1:-1]):
        for j in np.ndindex(*k):
            at = tuple(i[a] * s[a] + j[a] * d[a] for a in range(nd))
            full[(slice(None), *at)] += x[(slice(None), *i)] @ kernel[j].T
    geometry = [_transpose_geometry(x.shape[1 + a], span[a], s[a], padding, extra[a])
                for a in range(nd)]
    out = np.zeros((x.shape[0], *[g[0] for g in geometry], kernel.shape[-2]), x.dtype)
    for o in np.ndindex(*[g[0] for g in geometry]):
        src = tuple(o[a] + geometry[a][1] for a in range(nd))
        if all(0 <= src[a] < full.shape[1 + a] for a in range(nd)):
            out[(slice(None), *o)] = full[(slice(None), *src)]
    return out


def _pool_ref(reduce):
    @_channels_first
    def pool(x, pool_size, strides=None, padding="valid"):
        nd = x.ndim - 2
        p = _ntuple(pool_size, nd)
        s = _ntuple(strides if strides is not None else pool_size, nd)
        geometry = [_window_geometry(x.shape[1 + i], p[i], s[i], padding) for i in range(nd)]
        out = np.zeros((x.shape[0], *[g[0] for g in geometry], x.shape[-1]), x.dtype)
        for pos in np.ndindex(*[g[0] for g in geometry]):
            starts = [pos[i] * s[i] - geometry[i][1] for i in range(nd)]
            window = x[(slice(None), *[slice(max(b, 0), min(b + p[i], x.shape[1 + i]))
                                       for i, b in enumerate(starts)])]
            out[(slice(None), *pos)] = reduce(window, axis=tuple(range(1, nd + 1)))
        return out
    return pool


max_pool_ref, average_pool_ref = _pool_ref(np.max), _pool_ref(np.mean)


# ============================================================================ nn ops

LOGITS = f32(4, 5, low=-3, high=3)
PROBS = softmax_ref(f32(4, 5)) * 1.3  # deliberately not normalized
PROBS_WITH_ZERO = np.array([[0.0, 0.5, 0.5], [0.2, 0.8, 0.0]], np.float32)
ONE_HOT = _one_hot(np.array([1, 0, 4, 2]), 5)
ONE_HOT_HITS_ZERO = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
SPARSE = np.array([1, 0, 4, 2], np.int32)
BINARY_T = np.array([[0, 1, 1], [1, 0, 0.3], [0, 0.5, 1], [1, 1, 0]], np.float32)
BINARY_P = np.array([[0.1, 0.9, 1.0], [0.0, 0.4, 0.3], [0.6, 0.5, 0.2], [0.3, 0.7, 0.8]],
                    np.float32)
X3D, T3D = f32(2, 5, 3), softmax_ref(f32(2, 5, 3), axis=1)
IMG, IMG1D = f32(2, 5, 5, 3), f32(2, 7, 3)
POOL_IMG = distinct(2, 6, 5, 3)
TRANS = TRANSCENDENTAL


def _nn(case_id, fn, args, ref, tol=TRANS, **kwargs):
    return case(case_id, fn, args, lambda *a: ref(*a, **kwargs), kwargs, tol=tol)


NN = [
    _nn("relu", "relu", [X34], lambda x: np.maximum(x, 0), tol=SIMPLE),
    _nn("sigmoid", "sigmoid", [X34 * 10], _sigmoid),
    _nn("softplus", "softplus", [X34 * 10], lambda x: np.logaddexp(0, x)),
    _nn("softsign", "softsign", [X34], lambda x: x / (1 + np.abs(x))),
    _nn("silu", "silu", [X34], lambda x: x * _sigmoid(x)),
    _nn("gelu-approximate", "gelu", [X34], gelu_ref),
    _nn("gelu-exact", "gelu", [X34], gelu_ref, approximate=False),
    _nn("elu", "elu", [X34], elu_ref),
    _nn("elu-alpha", "elu", [X34], elu_ref, alpha=0.5),
    _nn("selu", "selu", [X34], selu_ref),
    _nn("leaky_relu", "leaky_relu", [X34], lambda x: np.where(x > 0, x, 0.2 * x)),
    _nn("leaky_relu-slope", "leaky_relu", [X34],
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x), negative_slope=0.1),
    _nn("softmax", "softmax", [LOGITS], softmax_ref),
    _nn("softmax-axis0", "softmax", [X3D], softmax_ref, axis=0),
    _nn("softmax-large-logits", "softmax", [LOGITS * 100], softmax_ref),
    _nn("log_softmax", "log_softmax", [LOGITS], log_softmax_ref),
    _nn("log_softmax-axis1", "log_softmax", [X3D], log_softmax_ref, axis=1),
    _nn("log_softmax-large-logits", "log_softmax", [LOGITS * 100], log_softmax_ref),
    _nn("cce-probs", "categorical_crossentropy", [ONE_HOT, PROBS], categorical_crossentropy_ref),
    _nn("cce-probs-clipped", "categorical_crossentropy", [ONE_HOT_HITS_ZERO, PROBS_WITH_ZERO],
        categorical_crossentropy_ref),
    _nn("cce-logits", "categorical_crossentropy", [ONE_HOT, LOGITS],
        categorical_crossentropy_ref, from_logits=True),
    _nn("cce-probs-axis1", "categorical_crossentropy", [T3D, np.abs(X3D)],
        categorical_crossentropy_ref, axis=1),
    _nn("cce-logits-axis1", "categorical_crossentropy", [T3D, X3D],
        categorical_crossentropy_ref, from_logits=True, axis=1),
    _nn("scce-probs", "sparse_categorical_crossentropy", [SPARSE, PROBS],
        sparse_categorical_crossentropy_ref),
    _nn("scce-probs-clipped", "sparse_categorical_crossentropy",
        [np.array([0, 2], np.int32), PROBS_WITH_ZERO], sparse_categorical_crossentropy_ref),
    _nn("scce-logits", "sparse_categorical_crossentropy", [SPARSE, LOGITS],
        sparse_categorical_crossentropy_ref, from_logits=True),
    _nn("scce-logits-3d", "sparse_categorical_crossentropy", [LABELS, f32(2, 3, 4)],
        sparse_categorical_crossentropy_ref, from_logits=True),
    _nn("bce-probs", "binary_crossentropy", [BINARY_T, BINARY_P], binary_crossentropy_ref),
    _nn("bce-logits", "binary_crossentropy", [BINARY_T, LOGITS[:, :3] * 5],
        binary_crossentropy_ref, from_logits=True),
    # convolutions (kernel: spatial + (in / groups, out))
    _nn("conv2d-s1-valid", "conv", [IMG, f32(3, 3, 3, 4)], conv_ref),
    _nn("conv2d-s1-same", "conv", [IMG, f32(3, 3, 3, 4)], conv_ref, padding="same"),
    _nn("conv2d-s2-valid", "conv", [IMG, f32(3, 3, 3, 4)], conv_ref, strides=2),
    _nn("conv2d-s2-same", "conv", [IMG, f32(3, 3, 3, 4)], conv_ref, strides=2, padding="same"),
    _nn("conv2d-even-kernel-same", "conv", [IMG, f32(2, 2, 3, 2)], conv_ref, padding="same"),
    _nn("conv2d-s2-same-even-input", "conv", [f32(1, 6, 6, 2), f32(3, 3, 2, 2)], conv_ref,
        strides=2, padding="same"),
    _nn("conv2d-strides-tuple", "conv", [IMG, f32(3, 2, 3, 2)], conv_ref, strides=(1, 2)),
    _nn("conv2d-dilation2", "conv", [IMG, f32(2, 2, 3, 2)], conv_ref, dilation_rate=2),
    _nn("conv2d-dilation2-same", "conv", [IMG, f32(2, 2, 3, 2)], conv_ref, padding="same",
        dilation_rate=2),
    _nn("conv2d-groups3", "conv", [IMG, f32(3, 3, 1, 6)], conv_ref, padding="same"),
    _nn("conv2d-channels-first", "conv", [np.moveaxis(IMG, -1, 1), f32(3, 3, 3, 4)], conv_ref,
        strides=2, padding="same", data_format="channels_first"),
    _nn("conv1d-s1-valid", "conv", [IMG1D, f32(3, 3, 2)], conv_ref),
    _nn("conv1d-s2-same", "conv", [IMG1D, f32(3, 3, 2)], conv_ref, strides=2, padding="same"),
    _nn("depthwise2d-s1-valid", "depthwise_conv", [IMG, f32(3, 3, 3, 2)], depthwise_conv_ref),
    _nn("depthwise2d-s1-same", "depthwise_conv", [IMG, f32(3, 3, 3, 2)], depthwise_conv_ref,
        padding="same"),
    _nn("depthwise2d-s2-valid", "depthwise_conv", [IMG, f32(3, 3, 3, 1)], depthwise_conv_ref,
        strides=2),
    _nn("depthwise2d-s2-same", "depthwise_conv", [IMG, f32(3, 3, 3, 2)], depthwise_conv_ref,
        strides=2, padding="same"),
    _nn("depthwise1d-same", "depthwise_conv", [IMG1D, f32(3, 3, 2)], depthwise_conv_ref,
        padding="same"),
    _nn("conv_transpose2d-s1-valid", "conv_transpose", [IMG[:, :4, :4], f32(3, 3, 2, 3)],
        conv_transpose_ref),
    _nn("conv_transpose2d-s1-same", "conv_transpose", [IMG[:, :4, :4], f32(3, 3, 2, 3)],
        conv_transpose_ref, padding="same"),
    _nn("conv_transpose2d-s2-valid", "conv_transpose", [IMG[:, :4, :4], f32(3, 3, 2, 3)],
        conv_transpose_ref, strides=2),
    _nn("conv_transpose2d-s2-same", "conv_transpose", [IMG[:, :4, :4], f32(3, 3, 2, 3)],
        conv_transpose_ref, strides=2, padding="same"),
    _nn("conv_transpose2d-k2-s2-same", "conv_transpose", [IMG[:, :4, :4], f32(2, 2, 4, 3)],
        conv_transpose_ref, strides=2, padding="same"),
    _nn("conv_transpose2d-s2-valid-output-padding", "conv_transpose",
        [IMG[:, :4, :4], f32(3, 3, 2, 3)], conv_transpose_ref, strides=2, output_padding=1),
    _nn("conv_transpose1d-s2-same", "conv_transpose", [IMG1D, f32(3, 2, 3)],
        conv_transpose_ref, strides=2, padding="same"),
    _nn("conv_transpose2d-channels-first", "conv_transpose",
        [np.moveaxis(IMG[:, :4, :4], -1, 1), f32(3, 3, 2, 3)], conv_transpose_ref, strides=2,
        padding="same", data_format="channels_first"),
    # pools
    _nn("max_pool2d-2-valid", "max_pool", [POOL_IMG, 2], max_pool_ref, tol=EXACT),
    _nn("max_pool2d-3-s2-same", "max_pool", [POOL_IMG, 3], max_pool_ref, tol=EXACT, strides=2,
        padding="same"),
    _nn("max_pool2d-3-s1-same", "max_pool", [POOL_IMG, 3], max_pool_ref, tol=EXACT, strides=1,
        padding="same"),
    _nn("max_pool2d-tuple", "max_pool", [POOL_IMG, (2, 3)], max_pool_ref, tol=EXACT,
        strides=(1, 2)),
    _nn("max_pool1d-2-same", "max_pool", [IMG1D, 2], max_pool_ref, tol=EXACT, padding="same"),
    _nn("max_pool2d-channels-first", "max_pool", [np.moveaxis(POOL_IMG, -1, 1), 2],
        max_pool_ref, tol=EXACT, strides=1, data_format="channels_first"),
    _nn("average_pool2d-2-valid", "average_pool", [POOL_IMG, 2], average_pool_ref),
    _nn("average_pool2d-3-s2-same", "average_pool", [POOL_IMG, 3], average_pool_ref, strides=2,
        padding="same"),
    _nn("average_pool2d-3-s1-same", "average_pool", [POOL_IMG, 3], average_pool_ref,
        strides=1, padding="same"),
    _nn("average_pool2d-tuple", "average_pool", [POOL_IMG, (2, 3)], average_pool_ref,
        strides=(1, 2)),
    _nn("average_pool1d-2-same", "average_pool", [IMG1D, 2], average_pool_ref, padding="same"),
    _nn("average_pool2d-channels-first", "average_pool", [np.moveaxis(POOL_IMG, -1, 1), 3],
        average_pool_ref, strides=2, padding="same", data_format="channels_first"),
]


@pytest.mark.parametrize(ROW, NN)
def test_nn_ops(backend, fn, args, kwargs, ref, dtype, tol):
    check(backend, fn, args, kwargs, ref, dtype, tol)


# ============================================================================ creation & dtypes

CREATION = [
    case("zeros", "zeros", [(2, 3)], lambda s: np.zeros(s, np.float32)),
    case("zeros-int32", "zeros", [(2, 3), "int32"], lambda s, d: np.zeros(s, d)),
    case("ones", "ones", [(3,)], lambda s: np.ones(s, np.float32)),
    case("ones-bool", "ones", [(2, 2), "bool"], lambda s, d: np.ones(s, d)),
    case("full", "full", [(2, 3), 3.5], lambda s, v: np.full(s, v, np.float32)),
    case("full-int32", "full", [(2,), 7, "int32"], np.full),
    case("arange-int", "arange", [5], lambda n: np.arange(n, dtype=np.int32)),
    case("arange-start-stop-step", "arange", [1, 8, 3], lambda *a: np.arange(*a, dtype=np.int32)),
    case("arange-float", "arange", [0.0, 1.0, 0.25], lambda *a: np.arange(*a, dtype=np.float32)),
    case("arange-dtype", "arange", [4], lambda n: np.arange(n, dtype=np.float32),
         {"dtype": "float32"}),
    case("eye", "eye", [3], lambda n: np.eye(n, dtype=np.float32)),
    case("eye-rect-k1", "eye", [3, 4, 1], lambda n, m, k: np.eye(n, m, k, dtype=np.float32)),
    case("eye-k-neg1-int32", "eye", [3], lambda n: np.eye(n, k=-1, dtype=np.int32),
         {"k": -1, "dtype": "int32"}),
    case("cast-float-to-int32-truncates", "cast", [HALVES * 1.3, "int32"],
         lambda x, d: x.astype(d)),
    case("cast-int-to-float32", "cast", [I34, "float32"], lambda x, d: x.astype(d)),
    case("cast-float-to-bool", "cast", [np.array([0.0, 1.5, -2.0], np.float32), "bool"],
         lambda x, d: x.astype(d)),
    case("cast-bool-to-float32", "cast", [B34, "float32"], lambda x, d: x.astype(d)),
    case("cast-float32-to-float16", "cast", [X34, "float16"], lambda x, d: x.astype(d),
         tol=(1e-3, 1e-3)),
    case("cast-float32-to-float64", "cast", [X34, "float64"], lambda x, d: x.astype(d)),
    case("cast-int32-to-uint8", "cast", [np.abs(I34), "uint8"], lambda x, d: x.astype(d)),
    case("convert_to_tensor-python-float", "convert_to_tensor", [1.5],
         lambda v: np.array(v, np.float32)),
    case("convert_to_tensor-float-list", "convert_to_tensor", [[[1.0, 2.0], [3.0, 4.0]]],
         lambda v: np.array(v, np.float32)),
    case("convert_to_tensor-float64-array", "convert_to_tensor", [X34.astype(np.float64)],
         lambda x: x),
    case("convert_to_tensor-int32-array", "convert_to_tensor", [I34], lambda x: x),
    case("convert_to_tensor-bool-array", "convert_to_tensor", [B34], lambda x: x),
    case("convert_to_tensor-with-dtype", "convert_to_tensor", [[1, 2, 3], "float32"],
         lambda v, d: np.array(v, d)),
    case("convert_to_tensor-python-int-list-is-int32", "convert_to_tensor", [[1, 2, 3]],
         lambda v: np.array(v, np.int32)),
]


@pytest.mark.parametrize(ROW, CREATION)
def test_creation_and_cast(backend, fn, args, kwargs, ref, dtype, tol):
    _skip_64bit_on_jax(backend, args)
    check(backend, fn, args, kwargs, ref, dtype, tol)


CANONICAL_DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32",
                    "int64", "uint8", "uint32", "bool"]


def _skip_64bit_on_jax(backend, args):
    """JAX runs with x64 off (as Keras 3 does): 64-bit requests narrow to 32-bit by contract."""
    wants_64 = any((isinstance(a, str) and a.endswith("64"))
                   or (isinstance(a, np.ndarray) and a.dtype.itemsize == 8) for a in args)
    if backend == "jax" and wants_64:
        bk = backends.get("jax")
        narrowed = bk.dtype(bk.cast(bk.convert_to_tensor(np.zeros(2, np.float64)), "float64"))
        assert narrowed == "float32"
        pytest.skip("jax: 64-bit dtypes narrow to 32-bit (x64 disabled, see contract)")


@pytest.mark.parametrize("dtype", CANONICAL_DTYPES)
def test_dtype_names_round_trip(backend, dtype):
    _skip_64bit_on_jax(backend, [dtype])
    bk = backends.get(backend)
    x = bk.cast(bk.convert_to_tensor(np.array([0, 1, 1], np.int32)), dtype)
    assert bk.dtype(x) == dtype
    assert bk.dtype(bk.zeros((2,), dtype)) == dtype


def test_tensor_basics(backend):
    bk = backends.get(backend)
    device = bk.device()
    assert isinstance(device, str) and device
    x = bk.convert_to_tensor(X234)
    assert bk.is_tensor(x)
    assert not bk.is_tensor([1.0, 2.0])
    assert bk.convert_to_tensor(x) is x or bk.is_tensor(bk.convert_to_tensor(x))
    shape = bk.shape(x)
    assert shape == (2, 3, 4) and isinstance(shape, tuple)
    assert all(type(d) is int for d in shape)
    assert isinstance(bk.convert_to_numpy(x), np.ndarray)
    assert_matches(bk, bk.stop_gradient(x), X234)


def test_variables(backend):
    bk = backends.get(backend)
    handle = bk.variable_create(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32), "float32", True)
    assert_matches(bk, bk.variable_read(handle), np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    handle = bk.variable_assign(handle, bk.convert_to_tensor(np.full((2, 2), 5.0, np.float32)))
    assert_matches(bk, bk.variable_read(handle), np.full((2, 2), 5.0, np.float32))
    frozen = bk.variable_create(bk.convert_to_tensor(np.arange(3, dtype=np.float64)), "float32",
                                False)
    assert_matches(bk, bk.variable_read(frozen), np.arange(3, dtype=np.float32))
    counter = bk.variable_create(np.array(0, np.int32), "int32", False)
    counter = bk.variable_assign(counter, bk.add(bk.variable_read(counter), 1))
    assert_matches(bk, bk.variable_read(counter), np.array(1, np.int32))


# ============================================================================ random

@pytest.mark.parametrize("fn", ["random_uniform", "random_normal"])
def test_random_reproducible_and_shaped(backend, fn):
    bk = backends.get(backend)
    sample = getattr(bk, fn)
    first = bk.convert_to_numpy(sample((3, 4), seed=(42, 0)))
    again = bk.convert_to_numpy(sample((3, 4), seed=np.array([42, 0], np.int32)))
    other_counter = bk.convert_to_numpy(sample((3, 4), seed=(42, 1)))
    other_seed = bk.convert_to_numpy(sample((3, 4), seed=(43, 0)))
    assert first.shape == (3, 4) and bk.dtype(sample((3, 4), seed=(42, 0))) == "float32"
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other_counter)
    assert not np.array_equal(first, other_seed)
    assert bk.shape(sample((3, 4))) == (3, 4)  # seed=None
    assert bk.dtype(sample((3, 4), dtype="float16", seed=(1, 2))) == "float16"


def test_random_uniform_statistics(backend):
    bk = backends.get(backend)
    x = bk.convert_to_numpy(bk.random_uniform((4000,), minval=-2.0, maxval=3.0, seed=(7, 0)))
    assert x.min() >= -2.0 and x.max() < 3.0
    assert abs(x.mean() - 0.5) < 0.15
    assert abs(x.std() - 5 / math.sqrt(12)) < 0.1


def test_random_normal_statistics(backend):
    bk = backends.get(backend)
    x = bk.convert_to_numpy(bk.random_normal((4000,), mean=1.0, stddev=2.0, seed=(7, 0)))
    assert abs(x.mean() - 1.0) < 0.16
    assert abs(x.std() - 2.0) < 0.15


# ============================================================================ scan & compile

def test_scan_cumulative_sum(backend):
    bk = backends.get(backend)
    xs = f32(5, 3)

    def step(carry, x):
        carry = bk.add(carry, x)
        return carry, carry

    carry, ys = bk.scan(step, bk.zeros((3,)), bk.convert_to_tensor(xs))
    assert_matches(bk, ys, np.cumsum(xs, axis=0), tol=TRANS)
    assert_matches(bk, carry, xs.sum(0), tol=TRANS)
    carry, ys = bk.scan(step, bk.zeros((3,)), bk.convert_to_tensor(xs), reverse=True)
    assert_matches(bk, ys, np.cumsum(xs[::-1], axis=0)[::-1], tol=TRANS)
    assert_matches(bk, carry, xs.sum(0), tol=TRANS)


def test_scan_lists_and_length(backend):
    bk = backends.get(backend)
    us, vs = f32(4, 2), f32(4, 2, low=0.5, high=1.5)

    def step(carry, x):
        total, product = bk.add(carry[0], x[0]), bk.multiply(carry[1], x[1])
        return [total, product], [total, product]

    init = [bk.zeros((2,)), bk.ones((2,))]
    carry, ys = bk.scan(step, init, [bk.convert_to_tensor(us), bk.convert_to_tensor(vs)])
    assert_matches(bk, carry, [us.sum(0), vs.prod(0)], tol=TRANS)
    assert_matches(bk, ys, [np.cumsum(us, 0), np.cumprod(vs, 0)], tol=TRANS)

    def count(carry, _):
        return bk.add(carry, 1.0), carry

    carry, ys = bk.scan(count, bk.zeros(()), length=4)
    assert_matches(bk, carry, np.float32(4.0))
    assert_matches(bk, ys, np.arange(4, dtype=np.float32))


def test_compile_updates_state_variables(backend):
    from mini_keras.core.variable import Variable

    bk = backends.get(backend)
    total = Variable(np.zeros(3, np.float32), name="total", backend=backend)

    def step(x):
        total.assign(bk.add(total.value, x))
        return bk.multiply(total.value, 2.0)

    compiled = bk.compile(step, [total])
    x = bk.convert_to_tensor(np.array([1.0, 2.0, 3.0], np.float32))
    compiled(x)
    out = compiled(x)
    assert_matches(bk, out, np.array([4.0, 8.0, 12.0], np.float32))
    np.testing.assert_allclose(total.numpy(), [2.0, 4.0, 6.0])


# ============================================================================ value_and_grad

def _relu_ref(x):
    return np.maximum(x, 0)


REF = SimpleNamespace(
    add=np.add, multiply=np.multiply, divide=np.divide, power=np.power, matmul=np.matmul,
    exp=np.exp, log=np.log, tanh=np.tanh, sigmoid=_sigmoid, relu=_relu_ref,
    softmax=softmax_ref, log_softmax=log_softmax_ref, sum=np.sum, mean=np.mean, max=np.max,
    reshape=np.reshape, transpose=np.transpose, concatenate=np.concatenate, take=np.take,
    getitem=lambda x, key: x[key], shape=np.shape, stop_gradient=lambda x: x,
    categorical_crossentropy=categorical_crossentropy_ref,
    sparse_categorical_crossentropy=sparse_categorical_crossentropy_ref,
    binary_crossentropy=binary_crossentropy_ref, conv=conv_ref, depthwise_conv=depthwise_conv_ref,
    conv_transpose=conv_transpose_ref, max_pool=max_pool_ref, average_pool=average_pool_ref,
)


def _loss(o, const, y):
    """A scalar that weighs every entry of ``y`` differently: sum(y * w)."""
    size = math.prod(o.shape(y))
    return o.sum(o.multiply(y, const(np.linspace(-1.0, 0.9, size).reshape(o.shape(y)))))


def _signed(*shape):
    """Values with |x| in [0.2, 1]: far from relu's kink."""
    return rng.uniform(0.2, 1.0, shape) * rng.choice([-1.0, 1.0], shape)


def _positive(*shape):
    return rng.uniform(0.5, 1.5, shape)


def _normal(*shape):
    return rng.uniform(-1.0, 1.0, shape)


def grad_case(case_id, body, *inputs):
    """``body(o, *xs)`` is an expression in contract ops; the test differentiates its _loss."""
    inputs = [np.asarray(x, np.float32).astype(np.float64) for x in inputs]
    return pytest.param(body, inputs, id=case_id)


def _distinct64(*shape):
    return distinct(*shape, scale=1.0 / math.prod(shape)).astype(np.float64)


GRAD_CASES = [
    grad_case("add-broadcast", lambda o, a, b: o.add(a, b), _normal(3, 4), _normal(4)),
    grad_case("multiply-broadcast", lambda o, a, b: o.multiply(a, b), _normal(3, 1),
              _normal(1, 4)),
    grad_case("divide-broadcast", lambda o, a, b: o.divide(a, b), _normal(2, 3), _positive(3)),
    grad_case("power", lambda o, a, b: o.power(a, b), _positive(2, 3), _normal(3)),
    grad_case("matmul-batch-broadcast", lambda o, a, b: o.matmul(a, b), _normal(2, 3, 4),
              _normal(4, 2)),
    grad_case("exp", lambda o, a: o.exp(a), _normal(3, 4)),
    grad_case("log", lambda o, a: o.log(a), _positive(3, 4)),
    grad_case("tanh", lambda o, a: o.tanh(a), _normal(3, 4)),
    grad_case("sigmoid", lambda o, a: o.sigmoid(a), _normal(3, 4)),
    grad_case("softmax", lambda o, a: o.softmax(a), _normal(3, 4)),
    grad_case("log_softmax", lambda o, a: o.log_softmax(a), _normal(3, 4)),
    grad_case("relu", lambda o, a: o.relu(a), _signed(3, 4)),
    grad_case("sum-axis1", lambda o, a: o.sum(a, axis=1), _normal(2, 3, 4)),
    grad_case("mean-tuple-keepdims", lambda o, a: o.mean(a, axis=(0, 2), keepdims=True),
              _normal(2, 3, 4)),
    grad_case("max-axis-neg1", lambda o, a: o.max(a, axis=-1), _distinct64(3, 4)),
    grad_case("reshape", lambda o, a: o.reshape(a, (4, 3)), _normal(2, 6)),
    grad_case("transpose", lambda o, a: o.transpose(a, (1, 0, 2)), _normal(2, 3, 4)),
    grad_case("concatenate", lambda o, a, b: o.concatenate([a, b], axis=1), _normal(2, 3),
              _normal(2, 1)),
    grad_case("getitem-slices", lambda o, a: o.getitem(a, (slice(1, 3), 0)), _normal(4, 3)),
    grad_case("getitem-repeated-index", lambda o, a: o.getitem(a, np.array([0, 2, 0])),
              _normal(3, 2)),
    grad_case("take-repeated", lambda o, a: o.take(a, np.array([1, 1, 0], np.int32), axis=1),
              _normal(2, 3)),
    grad_case("cce-probs", lambda o, t, p: o.categorical_crossentropy(t, p),
              softmax_ref(_normal(3, 4)), _positive(3, 4) * 0.3),
    grad_case("cce-logits", lambda o, t, z: o.categorical_crossentropy(t, z, from_logits=True),
              softmax_ref(_normal(3, 4)), _normal(3, 4)),
    grad_case("scce-probs", lambda o, p: o.sparse_categorical_crossentropy(
        np.array([1, 3, 0], np.int32), p), _positive(3, 4) * 0.3),
    grad_case("scce-logits", lambda o, z: o.sparse_categorical_crossentropy(
        np.array([1, 3, 0], np.int32), z, from_logits=True), _normal(3, 4)),
    grad_case("bce-probs", lambda o, t, p: o.binary_crossentropy(t, p),
              rng.uniform(0, 1, (3, 2)), rng.uniform(0.1, 0.9, (3, 2))),
    grad_case("bce-logits", lambda o, t, z: o.binary_crossentropy(t, z, from_logits=True),
              rng.uniform(0, 1, (3, 2)), _normal(3, 2) * 3),
    grad_case("conv2d-s2-same", lambda o, x, k: o.conv(x, k, strides=2, padding="same"),
              _normal(1, 5, 5, 2), _normal(3, 3, 2, 3)),
    grad_case("depthwise2d-same", lambda o, x, k: o.depthwise_conv(x, k, padding="same"),
              _normal(1, 4, 4, 2), _normal(3, 3, 2, 2)),
    grad_case("conv_transpose2d-s2-same",
              lambda o, x, k: o.conv_transpose(x, k, strides=2, padding="same"),
              _normal(1, 3, 3, 2), _normal(3, 3, 2, 2)),
    grad_case("max_pool2d-overlapping-same",
              lambda o, x: o.max_pool(x, 3, strides=2, padding="same"), _distinct64(1, 5, 5, 1)),
    grad_case("average_pool2d-same",
              lambda o, x: o.average_pool(x, 3, strides=2, padding="same"), _normal(1, 5, 5, 2)),
]

_NUMERIC_GRADS: dict[int, tuple[float, list[np.ndarray]]] = {}


def _numeric_value_and_grads(body, inputs, eps=1e-6):
    """Reference value and central finite-difference gradients in float64 (cached per case)."""
    key = id(body)
    if key not in _NUMERIC_GRADS:
        xs = [x.copy() for x in inputs]

        def f():
            return float(_loss(REF, np.asarray, body(REF, *xs)))

        grads = []
        for x in xs:
            g = np.zeros_like(x)
            for j in np.ndindex(x.shape):
                original = x[j]
                x[j] = original + eps
                up = f()
                x[j] = original - eps
                down = f()
                x[j] = original
                g[j] = (up - down) / (2 * eps)
            grads.append(g)
        _NUMERIC_GRADS[key] = (f(), grads)
    return _NUMERIC_GRADS[key]


GRAD_TOL = {"float64": (1e-5, 1e-6), "float32": (2e-3, 2e-3)}


@pytest.mark.parametrize("body, inputs", GRAD_CASES)
def test_value_and_grad_matches_finite_differences(backend, body, inputs):
    bk = backends.get(backend)
    # float64 where the backend computes in it (tight tolerances), else float32
    dtype = "float64" if backends.supports("float64", backend) else "float32"

    def const(array):
        return bk.convert_to_tensor(np.asarray(array, dtype))

    def fn(values):
        return _loss(bk, const, body(bk, *values))

    value, grads = bk.value_and_grad(fn)([const(x) for x in inputs])
    want_value, want_grads = _numeric_value_and_grads(body, inputs)
    assert_matches(bk, value, np.asarray(want_value, dtype), tol=GRAD_TOL[dtype], what="value")
    assert_matches(bk, list(grads), [g.astype(dtype) for g in want_grads], tol=GRAD_TOL[dtype],
                   what="grads")


def test_value_and_grad_aux_unused_input_and_stop_gradient(backend):
    bk = backends.get(backend)
    x = np.array([1.0, -2.0, 3.0], np.float32)

    def fn(values):
        a, _unused = values
        value = bk.sum(bk.multiply(a, bk.stop_gradient(a)))  # d/da = a, not 2a
        return value, {"double": bk.multiply(a, 2.0)}

    (value, aux), grads = bk.value_and_grad(fn, has_aux=True)(
        [bk.convert_to_tensor(x), bk.convert_to_tensor(np.ones((2, 2), np.float32))])
    assert_matches(bk, value, np.float32(14.0))
    assert_matches(bk, aux["double"], 2 * x)
    assert_matches(bk, list(grads), [x, np.zeros((2, 2), np.float32)])


def _grad_of(bk, fn, *xs):
    _, grads = bk.value_and_grad(lambda v: fn(*v))([bk.convert_to_tensor(x) for x in xs])
    return [np.asarray(bk.convert_to_numpy(g)) for g in grads]


def test_gradient_conventions_at_ties_and_kinks(backend):
    """The contract's choices where the derivative is not unique."""
    bk = backends.get(backend)
    row = np.array([1.0, 3.0, 3.0, 2.0], np.float32)
    [g] = _grad_of(bk, bk.max, row)
    np.testing.assert_allclose(g, [0, 0.5, 0.5, 0], err_msg="max: ties share the gradient")
    a, b = np.array([1.0, 2.0, 3.0], np.float32), np.array([1.0, 1.0, 4.0], np.float32)
    ga, gb = _grad_of(bk, lambda x, y: bk.sum(bk.maximum(x, y)), a, b)
    np.testing.assert_allclose([ga, gb], [[1, 1, 0], [0, 0, 1]], err_msg="maximum: tie -> x1")
    ga, gb = _grad_of(bk, lambda x, y: bk.sum(bk.minimum(x, y)), a, b)
    np.testing.assert_allclose([ga, gb], [[1, 0, 1], [0, 1, 0]], err_msg="minimum: tie -> x1")
    [g] = _grad_of(bk, lambda x: bk.sum(bk.abs(x)), np.array([-2.0, 0.0, 3.0], np.float32))
    np.testing.assert_allclose(g, [-1, 0, 1], err_msg="abs: gradient sign(x)")
    [g] = _grad_of(bk, lambda x: bk.sum(bk.clip(x, -1.0, 1.0)),
                   np.array([-2.0, 0.5, 3.0], np.float32))
    np.testing.assert_allclose(g, [0, 1, 0], err_msg="clip: 1 inside, 0 outside")
    [g] = _grad_of(bk, lambda x: bk.sum(bk.add(bk.floor(x), bk.round(x))),
                   np.array([0.3, 1.7], np.float32))
    np.testing.assert_allclose(g, [0, 0], err_msg="floor/round: zero gradient")
