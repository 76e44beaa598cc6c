"""PyTorch backend: every contract function against plain numpy, plus torch-specific behaviour.

Values, shapes and dtype names are compared with numpy references on small inputs; a few
gradients from ``value_and_grad`` are compared with central finite differences in float64.
"""

import inspect
import itertools
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mini_keras import backends, config
from mini_keras.backends import contract

B = backends.get("torch")
rng = np.random.default_rng(0)

X = rng.normal(size=(3, 4)).astype(np.float32)
Y = rng.normal(size=(3, 4)).astype(np.float32)
POS = rng.uniform(0.5, 2.0, (3, 4)).astype(np.float32)
I = rng.integers(-5, 5, (3, 4)).astype(np.int32)
MASK = rng.random((3, 4)) > 0.5
X3 = rng.permutation(24).reshape(2, 3, 4).astype(np.float32) - 12


def same(out, expected, dtype=None, tol=1e-5):
    """``out`` (tensor or list) equals ``expected`` in value, shape and dtype name."""
    if isinstance(expected, (list, tuple)):
        assert len(out) == len(expected)
        for o, e in zip(out, expected):
            same(o, e, dtype, tol)
        return
    expected = np.asarray(expected)
    want = dtype or expected.dtype.name
    got = B.convert_to_numpy(out)
    assert B.is_tensor(out)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert B.dtype(out) == want, (B.dtype(out), want)
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64),
                               rtol=tol, atol=tol)


def finite_difference(f, values, eps=1e-6):
    """Central finite-difference gradients of scalar ``f(list of float64 arrays)``."""
    grads = []
    for i, v in enumerate(values):
        g = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            plus = [w.copy() for w in values]
            minus = [w.copy() for w in values]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            g[idx] = (f(plus) - f(minus)) / (2 * eps)
        grads.append(g)
    return grads


# ============================================================================ the contract surface

def test_exports_every_contract_function_with_its_signature():
    for name, fn in contract.functions().items():
        ours = getattr(B, name)
        assert inspect.signature(ours).parameters.keys() == inspect.signature(fn).parameters.keys()
        assert [p.default for p in inspect.signature(ours).parameters.values()] == [
            p.default for p in inspect.signature(fn).parameters.values()], name


# ============================================================================ tensors & devices

def test_conversion_dtypes_and_device():
    assert B.device() in ("cpu", "cuda:0")
    assert B.dtype(B.convert_to_tensor(1.5)) == "float32"
    assert B.dtype(B.convert_to_tensor([1.0, 2.0])) == "float32"
    assert B.dtype(B.convert_to_tensor(3)) == "int32"
    assert B.dtype(B.convert_to_tensor([1, 2])) == "int32"
    assert B.dtype(B.convert_to_tensor(True)) == "bool"
    assert B.dtype(B.convert_to_tensor(np.zeros(2))) == "float64"
    assert B.dtype(B.convert_to_tensor(np.zeros(2, np.int64))) == "int64"
    assert B.dtype(B.convert_to_tensor(np.float64(1.0))) == "float64"
    assert B.dtype(B.convert_to_tensor(1.5, "float16")) == "float16"
    assert str(B.convert_to_tensor(X).device) == B.device()
    assert B.shape(X) == (3, 4) and B.shape(B.convert_to_tensor(X)) == (3, 4)
    same(B.convert_to_tensor(X[::-1]), X[::-1])


def test_convert_to_numpy_copies_and_detaches():
    t = B.convert_to_tensor(X).requires_grad_(False)
    out = B.convert_to_numpy(t)
    out[0, 0] = 100.0
    assert float(t[0, 0]) != 100.0
    leaf = torch.ones(2, requires_grad=True)
    np.testing.assert_array_equal(B.convert_to_numpy(leaf * 2), [2.0, 2.0])


def test_bfloat16_round_trip():
    out = B.convert_to_numpy(B.cast(X, "bfloat16"))
    assert B.dtype(B.cast(X, "bfloat16")) == "bfloat16"
    np.testing.assert_allclose(out.astype(np.float32), X, rtol=1e-2)


def test_cast_and_stop_gradient():
    t = B.convert_to_tensor(X)
    assert B.cast(t, "float32") is t
    same(B.cast(X, "int32"), X.astype(np.int32))
    leaf = torch.ones(2, requires_grad=True)
    assert not B.stop_gradient(leaf).requires_grad


def test_python_scalars_keep_float32():
    for fn in ("add", "subtract", "multiply", "divide", "power", "maximum", "minimum"):
        assert B.dtype(getattr(B, fn)(X, 0.5)) == "float32", fn
        assert B.dtype(getattr(B, fn)(0.5, POS)) == "float32", fn
    assert B.dtype(B.add(I, 2)) == "int32"
    assert B.dtype(B.add(2, 3)) == "int32"
    assert B.dtype(B.multiply(2.0, 3.0)) == "float32"


# ============================================================================ variables

def test_variables_assign_in_place():
    initial = np.ones((2, 2), np.float32)
    handle = B.variable_create(initial, "float64", True)
    initial[0, 0] = 5.0  # the handle is a copy
    same(B.variable_read(handle), np.ones((2, 2)), "float64")
    assert handle.requires_grad  # a trainable variable is a torch Parameter, as in Keras 3
    assert not B.variable_create(initial, "float32", False).requires_grad
    returned = B.variable_assign(handle, np.full((2, 2), 3.0, np.float32))
    assert returned is handle
    same(B.variable_read(handle), np.full((2, 2), 3.0), "float64")


# ============================================================================ creation

def test_creation():
    same(B.zeros((2, 3)), np.zeros((2, 3), np.float32))
    same(B.ones(3, "int32"), np.ones(3, np.int32))
    same(B.full((2, 2), 7), np.full((2, 2), 7, np.int32))
    same(B.full((2, 2), 0.5, "float64"), np.full((2, 2), 0.5))
    same(B.arange(5), np.arange(5, dtype=np.int32))
    same(B.arange(1, 7, 2), np.arange(1, 7, 2, dtype=np.int32))
    same(B.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25, dtype=np.float32))
    same(B.eye(3), np.eye(3, dtype=np.float32))
    same(B.eye(3, 4, k=1, dtype="int32"), np.eye(3, 4, k=1, dtype=np.int32))


# ============================================================================ elementwise & logic

UNARY = {
    "negative": np.negative, "abs": np.abs, "sign": np.sign, "exp": np.exp, "log1p": None,
    "expm1": np.expm1, "square": np.square, "sin": np.sin, "cos": np.cos, "tanh": np.tanh,
    "floor": np.floor, "ceil": np.ceil, "round": np.round, "relu": lambda x: np.maximum(x, 0),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)), "silu": lambda x: x / (1 + np.exp(-x)),
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    ref = UNARY[name] or getattr(np, name)
    data = np.abs(X) if name == "log1p" else X
    same(getattr(B, name)(data), ref(data).astype(np.float32))


def test_positive_domain_and_special():
    same(B.log(POS), np.log(POS))
    same(B.sqrt(POS), np.sqrt(POS))
    from scipy.special import erf
    same(B.erf(X), erf(X).astype(np.float32))
    halves = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], np.float32)
    same(B.round(halves), np.round(halves))
    same(B.abs(I), np.abs(I))
    same(B.sqrt(np.array([4, 9], np.int32)), np.array([2.0, 3.0], np.float32))


def test_gelu_elu_leaky():
    tanh_gelu = 0.5 * X * (1 + np.tanh(math.sqrt(2 / math.pi) * (X + 0.044715 * X ** 3)))
    from scipy.special import erf
    same(B.gelu(X), tanh_gelu.astype(np.float32))
    same(B.gelu(X, approximate=False), (0.5 * X * (1 + erf(X / math.sqrt(2)))).astype(np.float32))
    same(B.elu(X, alpha=0.5), np.where(X > 0, X, 0.5 * np.expm1(X)).astype(np.float32))
    same(B.leaky_relu(X), np.where(X > 0, X, 0.2 * X))
    same(B.leaky_relu(X, negative_slope=0.1), np.where(X > 0, X, 0.1 * X))


BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "equal", "not_equal",
          "greater", "greater_equal", "less", "less_equal"]


@pytest.mark.parametrize("name", BINARY)
def test_binary_with_broadcasting_and_mixed_operands(name):
    ref = getattr(np, name)
    same(getattr(B, name)(X, Y[0]), ref(X, Y[0]))
    same(getattr(B, name)(X, B.convert_to_tensor(Y)), ref(X, Y))
    if name != "divide":
        same(getattr(B, name)(I, I.T[:1].T), ref(I, I.T[:1].T))


def test_power_where_clip_logic():
    same(B.power(POS, Y), np.power(POS, Y), tol=1e-4)
    same(B.power(X, 2), X ** 2)
    same(B.power(2.0, X), (2.0 ** X).astype(np.float32), tol=1e-4)
    same(B.where(MASK, X, Y), np.where(MASK, X, Y))
    same(B.where(MASK, X, 0.0), np.where(MASK, X, np.float32(0)))
    same(B.where(MASK, 1, 0), np.where(MASK, 1, 0).astype(np.int32))
    same(B.clip(X, -0.5, 0.5), np.clip(X, -0.5, 0.5))
    same(B.clip(I, -2, 2), np.clip(I, -2, 2))
    same(B.logical_and(MASK, MASK[::-1]), np.logical_and(MASK, MASK[::-1]))
    same(B.logical_or(MASK, MASK[0]), np.logical_or(MASK, MASK[0]))
    same(B.logical_not(MASK), np.logical_not(MASK))


# ============================================================================ reductions

@pytest.mark.parametrize("axis", [None, 1, -1, (0, 2), (0, -1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(axis, keepdims):
    from scipy.special import logsumexp
    for name, ref in [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
                      ("var", np.var), ("logsumexp", logsumexp)]:
        expected = np.asarray(ref(X3, axis=axis, keepdims=keepdims)).astype(np.float32)
        same(getattr(B, name)(X3, axis=axis, keepdims=keepdims), expected, tol=1e-4)
    p = 0.5 + np.abs(X3) / 24
    same(B.prod(p, axis=axis, keepdims=keepdims), np.prod(p, axis=axis, keepdims=keepdims))
    mask = X3 > 0
    same(B.any(mask, axis, keepdims), np.any(mask, axis=axis, keepdims=keepdims))
    same(B.all(mask, axis, keepdims), np.all(mask, axis=axis, keepdims=keepdims))


def test_integer_reductions_keep_int32():
    same(B.sum(I), np.sum(I).astype(np.int32))
    same(B.sum(I, axis=0), np.sum(I, axis=0).astype(np.int32))
    same(B.sum(MASK), np.sum(MASK).astype(np.int32))
    same(B.mean(I), np.mean(I).astype(np.float32))
    same(B.cumsum(I, axis=1), np.cumsum(I, axis=1).astype(np.int32))
    same(B.max(I, axis=1), np.max(I, axis=1))


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_reductions_first_on_ties(axis, keepdims):
    ties = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 0.0, 0.0]], np.float32)
    for name in ("argmax", "argmin"):
        expected = getattr(np, name)(ties, axis=axis, keepdims=keepdims).astype(np.int32)
        same(getattr(B, name)(ties, axis=axis, keepdims=keepdims), expected)


def test_cumsum_and_scalar_reductions():
    same(B.cumsum(X3), np.cumsum(X3))
    same(B.cumsum(X3, axis=-1), np.cumsum(X3, axis=-1))
    same(B.sum(np.float32(2.0)), np.float32(2.0))


# ============================================================================ shapes & indexing

def test_shape_functions():
    same(B.reshape(X3, (4, -1)), X3.reshape(4, -1))
    same(B.transpose(X3), X3.T)
    same(B.transpose(X3, (1, 0, 2)), X3.transpose(1, 0, 2))
    same(B.expand_dims(X, 1), np.expand_dims(X, 1))
    same(B.expand_dims(X, (0, -1)), np.expand_dims(X, (0, -1)))
    ones = np.zeros((1, 3, 1, 2), np.float32)
    same(B.squeeze(ones), ones.squeeze())
    same(B.squeeze(ones, axis=-2), ones.squeeze(-2))
    with pytest.raises(ValueError, match="squeeze"):
        B.squeeze(ones, axis=1)
    same(B.concatenate([X, Y], axis=1), np.concatenate([X, Y], axis=1))
    same(B.stack([X, Y], axis=-1), np.stack([X, Y], axis=-1))
    same(B.split(X3, 2, axis=2), np.split(X3, 2, axis=2))
    same(B.split(X3, [1, 3], axis=-1), np.split(X3, [1, 3], axis=-1))
    with pytest.raises(ValueError):
        B.split(X3, 3, axis=-1)
    same(B.broadcast_to(X[0], (2, 3, 4)), np.broadcast_to(X[0], (2, 3, 4)))
    same(B.tile(X, (2, 1, 2)), np.tile(X, (2, 1, 2)))
    same(B.tile(X, 2), np.tile(X, 2))
    same(B.repeat(X, 2), np.repeat(X, 2))
    same(B.repeat(X, 3, axis=0), np.repeat(X, 3, axis=0))
    same(B.repeat(X, [1, 0, 2], axis=0), np.repeat(X, [1, 0, 2], axis=0))
    same(B.flip(X3), np.flip(X3))
    same(B.flip(X3, axis=(0, 2)), np.flip(X3, axis=(0, 2)))


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric"])
@pytest.mark.parametrize("widths", [((1, 2), (0, 3)), ((2, 2), (5, 7)), 1, (2, 1)])
def test_pad(mode, widths):
    same(B.pad(X, widths, mode=mode), np.pad(X, widths, mode=mode))
    if mode == "constant":
        same(B.pad(X, widths, constant_values=1.5), np.pad(X, widths, constant_values=1.5))


def test_take_and_take_along_axis():
    same(B.take(X3, np.array([[0, -1], [2, 5]])), np.take(X3, [[0, -1], [2, 5]]))
    same(B.take(X3, np.array([2, 0, -1], np.int32), axis=-1), np.take(X3, [2, 0, -1], axis=-1))
    same(B.take(X3, 1, axis=1), np.take(X3, 1, axis=1))
    order = np.argsort(X3, axis=1)
    same(B.take_along_axis(X3, order, axis=1), np.take_along_axis(X3, order, axis=1))
    flat = np.array([3, 0, -2])
    same(B.take_along_axis(X3, flat, axis=None), np.take_along_axis(X3, flat, axis=None))


KEYS = [
    1, -1, (0, 2), slice(1, None), (slice(None), None, 1), (Ellipsis, 0), (0, Ellipsis, None),
    (slice(None, None, -1),), (slice(None), slice(3, 0, -2)), (Ellipsis, slice(None, None, -3)),
    (slice(5, 7, -1),), np.array([1, 0, 1]), (np.array([1, 0]), slice(None), np.array([2, 3])),
    (slice(None), np.array([[0, 1], [2, 0]], np.int32)), X3 > 0, (0, X3[0] > 0), (slice(None), X3[0, :, 0] > 0),
    [1, 0],
]


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_getitem(key):
    same(B.getitem(X3, key), X3[key])


def test_getitem_with_tensor_indices():
    same(B.getitem(X3, B.convert_to_tensor(np.array([1, 0], np.int32))), X3[[1, 0]])
    same(B.getitem(X3, (B.convert_to_tensor(1), slice(None, 2))), X3[1, :2])


def test_one_hot_sort_argsort_scatter():
    labels = np.array([[0, 2], [1, 3]])
    same(B.one_hot(labels, 3), np.eye(4, dtype=np.float32)[labels][..., :3])  # 3: all zeros
    same(B.one_hot(labels, 4, axis=0, dtype="int32"),
         np.moveaxis(np.eye(4, dtype=np.int32)[labels], -1, 0))
    same(B.sort(X3, axis=1), np.sort(X3, axis=1))
    same(B.sort(X3), np.sort(X3))
    ties = np.array([3.0, 1.0, 3.0, 1.0, 2.0], np.float32)
    same(B.argsort(ties), np.argsort(ties, kind="stable").astype(np.int32))
    same(B.argsort(X3, axis=0), np.argsort(X3, axis=0).astype(np.int32))
    base = np.zeros((3, 4), np.float32)
    idx = np.array([[0, 1], [2, 3], [0, 1]])
    upd = np.array([1.0, 2.0, 3.0], np.float32)
    expected = base.copy()
    np.add.at(expected, (idx[:, 0], idx[:, 1]), upd)
    same(B.scatter_add(base, idx, upd), expected)
    rows = np.array([[2], [0], [2]], np.int32)
    row_upd = np.ones((3, 4), np.float32)
    expected = base.copy()
    np.add.at(expected, rows[:, 0], row_upd)
    same(B.scatter_add(base, rows, row_upd), expected)


def test_matmul_and_einsum():
    a = rng.normal(size=(2, 3, 4)).astype(np.float32)
    b = rng.normal(size=(4, 5)).astype(np.float32)
    same(B.matmul(a, b), a @ b)
    same(B.matmul(a, b[:, 0]), a @ b[:, 0])
    same(B.matmul(b[:, 0], b), b[:, 0] @ b)
    same(B.matmul(I, I.T), (I @ I.T).astype(np.int32))
    same(B.einsum("bij,jk->bik", a, b), np.einsum("bij,jk->bik", a, b), tol=1e-4)
    same(B.einsum("ii->", b[:4, :4]), np.einsum("ii->", b[:4, :4]))


# ============================================================================ nn: softmax & cross-entropies

def np_log_softmax(x, axis=-1):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def test_softmax_and_log_softmax():
    same(B.softmax(X), np.exp(np_log_softmax(X)))
    same(B.softmax(X, axis=0), np.exp(np_log_softmax(X, 0)))
    same(B.log_softmax(X3, axis=1), np_log_softmax(X3, 1))
    joint = np.exp(X - X.max()) / np.exp(X - X.max()).sum()
    same(B.softmax(X, axis=(0, 1)), joint)


def test_crossentropies():
    eps = config.epsilon()
    target = np.eye(4, dtype=np.float32)[[0, 3, 1]]
    probs = np.abs(X) + 0.1
    probs[0, 0] = 0.0
    p = np.clip(probs / probs.sum(-1, keepdims=True), eps, 1 - eps)
    same(B.categorical_crossentropy(target, probs), -(target * np.log(p)).sum(-1))
    same(B.categorical_crossentropy(target, X, from_logits=True),
         -(target * np_log_softmax(X)).sum(-1))
    same(B.categorical_crossentropy(target.T, X.T, from_logits=True, axis=0),
         -(target * np_log_softmax(X)).sum(-1))
    labels = np.array([0, 3, 1])
    same(B.sparse_categorical_crossentropy(labels, probs), -(target * np.log(p)).sum(-1))
    same(B.sparse_categorical_crossentropy(labels[:, None], X, from_logits=True),
         -(target * np_log_softmax(X)).sum(-1))
    t = (rng.random((3, 4)) > 0.5).astype(np.float32)
    q = np.clip(1 / (1 + np.exp(-X)), eps, 1 - eps)
    same(B.binary_crossentropy(t, q), -(t * np.log(q) + (1 - t) * np.log(1 - q)), tol=1e-4)
    same(B.binary_crossentropy(t, X, from_logits=True),
         np.maximum(X, 0) - X * t + np.log1p(np.exp(-np.abs(X))))
    edge = np.array([0.0, 1.0], np.float32)
    clipped_high = np.float32(1.0) - np.float32(1.0 - eps)  # 1 - eps rounds in float32
    expected = [-np.log(np.float32(eps)), -np.log(clipped_high)]
    same(B.binary_crossentropy(np.array([1.0, 0.0], np.float32), edge), expected, "float32",
         tol=1e-5)


# ============================================================================ nn: convolution & pooling

def tf_same_pads(size, kernel, stride, dilation=1):
    total = max((math.ceil(size / stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def np_conv(x, w, strides, padding, dilation):
    """Channels-last grouped convolution with a dilated kernel, by sliding windows."""
    rank = x.ndim - 2
    ksize = w.shape[:rank]
    pads = [tf_same_pads(n, k, s, d) if padding == "same" else (0, 0)
            for n, k, s, d in zip(x.shape[1:-1], ksize, strides, dilation)]
    x = np.pad(x, [(0, 0), *pads, (0, 0)])
    effective = [(k - 1) * d + 1 for k, d in zip(ksize, dilation)]
    dilated = np.zeros((*effective, *w.shape[rank:]), w.dtype)
    dilated[tuple(slice(None, None, d) for d in dilation)] = w
    windows = np.lib.stride_tricks.sliding_window_view(x, effective, axis=tuple(range(1, rank + 1)))
    windows = windows[(slice(None), *(slice(None, None, s) for s in strides))]
    groups = x.shape[-1] // w.shape[-2]
    cin, cout = w.shape[-2], w.shape[-1] // groups
    letters = "hwd"[:rank]
    outs = [np.einsum(f"n...c{letters},{letters}co->n...o",
                      windows[(Ellipsis, slice(g * cin, (g + 1) * cin), *[slice(None)] * rank)],
                      dilated[..., g * cout:(g + 1) * cout])
            for g in range(groups)]
    return np.concatenate(outs, axis=-1).astype(x.dtype)


CONV_CASES = [
    (rank, size, k, s, d, pad)
    for rank, size, k, (s, d), pad in itertools.product(
        (1, 2), (5, 6), (1, 2, 3), ((1, 1), (2, 1), (3, 1), (1, 2)), ("valid", "same"))
]


@pytest.mark.parametrize("rank, size, k, s, d, pad", CONV_CASES)
def test_conv_and_depthwise_conv(rank, size, k, s, d, pad):
    x = rng.normal(size=(2, *(size,) * rank, 4)).astype(np.float32)
    for groups in (1, 2):
        w = rng.normal(size=(*(k,) * rank, 4 // groups, 6)).astype(np.float32)
        expected = np_conv(x, w, (s,) * rank, pad, (d,) * rank)
        same(B.conv(x, w, s, pad, dilation_rate=d), expected, tol=1e-4)
        channels_first = np.moveaxis(x, -1, 1)
        same(B.conv(channels_first, w, s, pad, "channels_first", d), np.moveaxis(expected, -1, 1),
             tol=1e-4)
    wd = rng.normal(size=(*(k,) * rank, 4, 2)).astype(np.float32)
    grouped = wd.reshape(*(k,) * rank, 1, 8)  # output channel c * multiplier + m
    same(B.depthwise_conv(x, wd, s, pad, dilation_rate=d),
         np_conv(x, grouped, (s,) * rank, pad, (d,) * rank), tol=1e-4)


def keras_transpose_length(size, k, s, d, pad):
    effective = (k - 1) * d + 1
    return size * s + max(effective - s, 0) if pad == "valid" else size * s


@pytest.mark.parametrize("rank, size, k, s, d, pad", CONV_CASES)
def test_conv_transpose_is_the_adjoint_of_conv(rank, size, k, s, d, pad):
    """TF's conv_transpose is the gradient of conv: <convT(y), x> == <y, conv(x)>."""
    y = rng.normal(size=(2, *(size,) * rank, 3)).astype(np.float64)
    w = rng.normal(size=(*(k,) * rank, 4, 3)).astype(np.float64)  # (out=4, in=3)
    out = B.conv_transpose(y, w, s, pad, dilation_rate=d)
    length = keras_transpose_length(size, k, s, d, pad)
    assert B.shape(out) == (2, *(length,) * rank, 4)
    x = rng.normal(size=B.shape(out))
    forward = np_conv(x, w, (s,) * rank, pad, (d,) * rank)
    assert forward.shape == y.shape
    np.testing.assert_allclose(np.sum(B.convert_to_numpy(out) * x), np.sum(y * forward),
                               rtol=1e-4)


def test_conv_transpose_values_1d():
    y = np.array([[[1.0], [2.0]]], np.float32)      # (batch, length 2, in 1)
    w = np.array([[[1.0]], [[10.0]], [[100.0]]], np.float32)  # (k=3, out 1, in 1)
    same(B.conv_transpose(y, w, 2), [[[1.0], [10.0], [102.0], [20.0], [200.0]]], "float32")
    # "same": TF pads the forward conv by 1 after, so the transpose crops 0 before, 1 after.
    same(B.conv_transpose(y, w, 2, "same"), [[[1.0], [10.0], [102.0], [20.0]]], "float32")
    same(B.conv_transpose(y, w, 2, "valid", output_padding=1),
         [[[1.0], [10.0], [102.0], [20.0], [200.0], [0.0]]], "float32")


def np_pool(x, pool, strides, padding, kind):
    rank = x.ndim - 2
    pads = [tf_same_pads(n, p, s) if padding == "same" else (0, 0)
            for n, p, s in zip(x.shape[1:-1], pool, strides)]
    fill = -np.inf if kind == "max" else 0.0
    padded = np.pad(x, [(0, 0), *pads, (0, 0)], constant_values=fill)
    counts = np.pad(np.ones_like(x), [(0, 0), *pads, (0, 0)])
    axes = tuple(range(1, rank + 1))
    step = (slice(None), *(slice(None, None, s) for s in strides))
    win = np.lib.stride_tricks.sliding_window_view(padded, pool, axis=axes)[step]
    sum_axes = tuple(range(-rank, 0))
    if kind == "max":
        return win.max(axis=sum_axes)
    cnt = np.lib.stride_tricks.sliding_window_view(counts, pool, axis=axes)[step]
    return win.sum(axis=sum_axes) / cnt.sum(axis=sum_axes)


@pytest.mark.parametrize("rank, size, pool, stride, pad", [
    (rank, size, pool, stride, pad)
    for rank, size, pool, stride, pad in itertools.product(
        (1, 2), (5, 6), (2, 3), (None, 1, 2), ("valid", "same"))
])
def test_pools(rank, size, pool, stride, pad):
    x = rng.normal(size=(2, *(size,) * rank, 3)).astype(np.float32)
    strides = (pool if stride is None else stride,) * rank
    for kind, fn in (("max", B.max_pool), ("avg", B.average_pool)):
        expected = np_pool(x, (pool,) * rank, strides, pad, kind).astype(np.float32)
        same(fn(x, pool, stride, pad), expected)
        cf = np.moveaxis(x, -1, 1)
        same(fn(cf, pool, stride, pad, "channels_first"), np.moveaxis(expected, -1, 1))


# ============================================================================ random

@pytest.mark.parametrize("fn", ["random_uniform", "random_normal"])
def test_random_seeds(fn):
    sample = getattr(B, fn)
    a, b = sample((200,), seed=(1, 2)), sample((200,), seed=np.array([1, 2]))
    c = sample((200,), seed=(1, 3))
    same(a, B.convert_to_numpy(b))
    assert not np.allclose(B.convert_to_numpy(a), B.convert_to_numpy(c))
    assert B.dtype(a) == "float32" and B.dtype(sample((2,), dtype="float64")) == "float64"
    assert B.dtype(sample((2,), dtype="float16", seed=(0, 0))) == "float16"
    assert B.shape(sample((2, 3))) == (2, 3)


def test_random_statistics():
    u = B.convert_to_numpy(B.random_uniform((20000,), 2.0, 5.0, seed=(0, 1)))
    assert u.min() >= 2.0 and u.max() < 5.0 and abs(u.mean() - 3.5) < 0.05
    n = B.convert_to_numpy(B.random_normal((20000,), 1.0, 2.0, seed=(0, 1)))
    assert abs(n.mean() - 1.0) < 0.1 and abs(n.std() - 2.0) < 0.1


# ============================================================================ scan, compile

def test_scan():
    xs = np.arange(6, dtype=np.float32).reshape(3, 2)

    def step(carry, x):
        new = B.add(carry, x)
        return new, B.multiply(new, 2.0)

    carry, ys = B.scan(step, B.zeros((2,)), xs)
    same(carry, xs.sum(0))
    same(ys, 2 * np.cumsum(xs, axis=0))
    carry, ys = B.scan(step, B.zeros((2,)), xs, reverse=True)
    same(ys, 2 * np.cumsum(xs[::-1], axis=0)[::-1])

    def pair_step(carry, x):
        a, b = carry
        return [B.add(a, x[0]), B.multiply(b, x[1])], [a, b]

    carry, ys = B.scan(pair_step, [0.0, 1.0], [np.ones(3, np.float32), np.full(3, 2.0, np.float32)])
    same(carry, [np.float32(3.0), np.float32(8.0)])
    same(ys, [np.array([0.0, 1.0, 2.0], np.float32), np.array([1.0, 2.0, 4.0], np.float32)])
    count, ys = B.scan(lambda c, _: (B.add(c, 1), None), 0, length=4)
    same(count, np.int32(4))
    assert ys is None


def test_compile():
    def fn(x):
        return B.multiply(x, 2.0)

    assert B.compile(fn, []) is fn
    assert B.compile(fn, [], jit_compile=False) is fn


# ============================================================================ autodiff

GRADIENT_CASES = {
    "tanh-weighted": (lambda v: B.sum(B.multiply(B.tanh(v[0]), v[1])),
                      lambda v: np.sum(np.tanh(v[0]) * v[1]), [(3, 4), (4,)]),
    "matmul-softmax-ce": (
        lambda v: B.mean(B.categorical_crossentropy(
            np.eye(3)[[0, 2]], B.matmul(v[0], v[1]), from_logits=True)),
        lambda v: np.mean(-(np.eye(3)[[0, 2]] * np_log_softmax(v[0] @ v[1])).sum(-1)),
        [(2, 4), (4, 3)]),
    "conv2d-same-stride": (
        lambda v: B.sum(B.square(B.conv(v[0], v[1], 2, "same"))),
        lambda v: np.sum(np_conv(v[0], v[1], (2, 2), "same", (1, 1)) ** 2),
        [(1, 5, 5, 2), (3, 3, 2, 2)]),
    "getitem-pad-logsumexp": (
        lambda v: B.logsumexp(B.pad(B.getitem(v[0], (slice(None, None, -1), 0)), (1, 2),
                                    mode="symmetric")),
        lambda v: np.log(np.sum(np.exp(np.pad(v[0][::-1, 0], (1, 2), mode="symmetric")))),
        [(4, 3)]),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_value_and_grad_matches_finite_differences(name):
    body, reference, shapes = GRADIENT_CASES[name]
    values = [rng.normal(size=s) for s in shapes]  # float64, for accurate finite differences
    loss, grads = B.value_and_grad(body)(values)
    np.testing.assert_allclose(float(B.convert_to_numpy(loss)), reference(values), rtol=1e-6)
    for got, want in zip(grads, finite_difference(reference, values)):
        assert B.shape(got) == want.shape
        np.testing.assert_allclose(B.convert_to_numpy(got), want, rtol=1e-4, atol=1e-6)


def test_value_and_grad_conventions():
    def fn(v):
        a, b, _ = v
        loss = B.sum(B.maximum(a, b)) + B.max(a) + B.sum(B.abs(a))
        return loss, {"aux": [B.multiply(a, 2.0)], "n": 1}

    a = np.array([1.0, 3.0, 3.0, 0.0])
    (loss, aux), grads = B.value_and_grad(fn, has_aux=True)([a, np.array([1.0, 0.0, 5.0, 0.0]),
                                                              np.ones(2, np.float32)])
    assert not loss.requires_grad and not aux["aux"][0].requires_grad and aux["n"] == 1
    # maximum: ties to x1; max: ties share equally; abs: sign (0 at 0).
    np.testing.assert_allclose(B.convert_to_numpy(grads[0]), [1 + 0 + 1, 1 + 0.5 + 1, 0.5 + 1,
                                                              1 + 0 + 0])
    np.testing.assert_allclose(B.convert_to_numpy(grads[1]), [0, 0, 1, 0])
    same(grads[2], np.zeros(2, np.float32))
    _, const_grads = B.value_and_grad(lambda v: B.sum(B.ones(2)))([a])
    same(const_grads[0], np.zeros(4))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        B.value_and_grad(lambda v: B.multiply(v[0], 2.0))([a])
    with pytest.raises(TypeError, match="int32"):
        B.value_and_grad(lambda v: B.sum(v[0]))([np.arange(3, dtype=np.int32)])
