"""The JAX backend against plain-numpy references: values, shapes and dtype names of every
contract function, a few gradients against finite differences, and ``compile``."""

import math
import pathlib
import re

import numpy as np
import pytest

pytest.importorskip("jax")

from mini_keras import backends, config
from mini_keras.core.variable import Variable

B = backends.get("jax")
OPS_TESTS = pathlib.Path(__file__).parents[1] / "ops"

rng = np.random.default_rng(0)
X = rng.normal(size=(3, 4)).astype("float32")
Y = rng.normal(size=(3, 4)).astype("float32")
POS = rng.uniform(0.5, 2.0, size=(3, 4)).astype("float32")
UNIT = rng.uniform(-0.9, 0.9, size=(3, 4)).astype("float32")
HALF = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.4], "float32")
TIES = np.array([[1, 3, 3, 0], [2, 2, 0, 2], [5, 1, 5, 1]], "float32")
INTS = np.array([[3, -1, 2], [0, 4, -2]], "int64")
MASK = X > 0
A3 = rng.normal(size=(2, 3, 4)).astype("float32")
erf = np.vectorize(math.erf, otypes=["float32"])


def expected_dtype(array) -> str:
    """JAX keeps x64 disabled: numpy's 64-bit results are 32-bit here."""
    name = str(np.asarray(array).dtype)
    return {"float64": "float32", "int64": "int32"}.get(name, name)


def check(out, expected, atol=1e-5, rtol=1e-5):
    """Compare a backend result with a numpy reference: shape, dtype name and values."""
    if isinstance(expected, list):
        assert isinstance(out, list) and len(out) == len(expected)
        for o, e in zip(out, expected):
            check(o, e, atol, rtol)
        return
    expected = np.asarray(expected)
    assert B.is_tensor(out)
    assert B.shape(out) == expected.shape
    assert B.dtype(out) == expected_dtype(expected)
    np.testing.assert_allclose(B.convert_to_numpy(out), expected, atol=atol, rtol=rtol)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def scatter_add_ref(x, idx, upd):
    out = x.copy()
    np.add.at(out, tuple(idx.T), upd)
    return out


# (contract name, args, kwargs, numpy reference taking the same arguments)
CASES = [
    ("add", (X, Y), {}, np.add),
    ("add", (X, 1.5), {}, lambda a, b: a + np.float32(b)),
    ("subtract", (X, Y[0]), {}, np.subtract),
    ("multiply", (2.0, X), {}, lambda a, b: np.float32(a) * b),
    ("divide", (X, POS), {}, np.divide),
    ("divide", (INTS, 2), {}, lambda a, b: (a / b).astype("float32")),
    ("power", (POS, Y), {}, np.power),
    ("power", (X, 2), {}, np.power),
    ("maximum", (X, Y), {}, np.maximum),
    ("minimum", (X, 0.0), {}, lambda a, b: np.minimum(a, np.float32(b))),
    ("negative", (X,), {}, np.negative),
    ("abs", (X,), {}, np.abs),
    ("sign", (np.array([-2.0, 0.0, 3.0], "float32"),), {}, np.sign),
    ("exp", (X,), {}, np.exp),
    ("log", (POS,), {}, np.log),
    ("log1p", (POS,), {}, np.log1p),
    ("expm1", (X,), {}, np.expm1),
    ("sqrt", (POS,), {}, np.sqrt),
    ("square", (X,), {}, np.square),
    ("sin", (X,), {}, np.sin),
    ("cos", (X,), {}, np.cos),
    ("tanh", (X,), {}, np.tanh),
    ("floor", (HALF,), {}, np.floor),
    ("ceil", (HALF,), {}, np.ceil),
    ("round", (HALF,), {}, np.round),
    ("erf", (X,), {}, erf),
    ("where", (MASK, X, Y), {}, np.where),
    ("where", (MASK, X, 0.0), {}, lambda c, a, b: np.where(c, a, np.float32(b))),
    ("clip", (X, -0.5, 0.5), {}, np.clip),
    ("equal", (TIES, 2.0), {}, np.equal),
    ("not_equal", (TIES, 2.0), {}, np.not_equal),
    ("greater", (X, Y), {}, np.greater),
    ("greater_equal", (TIES, 2.0), {}, np.greater_equal),
    ("less", (X, Y), {}, np.less),
    ("less_equal", (TIES, 2.0), {}, np.less_equal),
    ("logical_and", (MASK, X > Y), {}, np.logical_and),
    ("logical_or", (MASK, X > Y), {}, np.logical_or),
    ("logical_not", (MASK,), {}, np.logical_not),
    ("sum", (X,), {}, np.sum),
    ("sum", (A3,), {"axis": (0, 2), "keepdims": True}, np.sum),
    ("mean", (A3,), {"axis": -1}, np.mean),
    ("mean", (INTS,), {}, lambda a: np.mean(a).astype("float32")),
    ("max", (X,), {"axis": 1}, np.max),
    ("min", (A3,), {"axis": (1, 2), "keepdims": True}, np.min),
    ("prod", (POS,), {"axis": 0}, np.prod),
    ("var", (A3,), {"axis": 1}, np.var),
    ("var", (X,), {}, np.var),
    ("argmax", (TIES,), {"axis": 1}, np.argmax),
    ("argmax", (TIES,), {}, np.argmax),
    ("argmin", (TIES,), {"axis": 0, "keepdims": True}, np.argmin),
    ("any", (MASK,), {"axis": 0}, np.any),
    ("all", (MASK,), {}, np.all),
    ("cumsum", (X,), {"axis": 1}, np.cumsum),
    ("cumsum", (X,), {}, np.cumsum),
    ("logsumexp", (A3,), {"axis": -1}, lambda a, axis: np.log(np.exp(a).sum(axis=axis))),
    ("logsumexp", (X,), {"keepdims": True},
     lambda a, keepdims: np.log(np.exp(a).sum(keepdims=keepdims))),
    ("reshape", (A3, (4, -1)), {}, np.reshape),
    ("transpose", (A3,), {}, np.transpose),
    ("transpose", (A3, (1, 0, 2)), {}, np.transpose),
    ("expand_dims", (X, 1), {}, np.expand_dims),
    ("squeeze", (A3[:, :1],), {}, np.squeeze),
    ("squeeze", (A3[:1, :, :1],), {"axis": 2}, np.squeeze),
    ("concatenate", ([X, Y],), {"axis": 1}, np.concatenate),
    ("stack", ([X, Y],), {"axis": -1}, np.stack),
    ("split", (A3, 2), {"axis": 0}, np.split),
    ("split", (A3, [1, 3]), {"axis": -1}, np.split),
    ("broadcast_to", (X[0], (2, 4)), {}, np.broadcast_to),
    ("tile", (X, (2, 1)), {}, np.tile),
    ("repeat", (X, 2), {"axis": 1}, np.repeat),
    ("repeat", (X, 2), {}, np.repeat),
    ("flip", (A3,), {"axis": 1}, np.flip),
    ("flip", (A3,), {}, np.flip),
    ("pad", (X, ((1, 2), (0, 1))), {}, np.pad),
    ("pad", (X, ((1, 2), (0, 1))), {"constant_values": 3.0}, np.pad),
    ("pad", (X, ((2, 1), (3, 2))), {"mode": "reflect"}, np.pad),
    ("pad", (X, ((2, 1), (3, 2))), {"mode": "symmetric"}, np.pad),
    ("take", (X, np.array([2, 0, -1])), {"axis": 1}, np.take),
    ("take", (X, np.array([[0, 5], [11, 3]])), {}, np.take),
    ("take_along_axis", (X, np.argsort(X, axis=1)), {"axis": 1}, np.take_along_axis),
    ("one_hot", (np.array([0, 2, 1]), 4), {}, lambda x, n: np.eye(n, dtype="float32")[x]),
    ("one_hot", (np.array([0, 2]), 3), {"axis": 0, "dtype": "int32"},
     lambda x, n, axis, dtype: np.eye(n, dtype=dtype)[x].T),
    ("sort", (TIES,), {}, np.sort),
    ("sort", (X,), {"axis": 0}, np.sort),
    ("argsort", (TIES,), {}, lambda a: np.argsort(a, kind="stable")),
    ("argsort", (X,), {"axis": 0}, lambda a, axis: np.argsort(a, axis=axis, kind="stable")),
    ("scatter_add", (X, np.array([[0, 1], [2, 3], [0, 1]]), np.array([1.0, 2.0, 3.0], "float32")),
     {}, scatter_add_ref),
    ("scatter_add", (X, np.array([[1], [1]]), np.ones((2, 4), "float32")), {}, scatter_add_ref),
    ("matmul", (X, Y.T), {}, np.matmul),
    ("matmul", (A3, X.T), {}, np.matmul),
    ("matmul", (X[0], Y[1]), {}, np.matmul),
    ("einsum", ("bij,kj->bik", A3, X), {}, np.einsum),
    ("relu", (X,), {}, lambda x: np.maximum(x, 0)),
    ("sigmoid", (X,), {}, sigmoid),
    ("softplus", (X,), {}, lambda x: np.log1p(np.exp(x))),
    ("softsign", (X,), {}, lambda x: x / (1 + np.abs(x))),
    ("silu", (X,), {}, lambda x: x * sigmoid(x)),
    ("gelu", (X,), {}, lambda x: 0.5 * x * (1 + np.tanh(
        np.sqrt(2 / np.pi).astype("float32") * (x + np.float32(0.044715) * x ** 3)))),
    ("gelu", (X,), {"approximate": False}, lambda x, approximate: 0.5 * x * (
        1 + erf(x / np.sqrt(np.float32(2))))),
    ("elu", (X,), {"alpha": 0.5}, lambda x, alpha: np.where(
        x > 0, x, np.float32(alpha) * np.expm1(x))),
    ("selu", (X,), {}, lambda x: np.float32(1.05070098) * np.where(
        x > 0, x, np.float32(1.67326324) * np.expm1(x))),
    ("leaky_relu", (X,), {}, lambda x: np.where(x > 0, x, np.float32(0.2) * x)),
    ("softmax", (A3,), {"axis": 1}, softmax),
    ("log_softmax", (X,), {}, lambda x: np.log(softmax(x))),
]


@pytest.mark.parametrize(("name", "args", "kwargs", "reference"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_numpy(name, args, kwargs, reference):
    check(getattr(B, name)(*args, **kwargs), reference(*args, **kwargs), atol=2e-5, rtol=2e-5)


# ---------------------------------------------------------------------------- tensors & creation


def test_device_and_conversion():
    assert B.device() == "cpu" or B.device().split(":")[0] in ("cuda", "gpu", "tpu", "rocm")
    assert B.dtype(B.convert_to_tensor(1.5)) == "float32"
    assert B.dtype(B.convert_to_tensor([1.0, 2])) == "float32"
    assert B.dtype(B.convert_to_tensor(3)) == "int32"
    assert B.dtype(B.convert_to_tensor(True)) == "bool"
    assert B.dtype(B.convert_to_tensor(np.zeros(2, "float16"))) == "float16"
    assert B.dtype(B.convert_to_tensor(np.zeros(2, "uint8"))) == "uint8"
    assert B.dtype(B.convert_to_tensor(np.zeros(2))) == "float32"  # x64 stays disabled
    assert B.dtype(B.convert_to_tensor([1, 2], dtype="float32")) == "float32"
    t = B.convert_to_tensor(X)
    assert B.is_tensor(t) and not B.is_tensor(X) and B.shape(t) == (3, 4)
    assert B.convert_to_tensor(t) is t and B.cast(t, "float32") is t
    out = B.convert_to_numpy(t)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_array_equal(out, X)
    check(B.cast(X, "int32"), X.astype("int32"))
    check(B.cast(INTS, "bool"), INTS.astype(bool))
    check(B.stop_gradient(X), X)
    assert B.dtype(B.add(t, 1.5)) == "float32" and B.dtype(B.multiply(2.0, t)) == "float32"
    assert B.dtype(X) == "float32" and B.dtype(2.0) == "float32" and B.dtype(2) == "int32"


def test_creation():
    check(B.zeros((2, 3)), np.zeros((2, 3), "float32"))
    check(B.ones((2,), dtype="int32"), np.ones(2, "int32"))
    check(B.full((2, 2), 7.0), np.full((2, 2), 7.0, "float32"))
    check(B.full((2,), 7, dtype="int32"), np.full(2, 7, "int32"))
    check(B.arange(5), np.arange(5, dtype="int32"))
    check(B.arange(2, 9, 3), np.arange(2, 9, 3, dtype="int32"))
    check(B.arange(0.0, 1.0, 0.25), np.arange(0, 1, 0.25, dtype="float32"))
    check(B.arange(3, dtype="float32"), np.arange(3, dtype="float32"))
    check(B.eye(3), np.eye(3, dtype="float32"))
    check(B.eye(2, 4, k=1, dtype="int32"), np.eye(2, 4, k=1, dtype="int32"))


def test_variables():
    source = B.convert_to_tensor(X)
    handle = B.variable_create(source, "float32", True)
    assert handle is not source
    check(B.variable_read(handle), X)
    handle = B.variable_assign(handle, B.convert_to_tensor(Y))
    check(B.variable_read(handle), Y)
    check(B.variable_read(B.variable_create(INTS, "float32", False)), INTS.astype("float32"))
    v = Variable(np.zeros((2,)), backend="jax")
    v.assign([1.0, 2.0])
    check(v.value, np.array([1.0, 2.0], "float32"))


# ---------------------------------------------------------------------------- indexing


@pytest.mark.parametrize("key", [
    1, -1, slice(1, None), (slice(None), 2), (None, 0), (Ellipsis, 1), (1, Ellipsis, None),
    np.array([2, 0]), (slice(None), np.array([3, 3, 1])), (np.array([0, 2]), np.array([1, 3])),
    MASK, MASK[:, 0], (slice(1, 3), MASK[0]), [0, 2],
])
def test_getitem(key):
    check(B.getitem(X, key), X[np.asarray(key)] if isinstance(key, list) else X[key])


def test_getitem_with_jax_bool_mask():
    check(B.getitem(B.convert_to_tensor(X), B.convert_to_tensor(MASK)), X[MASK])


# ---------------------------------------------------------------------------- cross-entropies

PROBS = rng.dirichlet(np.ones(5), size=4).astype("float32") * 1.5  # unnormalized on purpose
TARGET = rng.dirichlet(np.ones(5), size=4).astype("float32")
LOGITS = rng.normal(size=(4, 5)).astype("float32")
LABELS = np.array([0, 3, 4, 1])


def log_probs(output, from_logits, axis=-1):
    if from_logits:
        return np.log(softmax(output, axis))
    eps = config.epsilon()
    return np.log(np.clip(output / output.sum(axis=axis, keepdims=True), eps, 1 - eps))


@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropies(from_logits):
    output = LOGITS if from_logits else PROBS
    lp = log_probs(output, from_logits)
    check(B.categorical_crossentropy(TARGET, output, from_logits), -(TARGET * lp).sum(-1))
    check(B.categorical_crossentropy(TARGET.T, output.T, from_logits, axis=0),
          -(TARGET * lp).sum(-1))
    sparse = -lp[np.arange(4), LABELS]
    check(B.sparse_categorical_crossentropy(LABELS, output, from_logits), sparse)
    check(B.sparse_categorical_crossentropy(LABELS[:, None], output, from_logits), sparse)
    target = rng.uniform(size=(4, 5)).astype("float32")
    if from_logits:
        x = LOGITS
        expected = np.maximum(x, 0) - x * target + np.log1p(np.exp(-np.abs(x)))
    else:
        x = rng.uniform(size=(4, 5)).astype("float32")
        x[0, :2] = 0.0, 1.0  # exercise the clipping
        p = np.clip(x, config.epsilon(), 1 - config.epsilon())
        expected = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    check(B.binary_crossentropy(target, x, from_logits), expected, atol=1e-4)


def test_crossentropy_shape_errors():
    with pytest.raises(ValueError, match="shape"):
        B.categorical_crossentropy(TARGET[:, :3], PROBS)
    with pytest.raises(ValueError, match="shape"):
        B.sparse_categorical_crossentropy(LABELS[:2], PROBS)
    with pytest.raises(ValueError, match="shape"):
        B.binary_crossentropy(TARGET[:, :3], PROBS)


# ---------------------------------------------------------------------------- conv & pooling


def same_pads(size, window, stride):
    """TF "same" padding (before, after) for one spatial dim."""
    total = max((-(-size // stride) - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def conv_ref(x, w, stride, padding, dilation, groups=1):
    """Channels-last grouped N-D convolution by explicit windows."""
    nd = x.ndim - 2
    k_eff = [(k - 1) * dilation + 1 for k in w.shape[:nd]]
    if padding == "same":
        pads = [same_pads(x.shape[1 + i], k_eff[i], stride) for i in range(nd)]
        x = np.pad(x, [(0, 0), *pads, (0, 0)])
    out_sizes = [(x.shape[1 + i] - k_eff[i]) // stride + 1 for i in range(nd)]
    c_in, c_out = w.shape[-2], w.shape[-1]
    per_group = c_out // groups
    out = np.zeros((x.shape[0], *out_sizes, c_out), "float64")
    for pos in np.ndindex(*out_sizes):
        window = x[(slice(None), *(slice(p * stride, p * stride + k_eff[i], dilation)
                                   for i, p in enumerate(pos)))]
        for g in range(groups):
            lo, hi = g * per_group, (g + 1) * per_group
            patch = window[..., g * c_in:(g + 1) * c_in]
            out[(slice(None), *pos, slice(lo, hi))] = np.tensordot(
                patch, w[..., lo:hi], axes=(list(range(1, nd + 2)), list(range(nd + 1))))
    return out.astype("float32")


def depthwise_ref(x, w, stride, padding, dilation):
    """Each input channel convolved with its own ``multiplier`` filters (TF channel order)."""
    channels, multiplier = w.shape[-2:]
    parts = [conv_ref(x[..., c:c + 1], w[..., c:c + 1, m:m + 1], stride, padding, dilation)
             for c in range(channels) for m in range(multiplier)]
    return np.concatenate(parts, axis=-1)


def conv_transpose_ref(x, w, stride, padding, dilation, output_padding=None):
    """Scatter every input entry through the kernel; crop/extend to Keras' output length."""
    nd = x.ndim - 2
    sizes, kernel = x.shape[1:-1], w.shape[:nd]
    k_eff = [(k - 1) * dilation + 1 for k in kernel]
    full = [(n - 1) * stride + k for n, k in zip(sizes, k_eff)]
    out = np.zeros((x.shape[0], *full, w.shape[-2]), "float64")
    for pos in np.ndindex(*sizes):
        for tap in np.ndindex(*kernel):
            at = tuple(p * stride + t * dilation for p, t in zip(pos, tap))
            out[(slice(None), *at)] += x[(slice(None), *pos)] @ w[tap].T
    lengths, starts = [], []
    for n, k, f in zip(sizes, k_eff, full):
        if output_padding is None:
            length = n * stride + (max(k - stride, 0) if padding == "valid" else 0)
        else:
            length = (n - 1) * stride + k + output_padding - (2 * (k // 2) if padding == "same"
                                                             else 0)
        lengths.append(length)
        starts.append(max(f - length, 0) // 2 if padding == "same" else 0)
    out = np.pad(out, [(0, 0)] + [(0, max(s + n - f, 0)) for s, n, f in
                                  zip(starts, lengths, full)] + [(0, 0)])
    return out[(slice(None), *(slice(s, s + n) for s, n in zip(starts, lengths)))].astype(
        "float32")


def pool_ref(x, size, stride, padding, reducer):
    """Channels-last N-D pooling over windows of real entries only (TF semantics)."""
    nd = x.ndim - 2
    pads = [same_pads(x.shape[1 + i], size, stride) if padding == "same" else (0, 0)
            for i in range(nd)]
    out_sizes = [(x.shape[1 + i] + sum(pads[i]) - size) // stride + 1 for i in range(nd)]
    out = np.zeros((x.shape[0], *out_sizes, x.shape[-1]), "float32")
    for pos in np.ndindex(*out_sizes):
        window = tuple(slice(max(p * stride - pads[i][0], 0), p * stride - pads[i][0] + size)
                       for i, p in enumerate(pos))
        out[(slice(None), *pos)] = reducer(x[(slice(None), *window)],
                                           axis=tuple(range(1, nd + 1)))
    return out


def to_first(a):
    return np.moveaxis(a, -1, 1)


CONV_SETTINGS = [(nd, s, p, d) for nd in (1, 2) for s in (1, 2) for p in ("valid", "same")
                 for d in (1, 2) if not (s > 1 and d > 1)]


@pytest.mark.parametrize(("nd", "stride", "padding", "dilation"), CONV_SETTINGS)
def test_convolutions(nd, stride, padding, dilation):
    x = rng.normal(size=(2,) + (6,) * nd + (4,)).astype("float32")
    args = (stride, padding, None, dilation)
    for k in (1, 3, 4):
        w = rng.normal(size=(k,) * nd + (4, 3)).astype("float32")
        check(B.conv(x, w, *args), conv_ref(x, w, stride, padding, dilation), atol=1e-4)
        first = B.conv(to_first(x), w, stride, padding, "channels_first", dilation)
        check(first, to_first(conv_ref(x, w, stride, padding, dilation)), atol=1e-4)
        grouped = rng.normal(size=(k,) * nd + (2, 6)).astype("float32")
        check(B.conv(x, grouped, *args), conv_ref(x, grouped, stride, padding, dilation, 2),
              atol=1e-4)
        dw = rng.normal(size=(k,) * nd + (4, 2)).astype("float32")
        check(B.depthwise_conv(x, dw, *args), depthwise_ref(x, dw, stride, padding, dilation),
              atol=1e-4)
        wt = rng.normal(size=(k,) * nd + (3, 4)).astype("float32")
        check(B.conv_transpose(x, wt, stride, padding, None, None, dilation),
              conv_transpose_ref(x, wt, stride, padding, dilation), atol=1e-4)
        check(B.conv_transpose(to_first(x), wt, stride, padding, None, "channels_first",
                               dilation),
              to_first(conv_transpose_ref(x, wt, stride, padding, dilation)), atol=1e-4)
        if stride > 1:
            check(B.conv_transpose(x, wt, stride, padding, 1, None, dilation),
                  conv_transpose_ref(x, wt, stride, padding, dilation, 1), atol=1e-4)


def test_conv_transpose_output_length():
    x = np.ones((1, 5, 1), "float32")
    assert B.shape(B.conv_transpose(x, np.ones((3, 2, 1)), 2, "valid")) == (1, 11, 2)
    assert B.shape(B.conv_transpose(x, np.ones((3, 2, 1)), 2, "same")) == (1, 10, 2)
    assert B.shape(B.conv_transpose(x, np.ones((3, 2, 1)), 1, "valid", None, None, 2)) == (
        1, 9, 2)


@pytest.mark.parametrize(("nd", "size", "stride", "padding"),
                         [(nd, z, s, p) for nd in (1, 2) for z in (2, 3) for s in (None, 1, 2)
                          for p in ("valid", "same")])
def test_pools(nd, size, stride, padding):
    x = rng.normal(size=(2,) + (7,) * nd + (3,)).astype("float32")
    step = size if stride is None else stride
    check(B.max_pool(x, size, stride, padding), pool_ref(x, size, step, padding, np.max))
    check(B.average_pool(x, size, stride, padding), pool_ref(x, size, step, padding, np.mean))
    check(B.average_pool(to_first(x), size, stride, padding, "channels_first"),
          to_first(pool_ref(x, size, step, padding, np.mean)))


# ---------------------------------------------------------------------------- random


def test_random():
    u = B.random_uniform((2000,), 2.0, 5.0, seed=(1, 2))
    assert B.dtype(u) == "float32" and B.shape(u) == (2000,)
    values = B.convert_to_numpy(u)
    assert values.min() >= 2.0 and values.max() < 5.0 and abs(values.mean() - 3.5) < 0.1
    np.testing.assert_array_equal(values, B.random_uniform((2000,), 2.0, 5.0, seed=(1, 2)))
    assert not np.array_equal(values, B.random_uniform((2000,), 2.0, 5.0, seed=(1, 3)))
    n = B.convert_to_numpy(B.random_normal((4000,), 1.0, 2.0, seed=B.convert_to_tensor([7, 0])))
    assert abs(n.mean() - 1.0) < 0.15 and abs(n.std() - 2.0) < 0.15
    assert not np.array_equal(B.random_normal((3,)), B.random_normal((3,)))  # counter-based
    assert B.dtype(B.random_normal((2,), dtype="float16", seed=(0, 0))) == "float16"
    import jax

    traced = jax.jit(lambda seed: B.random_uniform((3,), seed=seed))
    np.testing.assert_array_equal(traced(B.convert_to_tensor([1, 2])),
                                  B.random_uniform((3,), seed=(1, 2)))


# ---------------------------------------------------------------------------- scan


def test_scan():
    xs = np.arange(1.0, 6.0, dtype="float32")
    carry, ys = B.scan(lambda c, x: (c + x, c * x), 0.0, xs)
    check(carry, np.float32(15))
    check(ys, np.array([0, 2, 9, 24, 50], "float32"))
    carry, ys = B.scan(lambda c, x: (c + x, c), 0.0, xs, reverse=True)
    check(ys, np.array([14, 12, 9, 5, 0], "float32"))
    carry, ys = B.scan(lambda c, x: ([c[0] + x[0] * x[1], c[1]], c[0]),
                       [B.zeros(()), B.ones((2,))], [xs, 2 * xs])
    check(carry[0], np.float32(2 * (xs ** 2).sum()))
    carry, ys = B.scan(lambda c, _: (c * 2, c), B.ones(()), None, length=4)
    check(carry, np.float32(16))
    check(ys, np.array([1, 2, 4, 8], "float32"))


# ---------------------------------------------------------------------------- gradients


def finite_difference(f, values, eps=1e-3):
    """Central differences of scalar ``f(list of float64 arrays)``, one array per value."""
    grads = []
    for i, v in enumerate(values):
        g = np.zeros_like(v, dtype="float64")
        for idx in np.ndindex(*v.shape):
            up = [a.astype("float64").copy() for a in values]
            down = [a.astype("float64").copy() for a in values]
            up[i][idx] += eps
            down[i][idx] -= eps
            g[idx] = (f(up) - f(down)) / (2 * eps)
        grads.append(g)
    return grads


def loss_and_fd(fn, values):
    value, grads = B.value_and_grad(fn)([B.convert_to_tensor(v) for v in values])
    expected = finite_difference(
        lambda vs: float(fn([B.convert_to_tensor(v.astype("float32")) for v in vs])), values)
    for g, e, v in zip(grads, expected, values):
        assert B.shape(g) == v.shape
        np.testing.assert_allclose(B.convert_to_numpy(g), e, rtol=2e-2, atol=2e-2)
    return value, grads


GRADIENT_CASES = {
    "tanh-mul": (lambda v: B.sum(B.multiply(B.tanh(v[0]), v[1])), [X, Y]),
    "softmax-xent": (lambda v: B.sum(B.categorical_crossentropy(TARGET, v[0], True)), [LOGITS]),
    "sparse-xent": (lambda v: B.mean(B.sparse_categorical_crossentropy(LABELS, v[0])),
                    [np.abs(LOGITS) + 0.1]),
    "binary-logits": (lambda v: B.sum(B.binary_crossentropy(TARGET, v[0], True)), [LOGITS]),
    "conv": (lambda v: B.sum(B.square(B.conv(v[0], v[1], 1, "same"))),
             [rng.normal(size=(1, 4, 4, 2)).astype("float32"),
              rng.normal(size=(3, 3, 2, 2)).astype("float32")]),
    "conv_transpose": (lambda v: B.sum(B.sin(B.conv_transpose(v[0], v[1], 2, "same"))),
                       [rng.normal(size=(1, 3, 2)).astype("float32"),
                        rng.normal(size=(3, 2, 2)).astype("float32")]),
    "avg-pool": (lambda v: B.sum(B.square(B.average_pool(v[0], 2, 1, "same"))),
                 [rng.normal(size=(1, 5, 2)).astype("float32")]),
    "matmul-logsumexp": (lambda v: B.logsumexp(B.matmul(v[0], v[1])), [X, Y.T]),
    "max-pool": (lambda v: B.sum(B.square(B.max_pool(v[0], 2, 1, "same"))),
                 [rng.normal(size=(1, 4, 4, 2)).astype("float32")]),
}


@pytest.mark.parametrize("case", GRADIENT_CASES)
def test_gradients_match_finite_differences(case):
    fn, values = GRADIENT_CASES[case]
    value, _ = loss_and_fd(fn, values)
    assert B.shape(value) == ()


def test_value_and_grad_rules():
    g = B.value_and_grad(lambda v: B.sum(B.maximum(v[0], v[1])))
    _, (ga, gb) = g([B.convert_to_tensor([1.0, 2.0]), B.convert_to_tensor([1.0, 1.0])])
    np.testing.assert_array_equal(ga, [1.0, 1.0])  # ties go to x1
    np.testing.assert_array_equal(gb, [0.0, 0.0])
    _, (gm,) = B.value_and_grad(lambda v: B.max(v[0]))([B.convert_to_tensor([3.0, 1.0, 3.0])])
    np.testing.assert_allclose(gm, [0.5, 0.0, 0.5])  # ties share
    _, (gs,) = B.value_and_grad(lambda v: B.sum(B.stop_gradient(v[0])))([B.ones((2,))])
    np.testing.assert_array_equal(gs, [0.0, 0.0])
    _, (ga,) = B.value_and_grad(lambda v: B.sum(B.abs(v[0])))([B.convert_to_tensor([-2.0, 0.0])])
    np.testing.assert_array_equal(ga, [-1.0, 0.0])  # sign(x)
    target = B.convert_to_tensor([0.0, 0.3, 1.0])
    _, (gb,) = B.value_and_grad(lambda v: B.sum(B.binary_crossentropy(target, v[0], True)))(
        [B.zeros((3,))])
    np.testing.assert_allclose(gb, 0.5 - B.convert_to_numpy(target))  # sigmoid(0) - t

    def with_aux(v):
        return B.sum(B.square(v[0])), {"double": 2 * v[0]}

    (value, aux), grads = B.value_and_grad(with_aux, has_aux=True)(
        [B.convert_to_tensor([1.0, 2.0]), B.ones((3,)), B.convert_to_tensor([1, 2])])
    check(value, np.float32(5))
    check(aux["double"], np.array([2.0, 4.0], "float32"))
    check(grads[0], np.array([2.0, 4.0], "float32"))
    check(grads[1], np.zeros(3, "float32"))  # unconnected -> zeros
    check(grads[2], np.zeros(2, "int32"))
    import jax

    pooled = jax.jit(B.value_and_grad(lambda v: B.sum(B.max_pool(v[0], 2, 2))))  # under jit too
    _, (gp,) = pooled([B.convert_to_tensor(np.array([[[1.0], [3.0], [2.0], [0.0]]], "float32"))])
    np.testing.assert_array_equal(B.convert_to_numpy(gp).ravel(), [0.0, 1.0, 1.0, 0.0])
    with pytest.raises(ValueError, match=r"\(3,\)"):
        B.value_and_grad(lambda v: v[0] * 2)([B.ones((3,))])


# ---------------------------------------------------------------------------- compile


@pytest.mark.parametrize("jit_compile", [None, False])
def test_compile_stateful(jit_compile):
    counter = Variable(np.zeros(()), backend="jax")

    def increment():
        counter.assign(counter.value + 1.0)
        return counter.value

    step = B.compile(increment, [counter], jit_compile=jit_compile)
    outs = [float(step()) for _ in range(3)]
    assert outs == [1.0, 2.0, 3.0] and float(counter.numpy()) == 3.0

    v = Variable(np.array([1.0, 2.0]), backend="jax")
    double = B.compile(lambda: 2 * v.value, [v], jit_compile=jit_compile)
    check(double(), np.array([2.0, 4.0], "float32"))
    v.assign([5.0, 6.0])
    check(double(), np.array([10.0, 12.0], "float32"))  # reads the variable's current value

    total = Variable(np.zeros(()), backend="jax")

    def accumulate(x, scale=1.0):
        total.assign(total.value + scale * B.sum(x))
        return B.shape(x)

    add_all = B.compile(accumulate, [total], jit_compile=jit_compile)
    assert tuple(add_all(np.ones(3, "float32"))) == (3,)
    assert tuple(add_all(np.ones((2, 5), "float32"), scale=2.0)) == (2, 5)  # retraces
    assert float(total.numpy()) == 23.0


# ---------------------------------------------------------------------------- coverage


# Contract functions checked by the dedicated tests above rather than by CASES.
DEDICATED = {
    "device", "convert_to_tensor", "convert_to_numpy", "is_tensor", "shape", "dtype", "cast",
    "stop_gradient", "zeros", "ones", "full", "arange", "eye", "variable_create",
    "variable_read", "variable_assign", "getitem", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "binary_crossentropy", "conv", "depthwise_conv",
    "conv_transpose", "max_pool", "average_pool", "random_uniform", "random_normal", "scan",
    "value_and_grad", "compile", "convert_step_input",
    "adam_update", "sgd_update",  # fused optimizer updates: tests/optimizers/test_optimizers.py
    "lstm", "gru",  # whole-sequence RNN hooks: tests/layers/test_rnn.py
    "tree_flatten", "tree_unflatten", "rng_key",  # below; JaxLayer: tests/layers/test_interop_layers.py
}


def test_convert_step_input_hands_numpy_to_the_jitted_step():
    x = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert B.convert_step_input(x) is x  # jax.jit transfers numpy itself, faster than asarray
    step = B.compile(lambda a: B.multiply(a, 2.0), [])
    out = step(B.convert_step_input(x))
    assert B.dtype(out) == "float32"  # float64 narrows as everywhere with x64 off
    np.testing.assert_allclose(B.convert_to_numpy(out), x * 2)
    assert B.is_tensor(B.convert_step_input([1.0, 2.0]))


def test_pytree_and_rng_key_hooks():
    """The interop hooks: jax's own pytree order (sorted dict keys) with None leaves kept, and
    raw uint32[2] keys equal to jax.random's for the same (seed, counter)."""
    import jax
    tree = {"b": np.ones(2), "a": [np.zeros(3), None]}
    leaves, treedef = B.tree_flatten(tree)
    assert [None if v is None else v.shape for v in leaves] == [(3,), None, (2,)]
    rebuilt = B.tree_unflatten(treedef, leaves)
    assert rebuilt["a"][1] is None and rebuilt["b"] is tree["b"]
    key = B.rng_key(np.array([3, 5], "int32"))
    expected = jax.random.key_data(jax.random.fold_in(jax.random.key(3), 5))
    np.testing.assert_array_equal(np.asarray(key), np.asarray(expected))


def test_every_function_tested():
    """Every contract function is exported with the contract's parameters, and tested here or,
    for the numpy-like, linear-algebra and random primitives, through ``ops`` / ``random`` in
    tests/ops/ (``random_shuffle`` is ``random.shuffle`` there)."""
    import inspect

    from mini_keras.backends import contract

    names = set(contract.functions()) | {n for n in contract.optional_functions() if hasattr(B, n)}
    untested_here = names - {case[0] for case in CASES} - DEDICATED
    ops_tests = " ".join(path.read_text() for path in OPS_TESTS.glob("test_*.py"))
    patterns = {n: rf"\b{n.replace('random_', 'random[._]', 1)}\b" for n in untested_here}
    assert {n for n, pattern in patterns.items() if not re.search(pattern, ops_tests)} == set()
    for name in names:
        assert (inspect.signature(getattr(B, name)).parameters
                == inspect.signature(getattr(contract, name)).parameters), name
