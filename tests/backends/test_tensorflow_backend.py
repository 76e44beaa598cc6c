"""TensorFlow backend: every contract function vs a plain-numpy reference (values, shapes, dtype
names), gradients vs central finite differences (float64), and ``compile`` with a tf.Variable."""

import math

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from mini_keras import backends, config
from mini_keras.backends import contract

tfb = backends.get("tensorflow")
RNG = np.random.default_rng(7)
EPS = config.epsilon()


def randn(*shape, dtype="float32"):
    return RNG.standard_normal(shape).astype(dtype)


def check(ours, reference, dtype=None, atol=1e-5, rtol=1e-5):
    """Same shape, (optionally) same dtype name, close values."""
    assert tfb.is_tensor(ours), type(ours)
    got = tfb.convert_to_numpy(ours)
    reference = np.asarray(reference)
    assert got.shape == reference.shape, (got.shape, reference.shape)
    if dtype is not None:
        assert tfb.dtype(ours) == dtype
    np.testing.assert_allclose(got, reference, atol=atol, rtol=rtol)


def check_grad(fn, *arrays, wrt=None, eps=1e-6, atol=1e-6, rtol=1e-5):
    """value_and_grad of ``sum(fn(*arrays) * cotangent)`` vs central differences, in float64."""
    arrays = [np.asarray(a, np.float64) for a in arrays]
    wrt = list(range(len(arrays))) if wrt is None else list(wrt)
    cotangent = RNG.standard_normal(np.shape(tfb.convert_to_numpy(fn(*arrays))))

    def loss(values):
        args = list(arrays)
        for i, v in zip(wrt, values):
            args[i] = v
        return tfb.sum(tfb.multiply(fn(*args), cotangent))

    _, grads = tfb.value_and_grad(loss)([arrays[i] for i in wrt])
    for i, analytic in zip(wrt, grads):
        numeric = np.zeros_like(arrays[i])
        for idx in np.ndindex(arrays[i].shape):
            plus, minus = [a.copy() for a in arrays], [a.copy() for a in arrays]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (float(tfb.convert_to_numpy(loss([plus[j] for j in wrt])))
                            - float(tfb.convert_to_numpy(loss([minus[j] for j in wrt])))) / (2 * eps)
        np.testing.assert_allclose(tfb.convert_to_numpy(analytic), numeric, atol=atol, rtol=rtol)


# ---------------------------------------------------------------------------- tensors & dtypes

def test_exports_every_contract_function():
    names = list(contract.functions())
    assert all(callable(getattr(tfb, n)) for n in names)
    assert tfb.shape(np.zeros((2, 3))) == (2, 3)  # `shape` is the function, not the submodule


def test_device_and_conversion():
    assert tfb.device() in ("cpu", "gpu:0")
    assert tfb.dtype(tfb.convert_to_tensor(1.5)) == "float32"
    assert tfb.dtype(tfb.convert_to_tensor([1.0, 2.0])) == "float32"
    assert tfb.dtype(tfb.convert_to_tensor([[1, 2], [3, 4.5]])) == "float32"
    assert tfb.dtype(tfb.convert_to_tensor(3)) == "int32"
    assert tfb.dtype(tfb.convert_to_tensor(True)) == "bool"
    assert tfb.dtype(tfb.convert_to_tensor(np.zeros(2, np.float64))) == "float64"
    assert tfb.dtype(tfb.convert_to_tensor(np.zeros(2, np.int64))) == "int64"
    assert tfb.dtype(tfb.convert_to_tensor(1.7, "int32")) == "int32"
    assert tfb.dtype(tfb.convert_to_tensor(np.ones(2), "bfloat16")) == "bfloat16"
    x = tfb.convert_to_tensor(np.arange(6).reshape(2, 3))
    assert tfb.is_tensor(x) and not tfb.is_tensor(np.zeros(2))
    assert tfb.shape(x) == (2, 3)
    assert isinstance(tfb.convert_to_numpy(x), np.ndarray)
    check(tfb.cast(x, "float16"), np.arange(6).reshape(2, 3), "float16")
    check(tfb.stop_gradient(x), np.arange(6).reshape(2, 3), "int64")


def test_variables():
    handle = tfb.variable_create(np.ones((2, 2)), "float32", trainable=True)
    assert type(handle).__name__.endswith("Variable") and handle.trainable
    read = tfb.variable_read(handle)
    check(tfb.add(read, 1), np.full((2, 2), 2.0), "float32")  # ops accept the tf.Variable
    assert tfb.variable_assign(handle, np.zeros((2, 2), np.float32)) is handle
    check(tfb.convert_to_tensor(handle), np.zeros((2, 2)), "float32")
    assert tfb.shape(handle) == (2, 2) and tfb.dtype(handle) == "float32"
    assert not tfb.variable_create(np.int64(3), "int32", trainable=False).trainable


def test_promotion_rules():
    f32 = tfb.convert_to_tensor(np.ones(3, np.float32))
    i32 = tfb.convert_to_tensor(np.ones(3, np.int32))
    assert tfb.dtype(tfb.multiply(f32, 0.5)) == "float32"
    assert tfb.dtype(tfb.add(2.0, f32)) == "float32"
    assert tfb.dtype(tfb.multiply(f32, np.float64(0.5))) == "float32"  # np.float64 is a float
    assert tfb.dtype(tfb.add(i32, f32)) == "float32"
    assert tfb.dtype(tfb.add(i32, 1)) == "int32"
    assert tfb.dtype(tfb.add(i32, 1.5)) == "float32"
    assert tfb.dtype(tfb.divide(i32, i32)) == "float32"
    assert tfb.dtype(tfb.add(f32, np.ones(3, np.float64))) == "float64"
    assert tfb.dtype(tfb.add(np.ones(2, np.uint8), np.ones(2, np.int8))) == "int16"
    assert tfb.dtype(tfb.add(np.ones(2, bool), 1)) == "int32"
    assert tfb.dtype(tfb.where(np.array([True, False]), i32[:2], 0.5)) == "float32"
    assert tfb.dtype(tfb.mean(i32)) == "float32"
    assert tfb.dtype(tfb.sum(np.array([True, True]))) == "int32"
    check(tfb.concatenate([i32, f32]), np.ones(6), "float32")


# ---------------------------------------------------------------------------- creation & random

def test_creation():
    check(tfb.zeros((2, 3)), np.zeros((2, 3)), "float32")
    check(tfb.ones(4, "int32"), np.ones(4), "int32")
    check(tfb.full((2,), 7), np.full(2, 7.0), "float32")
    check(tfb.full((2, 2), 3, "int32"), np.full((2, 2), 3), "int32")
    check(tfb.arange(5), np.arange(5), "int32")
    check(tfb.arange(1, 10, 3), np.arange(1, 10, 3), "int32")
    check(tfb.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25), "float32")
    check(tfb.arange(5, 0, -2), np.arange(5, 0, -2), "int32")
    check(tfb.arange(3, dtype="float64"), np.arange(3.0), "float64")
    check(tfb.eye(3), np.eye(3), "float32")
    check(tfb.eye(3, 4, k=1, dtype="int32"), np.eye(3, 4, k=1), "int32")
    check(tfb.eye(4, 2, k=-1), np.eye(4, 2, k=-1))


def test_random():
    a = tfb.random_uniform((3, 4), seed=(1, 2))
    b = tfb.random_uniform((3, 4), seed=np.array([1, 2]))
    c = tfb.random_uniform((3, 4), seed=(1, 3))
    assert tfb.dtype(a) == "float32" and tfb.shape(a) == (3, 4)
    check(a, tfb.convert_to_numpy(b))
    assert not np.allclose(tfb.convert_to_numpy(a), tfb.convert_to_numpy(c))
    u = tfb.convert_to_numpy(tfb.random_uniform((2000,), 2.0, 5.0, "float64", seed=(0, 0)))
    assert u.dtype == np.float64 and u.min() >= 2.0 and u.max() < 5.0
    n = tfb.convert_to_numpy(tfb.random_normal((4000,), 1.0, 2.0, seed=(5, 0)))
    assert abs(n.mean() - 1.0) < 0.15 and abs(n.std() - 2.0) < 0.15
    assert tfb.shape(tfb.random_normal((2, 2))) == (2, 2)  # unseeded
    seeded = tfb.compile(lambda s: tfb.random_normal((3,), seed=s), [], jit_compile=False)
    eager = tfb.convert_to_numpy(tfb.random_normal((3,), seed=(5, 0)))
    seed = tfb.convert_to_tensor(np.array([5, 0], np.int32))
    check(seeded(seed), eager)
    # XLA draws another (but just as reproducible) Philox stream for the same seed.
    xla = tfb.compile(lambda s: tfb.random_normal((3,), seed=s), [], jit_compile=True)
    check(xla(seed), tfb.convert_to_numpy(xla(seed)))


# ---------------------------------------------------------------------------- elementwise

X = randn(2, 3, 4)
Y = randn(2, 3, 4)
POS = np.abs(X) + 0.5
erf = np.vectorize(math.erf)

UNARY = [
    ("negative", X, np.negative), ("abs", X, np.abs), ("sign", X, np.sign), ("exp", X, np.exp),
    ("log", POS, np.log), ("log1p", POS, np.log1p), ("expm1", X, np.expm1),
    ("sqrt", POS, np.sqrt), ("square", X, np.square), ("sin", X, np.sin), ("cos", X, np.cos),
    ("tanh", X, np.tanh), ("floor", 3 * X, np.floor), ("ceil", 3 * X, np.ceil),
    ("round", np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.4], np.float32), np.round),
    ("erf", X, erf),
    ("relu", X, lambda a: np.maximum(a, 0)),
    ("sigmoid", X, lambda a: 1 / (1 + np.exp(-a))),
    ("softplus", X, lambda a: np.log1p(np.exp(a))),
    ("softsign", X, lambda a: a / (1 + np.abs(a))),
    ("silu", X, lambda a: a / (1 + np.exp(-a))),
    ("gelu", X, lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a**3)))),
    ("selu", X, lambda a: 1.0507009873554805 * np.where(a > 0, a, 1.6732632423543772
                                                         * np.expm1(a))),
]


@pytest.mark.parametrize("name,x,reference", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, x, reference):
    check(getattr(tfb, name)(x), reference(x.astype(np.float64)), "float32")


def test_parametrized_activations():
    check(tfb.gelu(X, approximate=False), 0.5 * X * (1 + erf(X / np.sqrt(2))))
    check(tfb.elu(X), np.where(X > 0, X, np.expm1(X)))
    check(tfb.elu(X, alpha=0.5), np.where(X > 0, X, 0.5 * np.expm1(X)))
    check(tfb.leaky_relu(X), np.where(X > 0, X, 0.2 * X))
    check(tfb.leaky_relu(X, negative_slope=0.1), np.where(X > 0, X, 0.1 * X))
    e = np.exp(X - X.max(-1, keepdims=True))
    check(tfb.softmax(X), e / e.sum(-1, keepdims=True))
    check(tfb.log_softmax(X, axis=1), X - np.log(np.exp(X).sum(1, keepdims=True)))
    check(tfb.softmax(X, axis=(1, 2)), np.exp(X) / np.exp(X).sum((1, 2), keepdims=True))


BINARY = [
    ("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply),
    ("divide", np.divide), ("maximum", np.maximum), ("minimum", np.minimum),
]


@pytest.mark.parametrize("name,reference", BINARY, ids=[b[0] for b in BINARY])
def test_binary_broadcasting(name, reference):
    y = Y[:, :1, :]
    check(getattr(tfb, name)(X, y), reference(X, y), "float32")
    check(getattr(tfb, name)(X, 2.0), reference(X, np.float32(2.0)), "float32")


def test_power_where_clip():
    check(tfb.power(POS, Y), POS.astype(np.float64) ** Y, "float32", rtol=1e-4)
    check(tfb.power(np.array([2, 3], np.int32), 2), np.array([4, 9]), "int32")
    check(tfb.where(X > 0, X, Y), np.where(X > 0, X, Y), "float32")
    check(tfb.where(X > 0, X, 0.0), np.where(X > 0, X, 0.0), "float32")
    check(tfb.clip(X, -0.5, 0.5), np.clip(X, -0.5, 0.5), "float32")
    check(tfb.clip(np.arange(6), 1, 3), np.clip(np.arange(6), 1, 3), "int64")


@pytest.mark.parametrize("name", ["equal", "not_equal", "greater", "greater_equal", "less",
                                  "less_equal"])
def test_comparisons(name):
    a = np.array([1.0, 2.0, 3.0], np.float32)
    b = np.array([3, 2, 1], np.int32)
    check(getattr(tfb, name)(a, b), getattr(np, name)(a, b), "bool")
    check(getattr(tfb, name)(a, 2.0), getattr(np, name)(a, 2.0), "bool")


def test_logic():
    a, b = np.array([True, True, False]), np.array([True, False, False])
    check(tfb.logical_and(a, b), a & b, "bool")
    check(tfb.logical_or(a, b), a | b, "bool")
    check(tfb.logical_not(a), ~a, "bool")
    check(tfb.logical_and(np.array([1.0, 0.0]), 1), np.array([True, False]), "bool")


# ---------------------------------------------------------------------------- reductions

AXES = [None, 0, -1, (0, 2)]
REDUCTIONS = [("sum", np.sum), ("mean", np.mean), ("max", np.max), ("min", np.min),
              ("prod", np.prod), ("var", np.var), ("any", np.any), ("all", np.all)]


@pytest.mark.parametrize("name,reference", REDUCTIONS, ids=[r[0] for r in REDUCTIONS])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions(name, reference, axis, keepdims):
    x = X > 0 if name in ("any", "all") else X
    check(getattr(tfb, name)(x, axis=axis, keepdims=keepdims),
          reference(x, axis=axis, keepdims=keepdims), "bool" if x.dtype == bool else "float32")


def test_logsumexp_cumsum():
    check(tfb.logsumexp(X, axis=1), np.log(np.exp(X.astype(np.float64)).sum(1)))
    check(tfb.logsumexp(X * 100, axis=None, keepdims=True),
          np.max(X * 100) + np.log(np.exp(X * 100 - np.max(X * 100)).sum(keepdims=True)),
          rtol=1e-4)
    check(tfb.cumsum(X, axis=1), np.cumsum(X, axis=1), "float32")
    check(tfb.cumsum(X), np.cumsum(X), "float32")
    check(tfb.cumsum(np.arange(4, dtype=np.int32)), np.cumsum(np.arange(4)), "int32")


def test_argmax_argmin_first_on_ties():
    x = np.array([[1, 3, 3, 0], [2, 2, 0, 0], [5, 1, 5, 1]], np.float32)
    for name in ("argmax", "argmin"):
        for axis in (None, 0, 1, -1):
            check(getattr(tfb, name)(x, axis=axis), getattr(np, name)(x, axis=axis), "int32")
        check(getattr(tfb, name)(x, axis=1, keepdims=True),
              getattr(np, name)(x, axis=1, keepdims=True), "int32")
    check(tfb.argmax(X, axis=1), np.argmax(X, axis=1), "int32")


# ---------------------------------------------------------------------------- shapes & indexing

def test_shape_ops():
    check(tfb.reshape(X, (4, -1)), X.reshape(4, -1), "float32")
    check(tfb.transpose(X), X.T)
    check(tfb.transpose(X, (1, 0, 2)), X.transpose(1, 0, 2))
    check(tfb.expand_dims(X, 1), np.expand_dims(X, 1))
    check(tfb.expand_dims(X, -1), np.expand_dims(X, -1))
    check(tfb.expand_dims(X, (0, -1)), np.expand_dims(X, (0, -1)))
    z = X[:, :1, None]
    check(tfb.squeeze(z), np.squeeze(z))
    check(tfb.squeeze(z, axis=1), np.squeeze(z, axis=1))
    check(tfb.concatenate([X, Y], axis=-1), np.concatenate([X, Y], axis=-1))
    check(tfb.stack([X, Y], axis=1), np.stack([X, Y], axis=1))
    check(tfb.broadcast_to(X[:, :1], (2, 3, 4)), np.broadcast_to(X[:, :1], (2, 3, 4)))
    for reps in (2, (2, 1, 3), (2, 2, 1, 1)):
        check(tfb.tile(X, reps), np.tile(X, reps))
    check(tfb.repeat(X, 2, axis=1), np.repeat(X, 2, axis=1))
    check(tfb.repeat(X, 2), np.repeat(X, 2))
    check(tfb.flip(X), np.flip(X))
    check(tfb.flip(X, axis=1), np.flip(X, axis=1))
    check(tfb.flip(X, axis=(0, 2)), np.flip(X, axis=(0, 2)))


def test_split():
    x = np.arange(24).reshape(4, 6)
    for arg, axis in [(2, 0), (3, 1), ([1, 3], 1), ([2], 0), ([0, 5, 10], 1), ([-2], 1)]:
        ours, ref = tfb.split(x, arg, axis=axis), np.split(x, arg, axis=axis)
        assert len(ours) == len(ref)
        for a, b in zip(ours, ref):
            check(a, b, "int64")
    with pytest.raises(ValueError, match="equal sections"):
        tfb.split(x, 4, axis=1)


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric"])
def test_pad(mode):
    width = ((1, 1), (0, 2), (3, 1))
    check(tfb.pad(X, width, mode=mode), np.pad(X, width, mode=mode), "float32")
    if mode != "constant":
        with pytest.raises(ValueError, match="pads of at most"):
            tfb.pad(X, ((3, 0), (0, 0), (0, 0)), mode=mode)
    check(tfb.pad(X, 1, mode=mode), np.pad(X, 1, mode=mode))
    if mode == "constant":
        check(tfb.pad(X, (1, 0), constant_values=3.0), np.pad(X, (1, 0), constant_values=3.0))


def test_take_and_take_along_axis():
    check(tfb.take(X, [2, 0, -1]), np.take(X, [2, 0, -1]), "float32")
    check(tfb.take(X, np.array([[0, 1], [2, 2]]), axis=1), np.take(X, [[0, 1], [2, 2]], axis=1))
    check(tfb.take(X, [-1, 0], axis=-1), np.take(X, [-1, 0], axis=-1))
    idx = RNG.integers(0, 3, (2, 3, 4))
    for axis in (0, 1, 2, -1):
        i = RNG.integers(-X.shape[axis], X.shape[axis], X.shape)
        check(tfb.take_along_axis(X, i, axis=axis), np.take_along_axis(X, i, axis=axis))
    check(tfb.take_along_axis(X, np.argsort(X, axis=1), axis=1), np.sort(X, axis=1))
    check(tfb.take_along_axis(X, idx[:, :2, :1], axis=1),  # broadcasting the other axes
          np.take_along_axis(X, idx[:, :2, :1], axis=1))
    flat = np.array([5, 0, 23])
    check(tfb.take_along_axis(X, flat, axis=None), np.take_along_axis(X, flat, axis=None))


GETITEM_KEYS = [
    1, -1, slice(None, None, 2), (slice(None), 1), (None, Ellipsis, 0), (1, slice(1, 3), None),
    [1, 0], (slice(None), [2, 0]), (Ellipsis, [1, 0, 3]), (0, slice(None), [1, 2]),
    (slice(None), 1, [0, 3]), ([1, 0], slice(None), 2), (Ellipsis, np.array([[0, 1], [2, 3]])),
    X > 0, (X[:, :, 0] > 0,), (slice(None), X[0] > 0), (slice(None), X[0, :, 0] > 0, 1),
]


@pytest.mark.parametrize("key", GETITEM_KEYS, ids=range(len(GETITEM_KEYS)))
def test_getitem(key):
    check(tfb.getitem(X, key), X[key], "float32")


def test_getitem_two_arrays_raise():
    with pytest.raises(NotImplementedError, match="one integer/bool index array"):
        tfb.getitem(X, ([0, 1], [1, 2]))


def test_one_hot_sort_scatter():
    labels = np.array([[0, 2], [1, 3]])
    check(tfb.one_hot(labels, 4), np.eye(4)[labels], "float32")
    check(tfb.one_hot(labels, 4, axis=0, dtype="int32"), np.moveaxis(np.eye(4)[labels], -1, 0),
          "int32")
    ties = np.array([[3, 1, 3, 1, 2], [0, 0, 0, 1, 0]], np.float32)
    for axis in (0, 1, -1):
        check(tfb.sort(ties, axis=axis), np.sort(ties, axis=axis), "float32")
        check(tfb.argsort(ties, axis=axis), np.argsort(ties, axis=axis, stable=True), "int32")
    base = np.zeros((3, 4), np.float32)
    idx = np.array([[0, 1], [2, 3], [0, 1]])
    upd = np.array([1.0, 2.0, 3.0], np.float32)
    expected = base.copy()
    np.add.at(expected, tuple(idx.T), upd)
    check(tfb.scatter_add(base, idx, upd), expected, "float32")
    rows = np.array([[1], [1]])
    row_upd = np.ones((2, 4), np.float32)
    check(tfb.scatter_add(base, rows, row_upd), np.array([[0] * 4, [2] * 4, [0] * 4]))


# ---------------------------------------------------------------------------- linear algebra

@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)),
                                    ((2, 3, 4), (4,)), ((4,), (4,)), ((2, 1, 3, 4), (5, 4, 2))])
def test_matmul(shapes):
    a, b = randn(*shapes[0]), randn(*shapes[1])
    check(tfb.matmul(a, b), np.matmul(a, b), "float32")


def test_matmul_ints_and_einsum():
    a, b = np.arange(6, dtype=np.int32).reshape(2, 3), np.arange(6, dtype=np.int32).reshape(3, 2)
    check(tfb.matmul(a, b), a @ b, "int32")
    check(tfb.einsum("ij,jk->ik", X[0], Y[0].T), X[0] @ Y[0].T, "float32")
    check(tfb.einsum("bij->bji", X), X.transpose(0, 2, 1))
    check(tfb.einsum("bij,bij->b", X, Y), np.einsum("bij,bij->b", X, Y))


# ---------------------------------------------------------------------------- cross-entropies

def _np_softmax(z, axis=-1):
    e = np.exp(z - z.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def test_categorical_crossentropy():
    logits = randn(4, 5).astype(np.float64)
    target = _np_softmax(randn(4, 5).astype(np.float64))
    check(tfb.categorical_crossentropy(target, logits, from_logits=True),
          -(target * np.log(_np_softmax(logits))).sum(-1))
    probs = np.abs(randn(4, 5)) + 0.0
    probs[0, 0] = 0.0  # clipped to epsilon
    p = np.clip(probs / probs.sum(-1, keepdims=True), EPS, 1 - EPS)
    check(tfb.categorical_crossentropy(target, probs), -(target * np.log(p)).sum(-1),
          rtol=1e-4)
    check(tfb.categorical_crossentropy(target.T, probs.T, axis=0), -(target * np.log(p)).sum(-1),
          rtol=1e-4)
    with pytest.raises(ValueError, match="same shape"):
        tfb.categorical_crossentropy(target[:, :3], probs)


def test_sparse_categorical_crossentropy():
    logits = randn(4, 5).astype(np.float64)
    labels = np.array([0, 4, 2, 2])
    log_p = np.log(_np_softmax(logits))
    expected = -log_p[np.arange(4), labels]
    check(tfb.sparse_categorical_crossentropy(labels, logits, from_logits=True), expected)
    check(tfb.sparse_categorical_crossentropy(labels[:, None], logits, from_logits=True),
          expected)
    check(tfb.sparse_categorical_crossentropy(labels.astype(np.float32), logits,
                                              from_logits=True), expected)
    check(tfb.sparse_categorical_crossentropy(labels, logits.T, from_logits=True, axis=0),
          expected)
    probs = np.abs(randn(4, 5)).astype(np.float64)
    probs[1, 4] = 0.0
    p = np.clip(probs / probs.sum(-1, keepdims=True), EPS, 1 - EPS)
    check(tfb.sparse_categorical_crossentropy(labels, probs), -np.log(p[np.arange(4), labels]),
          rtol=1e-4)
    with pytest.raises(ValueError):
        tfb.sparse_categorical_crossentropy(labels[:3], probs)


def test_binary_crossentropy():
    logits = randn(3, 4).astype(np.float64)
    target = (RNG.random((3, 4)) > 0.5).astype(np.float64)
    p = 1 / (1 + np.exp(-logits))
    expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    check(tfb.binary_crossentropy(target, logits, from_logits=True), expected)
    probs = p.copy()
    probs[0, 0], probs[0, 1] = 0.0, 1.0
    c = np.clip(probs, EPS, 1 - EPS)
    check(tfb.binary_crossentropy(target, probs),
          -(target * np.log(c) + (1 - target) * np.log(1 - c)), rtol=1e-4)


# ---------------------------------------------------------------------------- conv & pooling references

def _tup(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def _same_pads(sizes, kernel, strides, dilation):
    pads = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def np_conv(x, k, strides=1, padding="valid", dilation=1):
    """Channels-last N-D grouped convolution, written as loops over output positions."""
    n = x.ndim - 2
    strides, dilation = _tup(strides, n), _tup(dilation, n)
    ks = k.shape[:n]
    if padding == "same":
        x = np.pad(x, [(0, 0)] + _same_pads(x.shape[1:-1], ks, strides, dilation) + [(0, 0)])
    k_eff = [(kk - 1) * d + 1 for kk, d in zip(ks, dilation)]
    out_sizes = [(size - ke) // s + 1 for size, ke, s in zip(x.shape[1:-1], k_eff, strides)]
    k_in, c_out = k.shape[-2], k.shape[-1]
    groups = x.shape[-1] // k_in
    per_group = c_out // groups
    out = np.zeros((x.shape[0], *out_sizes, c_out))
    for pos in np.ndindex(*out_sizes):
        window = tuple(slice(p * s, p * s + ke, d)
                       for p, s, ke, d in zip(pos, strides, k_eff, dilation))
        for g in range(groups):
            patch = x[(slice(None),) + window + (slice(g * k_in, (g + 1) * k_in),)]
            kg = k[..., g * per_group:(g + 1) * per_group]
            out[(slice(None),) + pos + (slice(g * per_group, (g + 1) * per_group),)] = (
                np.tensordot(patch, kg, axes=(range(1, n + 2), range(n + 1))))
    return out


def np_conv_transpose(x, k, strides=1, padding="valid", output_padding=None, dilation=1):
    """Channels-last transposed convolution (kernel spatial + (out, in)), Keras output sizes."""
    n = x.ndim - 2
    strides, dilation = _tup(strides, n), _tup(dilation, n)
    ks = k.shape[:n]
    k_eff = [(kk - 1) * d + 1 for kk, d in zip(ks, dilation)]
    sizes = x.shape[1:-1]
    full = np.zeros((x.shape[0], *[(i - 1) * s + ke for i, s, ke in zip(sizes, strides, k_eff)],
                     k.shape[-2]))
    for pos in np.ndindex(*sizes):
        for tap in np.ndindex(*ks):
            at = tuple(p * s + t * d for p, s, t, d in zip(pos, strides, tap, dilation))
            full[(slice(None),) + at] += x[(slice(None),) + pos] @ k[tap].T
    ops = [None] * n if output_padding is None else _tup(output_padding, n)
    out = full
    for axis, (i, s, ke, op) in enumerate(zip(sizes, strides, k_eff, ops)):
        if op is None:  # Keras' deconv_output_length
            length = i * s + max(ke - s, 0) if padding == "valid" else i * s
        else:
            length = (i - 1) * s + ke - 2 * (ke // 2 if padding == "same" else 0) + op
        before = 0
        if padding == "same":  # placement of Keras' JAX backend (TF's own, where TF allows it)
            pad_len = s + ke - 2 if op is None else ke + ke % 2 - 2 + op
            before = ke - 1 - min((pad_len + 1) // 2, ke - 1)
        extra = max(length + before - out.shape[axis + 1], 0)
        out = np.pad(out, [(0, 0)] * (axis + 1) + [(0, extra)] + [(0, 0)] * (n - axis))
        out = np.take(out, range(before, before + length), axis=axis + 1)
    return out


def np_pool(x, pool, strides, padding, kind):
    n = x.ndim - 2
    pool = _tup(pool, n)
    strides = pool if strides is None else _tup(strides, n)
    fill = -np.inf if kind == "max" else np.nan
    if padding == "same":
        x = np.pad(x, [(0, 0)] + _same_pads(x.shape[1:-1], pool, strides, (1,) * n) + [(0, 0)],
                   constant_values=fill)
    out_sizes = [(size - p) // s + 1 for size, p, s in zip(x.shape[1:-1], pool, strides)]
    out = np.zeros((x.shape[0], *out_sizes, x.shape[-1]))
    for pos in np.ndindex(*out_sizes):
        window = x[(slice(None),) + tuple(slice(q * s, q * s + p)
                                          for q, s, p in zip(pos, strides, pool))]
        axes = tuple(range(1, n + 1))
        out[(slice(None),) + pos] = (window.max(axes) if kind == "max"
                                     else np.nanmean(window, axes))
    return out


def _first(x):
    return np.moveaxis(x, -1, 1)


CONV_CASES = [  # (input shape, kernel shape, strides, padding, dilation)
    ((2, 9, 3), (3, 3, 4), 1, "valid", 1),
    ((2, 9, 3), (3, 3, 4), 2, "same", 1),
    ((2, 10, 3), (3, 3, 2), 1, "same", 2),
    ((2, 11, 3), (3, 3, 2), 2, "same", 2),  # stride + dilation (TF refuses; we subsample)
    ((1, 7, 6, 4), (3, 2, 4, 5), (2, 1), "same", 1),
    ((1, 7, 6, 4), (3, 3, 4, 3), 1, "valid", (2, 1)),
    ((1, 8, 8, 4), (3, 3, 2, 6), 2, "same", 1),  # 2 groups
    ((1, 8, 7, 4), (2, 3, 1, 4), 1, "valid", 1),  # depthwise-like groups
]


@pytest.mark.parametrize("case", CONV_CASES, ids=range(len(CONV_CASES)))
def test_conv(case):
    xs, kshape, strides, padding, dilation = case
    x, k = randn(*xs), randn(*kshape)
    expected = np_conv(x.astype(np.float64), k, strides, padding, dilation)
    check(tfb.conv(x, k, strides, padding, dilation_rate=dilation), expected, "float32",
          atol=1e-4)
    check(tfb.conv(_first(x), k, strides, padding, "channels_first", dilation),
          _first(expected), atol=1e-4)


DEPTHWISE_CASES = [
    ((2, 9, 3), (3, 3, 2), 1, "valid", 1),
    ((2, 9, 3), (3, 3, 1), 2, "same", 1),
    ((1, 7, 6, 3), (3, 3, 3, 2), 1, "same", 1),
    ((1, 7, 6, 3), (3, 3, 3, 1), (2, 1), "valid", 1),
    ((1, 9, 9, 2), (3, 3, 2, 2), 2, "same", 2),
]


@pytest.mark.parametrize("case", DEPTHWISE_CASES, ids=range(len(DEPTHWISE_CASES)))
def test_depthwise_conv(case):
    xs, kshape, strides, padding, dilation = case
    x, k = randn(*xs), randn(*kshape)
    grouped = k.reshape(*kshape[:-2], 1, kshape[-2] * kshape[-1])
    expected = np_conv(x.astype(np.float64), grouped, strides, padding, dilation)
    check(tfb.depthwise_conv(x, k, strides, padding, dilation_rate=dilation), expected,
          "float32", atol=1e-4)
    check(tfb.depthwise_conv(_first(x), k, strides, padding, "channels_first", dilation),
          _first(expected), atol=1e-4)


CONV_T_CASES = [  # (input shape, kernel shape, strides, padding, output_padding, dilation)
    ((2, 5, 3), (3, 4, 3), 1, "valid", None, 1),
    ((2, 5, 3), (3, 4, 3), 2, "valid", None, 1),
    ((2, 5, 3), (3, 4, 3), 2, "same", None, 1),
    ((2, 5, 3), (2, 4, 3), 3, "valid", None, 1),  # kernel smaller than stride
    ((2, 5, 3), (3, 2, 3), 2, "same", 1, 1),
    ((2, 5, 3), (3, 2, 3), 2, "valid", 1, 1),
    ((2, 5, 3), (2, 2, 3), 2, "same", 0, 1),  # even kernel, output_padding 0: TF SAME refuses
    ((2, 5, 3), (4, 2, 3), 1, "same", 0, 1),
    ((2, 5, 3), (3, 2, 3), 1, "same", None, 2),  # dilation (CPU TF lacks it; kernel dilated)
    ((1, 4, 3, 2), (3, 3, 5, 2), (2, 1), "same", None, 1),
    ((1, 4, 3, 2), (2, 3, 3, 2), 2, "valid", (1, 0), 1),
]


@pytest.mark.parametrize("case", CONV_T_CASES, ids=range(len(CONV_T_CASES)))
def test_conv_transpose(case):
    xs, kshape, strides, padding, output_padding, dilation = case
    x, k = randn(*xs), randn(*kshape)
    expected = np_conv_transpose(x.astype(np.float64), k, strides, padding, output_padding,
                                 dilation)
    check(tfb.conv_transpose(x, k, strides, padding, output_padding, dilation_rate=dilation),
          expected, "float32", atol=1e-4)
    check(tfb.conv_transpose(_first(x), k, strides, padding, output_padding, "channels_first",
                             dilation), _first(expected), atol=1e-4)


POOL_CASES = [((2, 9, 3), 2, None, "valid"), ((2, 9, 3), 3, 2, "same"),
              ((1, 7, 6, 2), (2, 3), (1, 2), "valid"), ((1, 7, 6, 2), 3, 2, "same"),
              ((1, 5, 5, 1), 2, 1, "same")]


@pytest.mark.parametrize("case", POOL_CASES, ids=range(len(POOL_CASES)))
@pytest.mark.parametrize("kind", ["max", "average"])
def test_pools(case, kind):
    xs, pool, strides, padding = case
    x = randn(*xs)
    fn = getattr(tfb, f"{kind}_pool")
    expected = np_pool(x.astype(np.float64), pool, strides, padding, kind)
    check(fn(x, pool, strides, padding), expected, "float32")
    check(fn(_first(x), pool, strides, padding, "channels_first"), _first(expected))


# ---------------------------------------------------------------------------- gradients

GRADIENT_CASES = {
    "multiply": (tfb.multiply, [randn(2, 3), randn(3)]),
    "divide": (tfb.divide, [randn(2, 3), np.abs(randn(2, 3)) + 1]),
    "power": (tfb.power, [np.abs(randn(2, 3)) + 0.5, randn(2, 3)]),
    "tanh": (tfb.tanh, [randn(3, 2)]),
    "abs": (tfb.abs, [randn(3, 2)]),
    "sqrt": (tfb.sqrt, [np.abs(randn(4)) + 0.5]),
    "erf": (tfb.erf, [randn(4)]),
    "clip": (lambda x: tfb.clip(x, -0.5, 0.5), [randn(3, 3)]),
    "softmax": (lambda x: tfb.softmax(x, axis=0), [randn(3, 4)]),
    "log_softmax": (tfb.log_softmax, [randn(3, 4)]),
    "logsumexp": (lambda x: tfb.logsumexp(x, axis=1), [randn(3, 4)]),
    "var": (lambda x: tfb.var(x, axis=0), [randn(3, 4)]),
    "prod": (lambda x: tfb.prod(x, axis=1), [randn(3, 4)]),
    "cumsum": (lambda x: tfb.cumsum(x, axis=1), [randn(3, 4)]),
    "elu": (lambda x: tfb.elu(x, 0.5), [randn(3, 4)]),
    "gelu": (tfb.gelu, [randn(3, 4)]),
    "selu": (tfb.selu, [randn(3, 4)]),
    "softplus": (tfb.softplus, [randn(3, 4)]),
    "matmul": (tfb.matmul, [randn(2, 3, 4), randn(4, 2)]),
    "einsum": (lambda a, b: tfb.einsum("ij,jk->ik", a, b), [randn(2, 3), randn(3, 2)]),
    "take": (lambda x: tfb.take(x, [2, 0, 2], axis=1), [randn(2, 3)]),
    "take_along_axis": (lambda x: tfb.take_along_axis(x, np.array([[0, 0], [1, 2]]), axis=1),
                        [randn(2, 3)]),
    "getitem": (lambda x: tfb.getitem(x, (slice(None), [2, 0])), [randn(2, 3)]),
    "getitem_mask": (lambda x: tfb.getitem(x, np.array([True, False, True])), [randn(3, 2)]),
    "scatter_add": (lambda x, u: tfb.scatter_add(x, np.array([[0, 1], [0, 1]]), u),
                    [randn(2, 2), randn(2)]),
    "pad_reflect": (lambda x: tfb.pad(x, ((1, 1), (2, 0)), mode="reflect"), [randn(3, 3)]),
    "concatenate": (lambda a, b: tfb.concatenate([a, b], axis=1), [randn(2, 2), randn(2, 1)]),
    "where": (lambda a, b: tfb.where(np.array([True, False]), a, b), [randn(2), randn(2)]),
    "cce": (lambda t, o: tfb.categorical_crossentropy(t, o),
            [np.abs(randn(2, 3)), np.abs(randn(2, 3)) + 0.1]),
    "cce_logits": (lambda o: tfb.categorical_crossentropy(np.eye(3)[[0, 2]], o, True),
                   [randn(2, 3)]),
    "scce": (lambda o: tfb.sparse_categorical_crossentropy(np.array([1, 0]), o),
             [np.abs(randn(2, 3)) + 0.1]),
    "bce_logits": (lambda o: tfb.binary_crossentropy(np.array([0.0, 1.0, 1.0]), o, True),
                   [randn(3)]),
    "conv": (lambda x, k: tfb.conv(x, k, 2, "same"), [randn(1, 5, 5, 2), randn(3, 3, 2, 2)]),
    "conv_groups": (lambda x, k: tfb.conv(x, k), [randn(1, 5, 4), randn(2, 2, 4)]),
    "conv_stride_dilation": (lambda x, k: tfb.conv(x, k, 2, "same", dilation_rate=2),
                             [randn(1, 7, 2), randn(2, 2, 2)]),
    "depthwise_conv": (lambda x, k: tfb.depthwise_conv(x, k, 1, "same"),
                       [randn(1, 4, 4, 2), randn(2, 2, 2, 2)]),
    "conv_transpose": (lambda x, k: tfb.conv_transpose(x, k, 2, "same"),
                       [randn(1, 3, 3, 2), randn(3, 3, 2, 2)]),
    "max_pool": (lambda x: tfb.max_pool(x, 2, 1, "same"), [randn(1, 4, 4, 1)]),
    "average_pool": (lambda x: tfb.average_pool(x, 3, 2, "same"), [randn(1, 5, 5, 1)]),
}


@pytest.mark.parametrize("name", list(GRADIENT_CASES))
def test_gradients_vs_finite_differences(name):
    fn, arrays = GRADIENT_CASES[name]
    check_grad(fn, *arrays, atol=1e-5, rtol=1e-4)


def test_tie_gradients():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 1.0, 4.0])
    _, (ga, gb) = tfb.value_and_grad(lambda v: tfb.sum(tfb.maximum(*v)))([a, b])
    check(ga, [1, 1, 0]), check(gb, [0, 0, 1])
    _, (ga, gb) = tfb.value_and_grad(lambda v: tfb.sum(tfb.minimum(*v)))([a, b])
    check(ga, [1, 0, 1]), check(gb, [0, 1, 0])
    _, (g,) = tfb.value_and_grad(lambda v: tfb.max(v[0]))([np.array([3.0, 1.0, 3.0])])
    check(g, [0.5, 0, 0.5])


def test_value_and_grad_contract():
    def fn(values):
        x, _unused = values
        loss = tfb.sum(tfb.square(x))
        return loss, {"double": tfb.multiply(x, 2.0), "items": [loss]}

    (loss, aux), grads = tfb.value_and_grad(fn, has_aux=True)(
        [np.array([1.0, 2.0], np.float32), np.ones((2, 2), np.float32)])
    check(loss, 5.0, "float32")
    check(aux["double"], [2.0, 4.0])
    check(aux["items"][0], 5.0)
    check(grads[0], [2.0, 4.0], "float32")
    check(grads[1], np.zeros((2, 2)), "float32")  # unconnected input: zeros
    loss, grads = tfb.value_and_grad(lambda v: tfb.sum(v[0]))([tfb.ones((2,))])
    check(loss, 2.0)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        tfb.value_and_grad(lambda v: v[0])([np.ones(2, np.float32)])


# ---------------------------------------------------------------------------- scan

def test_scan_values():
    xs = randn(5, 3)
    carry, ys = tfb.scan(lambda c, x: (tfb.add(c, x), tfb.multiply(c, 2.0)), np.zeros(3), xs)
    check(carry, xs.sum(0))
    check(ys, 2 * np.concatenate([np.zeros((1, 3)), np.cumsum(xs, 0)[:-1]]))
    carry, ys = tfb.scan(lambda c, x: (tfb.add(c, x), c), np.zeros(3, np.float32), xs,
                         reverse=True)
    check(ys, np.cumsum(xs[::-1], 0)[::-1] - xs, "float32")
    # lists for xs, carry and y; xs=None with length
    (a, b), (ya, yb) = tfb.scan(
        lambda c, x: ([tfb.add(c[0], x[0]), tfb.multiply(c[1], x[1])], [c[0], c[1]]),
        [np.float32(0), np.float32(1)], [np.arange(4, dtype=np.float32),
                                         np.arange(1, 5, dtype=np.float32)])
    check(a, 6.0), check(b, 24.0), check(ya, [0, 0, 1, 3]), check(yb, [1, 1, 2, 6])
    count, steps = tfb.scan(lambda c, _: (tfb.add(c, 1), c), tfb.convert_to_tensor(0), None,
                            length=3)
    check(count, 3, "int32"), check(steps, [0, 1, 2], "int32")


def test_scan_gradient_and_compiled():
    def rnn(w, xs):
        return tfb.scan(lambda h, x: (tfb.tanh(tfb.add(tfb.multiply(h, w), x)),) * 2,
                        tfb.zeros((2,), "float64"), xs)[1]

    check_grad(rnn, randn(2), randn(4, 2), atol=1e-5, rtol=1e-4)
    compiled = tfb.compile(lambda w, xs: rnn(w, xs), [])
    w, xs = randn(2).astype(np.float64), randn(4, 2).astype(np.float64)
    check(compiled(w, xs), tfb.convert_to_numpy(rnn(w, xs)))


# ---------------------------------------------------------------------------- compile

def test_compile_updates_tf_variable_counter():
    counter = tfb.variable_create(0, "int32", trainable=False)
    weight = tfb.variable_create(np.ones(2), "float32", trainable=True)

    def step(x):
        tfb.variable_assign(counter, tfb.add(tfb.variable_read(counter), 1))
        tfb.variable_assign(weight, tfb.multiply(tfb.variable_read(weight), x))
        return tfb.sum(tfb.variable_read(weight))

    compiled = tfb.compile(step, [counter, weight])
    for _ in range(3):
        out = compiled(np.full(2, 2.0, np.float32))
    check(counter, 3, "int32")
    check(weight, [8.0, 8.0], "float32")
    check(out, 16.0, "float32")
    assert compiled.experimental_get_tracing_count() == 1
    xla = tfb.compile(lambda x: tfb.multiply(x, 3.0), [], jit_compile=True)
    check(xla(np.ones(2, np.float32)), [3.0, 3.0])
