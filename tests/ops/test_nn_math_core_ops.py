"""The nn / math / core op families of ``mini_keras.ops`` on every backend.

Values, shapes and dtypes are compared with plain numpy formulas written here; gradients of the
numpy backend's tape with float64 central differences, and every backend's gradient with the
numpy backend's; control flow runs inside each backend's ``compile`` (jax.jit, tf.function);
``custom_gradient`` is honoured everywhere; bad arguments raise the same text on every backend.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mini_keras import backends, ops
from mini_keras.core.variable import Variable

rng = np.random.default_rng(0)
X = rng.uniform(-3, 3, (3, 5)).astype(np.float32)
X234 = rng.uniform(-2, 2, (2, 3, 4)).astype(np.float32)
POS = rng.uniform(0.2, 2, (3, 5)).astype(np.float32)
UNIT = rng.uniform(-0.95, 0.95, (3, 5)).astype(np.float32)
DISTINCT = (rng.permutation(15).reshape(3, 5) * 0.25 - 1.5).astype(np.float32)
IDS = np.array([0, 2, 0, 1, 2], np.int32)
Q, K, V = (rng.normal(size=(2, 4, 2, 3)).astype(np.float32) for _ in range(3))
IMG = rng.normal(size=(1, 4, 4, 8)).astype(np.float32)


# ============================================================================ numpy references

def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(x, 0)


def _erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64)).astype(x.dtype)


def _sparsemax(x, axis=-1):
    z = np.moveaxis(x, axis, -1)
    out = np.empty_like(z)
    for idx in np.ndindex(z.shape[:-1]):
        row = np.sort(z[idx])[::-1]
        cum = np.cumsum(row)
        k = np.arange(1, len(row) + 1)
        support = row - (cum - 1) / k > 0
        tau = (cum[support][-1] - 1) / support.sum()
        out[idx] = np.maximum(z[idx] - tau, 0)
    return np.moveaxis(out, -1, axis)


def _attention(q, k, v, causal=False, mask=None):
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(q.shape[-1])
    keep = np.ones(logits.shape, bool)
    if mask is not None:
        keep &= mask
    if causal:
        keep &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(keep, logits, -0.7 * 3.38953e38)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", p, v).astype(q.dtype)


def _layer_norm(x, axis=-1, eps=1e-7):
    m, var = x.mean(axis, keepdims=True), x.var(axis, keepdims=True)
    return ((x - m) / np.sqrt(var + eps)).astype(x.dtype)


def _segment_max(d, ids, n):
    out = np.full((n,) + d.shape[1:], -np.inf, d.dtype)
    np.maximum.at(out, ids, d)
    return out


def _segment_sum(d, ids, n):
    out = np.zeros((n,) + d.shape[1:], d.dtype)
    np.add.at(out, ids, d)
    return out


def _depth_to_space(x, k):
    n, h, w, c = x.shape
    return x.reshape(n, h, w, k, k, c // k**2).transpose(0, 1, 3, 2, 4, 5).reshape(
        n, h * k, w * k, c // k**2)


def f32(fn):
    return lambda *a, **k: np.asarray(fn(*a, **k)).astype(np.float32)


# (id, op, args, kwargs, reference, tolerance)
VALUES = [
    ("relu6", "relu6", [X * 3], {}, lambda x: np.clip(x, 0, 6), 1e-6),
    ("hard_sigmoid", "hard_sigmoid", [X * 2], {}, lambda x: np.clip(x / 6 + 0.5, 0, 1), 1e-6),
    ("hard_silu", "hard_silu", [X * 2], {}, lambda x: x * np.clip(x / 6 + 0.5, 0, 1), 1e-6),
    ("hard_swish", "hard_swish", [X * 2], {}, lambda x: x * np.clip(x / 6 + 0.5, 0, 1), 1e-6),
    ("log_sigmoid", "log_sigmoid", [X * 5], {}, f32(lambda x: -_softplus(-x)), 1e-5),
    ("sparse_plus", "sparse_plus", [X], {},
     lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)), 1e-6),
    ("sparse_sigmoid", "sparse_sigmoid", [X], {}, lambda x: np.clip((x + 1) / 2, 0, 1), 1e-6),
    ("squareplus", "squareplus", [X], {"b": 2}, lambda x, b=2: (x + np.sqrt(x * x + b)) / 2,
     1e-6),
    ("celu", "celu", [X], {"alpha": 0.5},
     f32(lambda x, alpha: np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha)), 1e-5),
    ("glu", "glu", [X234], {"axis": -1}, lambda x, axis: x[..., :2] * _sigmoid(x[..., 2:]), 1e-5),
    ("glu-axis0", "glu", [X234], {"axis": 0}, lambda x, axis: x[:1] * _sigmoid(x[1:]), 1e-5),
    ("hard_tanh", "hard_tanh", [X], {}, lambda x: np.clip(x, -1, 1), 1e-6),
    ("hard_shrink", "hard_shrink", [X], {"threshold": 1.0},
     lambda x, threshold: np.where(np.abs(x) > 1, x, 0), 1e-6),
    ("soft_shrink", "soft_shrink", [X], {},
     lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)), 1e-6),
    ("tanh_shrink", "tanh_shrink", [X], {}, lambda x: x - np.tanh(x), 1e-5),
    ("threshold", "threshold", [X, 0.5, -1.0], {}, lambda x, t, d: np.where(x > t, x, d), 1e-6),
    ("sparsemax", "sparsemax", [X], {}, _sparsemax, 1e-5),
    ("sparsemax-axis0", "sparsemax", [X], {"axis": 0}, _sparsemax, 1e-5),
    ("relu6-int", "relu6", [np.array([-2, 3, 9], np.int32)], {},
     lambda x: np.clip(x, 0, 6).astype(np.float32), 0),
    ("multi_hot", "multi_hot", [np.array([[0, 2], [1, 1]], np.int32), 4], {},
     lambda x, n: np.array([[1, 0, 1, 0], [0, 1, 0, 0]], np.float32), 0),
    ("multi_hot-1d-int", "multi_hot", [np.array([3, 0], np.int32), 4], {"dtype": "int32"},
     lambda x, n, dtype: np.array([1, 0, 0, 1], np.int32), 0),
    ("batch_normalization", "batch_normalization",
     [X, X[0] * 0.1, POS[0], -1], {"offset": X[1], "scale": X[2]},
     lambda x, m, v, a, offset, scale: (x - m) / np.sqrt(v + 1e-3) * scale + offset, 1e-5),
    ("batch_normalization-axis0", "batch_normalization", [X, X[:, 0], POS[:, 0], 0], {},
     lambda x, m, v, a: (x - m[:, None]) / np.sqrt(v[:, None] + 1e-3), 1e-5),
    ("normalize", "normalize", [X], {}, lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True),
     1e-5),
    ("normalize-l1-axis0", "normalize", [X], {"axis": 0, "order": 1},
     lambda x, axis, order: x / np.abs(x).sum(0, keepdims=True), 1e-5),
    ("layer_normalization", "layer_normalization", [X234], {}, _layer_norm, 1e-4),
    ("layer_normalization-axes", "layer_normalization", [X234], {"axis": (1, 2)},
     lambda x, axis: _layer_norm(x, axis), 1e-4),
    ("rms_normalization", "rms_normalization", [X234], {"scale": X234[0, 0]},
     lambda x, scale: x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-7) * scale, 1e-5),
    ("dot_product_attention", "dot_product_attention", [Q, K, V], {}, _attention, 1e-5),
    ("dot_product_attention-causal", "dot_product_attention", [Q, K, V], {"is_causal": True},
     lambda q, k, v, is_causal: _attention(q, k, v, causal=True), 1e-5),
    ("dot_product_attention-mask", "dot_product_attention",
     [Q, K, V], {"mask": np.array([True, True, False, True])},
     lambda q, k, v, mask: _attention(q, k, v, mask=mask), 1e-5),
    ("psnr", "psnr", [POS, POS * 0.9, 2.0], {},
     lambda a, b, m: np.float32(20 * np.log10(m) - 10 * np.log10(np.mean((a - b) ** 2))), 1e-4),
    ("depth_to_space", "depth_to_space", [IMG, 2], {}, _depth_to_space, 0),
    ("space_to_depth-roundtrip", "space_to_depth", [_depth_to_space(IMG, 2), 2], {},
     lambda x, k: IMG, 0),
    ("top_k-values", "top_k", [DISTINCT, 3], {},
     lambda x, k: (-np.sort(-x, -1)[:, :k], np.argsort(-x, -1)[:, :k].astype(np.int32)), 0),
    ("in_top_k", "in_top_k", [np.array([0, 1, 4], np.int32), DISTINCT, 2], {},
     lambda t, p, k: np.array([t[i] in np.argsort(-p[i])[:k] for i in range(3)]), 0),
    ("segment_sum", "segment_sum", [X.T, IDS], {"num_segments": 4},
     lambda d, ids, num_segments: _segment_sum(d, ids, 4), 1e-6),
    ("segment_sum-infer", "segment_sum", [X.T, IDS], {}, lambda d, ids: _segment_sum(d, ids, 3),
     1e-6),
    ("segment_max", "segment_max", [X.T, IDS], {"num_segments": 4},
     lambda d, ids, num_segments: _segment_max(d, ids, 4), 0),
    ("erfinv", "erfinv", [UNIT], {}, None, 1e-5),  # checked as erf(erfinv(x)) = x below
    ("erfc", "erfc", [X], {}, lambda x: 1 - _erf(x), 1e-6),
    ("extract_sequences", "extract_sequences", [X, 3, 2], {},
     lambda x, n, s: np.stack([x[:, 0:3], x[:, 2:5]], axis=-2), 0),
    ("cdist", "cdist", [X, POS[:2]], {},
     lambda a, b: np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1)).astype(np.float32), 1e-5),
    ("scatter", "scatter", [np.array([[0, 1], [2, 3], [0, 1]], np.int32),
                            np.array([1.0, 2.0, 3.0], np.float32), (3, 4)], {},
     lambda i, v, s: np.array([[0, 4, 0, 0], [0, 0, 0, 0], [0, 0, 0, 2]], np.float32), 0),
    ("scatter_update", "scatter_update", [X, np.array([[1], [2]], np.int32), X[:2] * 0], {},
     lambda x, i, u: np.concatenate([x[:1], 0 * x[1:]]), 0),
    ("scatter_update-add", "scatter_update", [X, np.array([[0, 0]], np.int32),
                                              np.array([1.0], np.float32)], {"reduction": "add"},
     lambda x, i, u, reduction: x + np.eye(3, 5, dtype=np.float32) * (np.arange(3) == 0)[:, None],
     1e-6),
    ("slice", "slice", [X234, [1, 0, 2], (1, 2, 2)], {}, lambda x, s, n: x[1:2, 0:2, 2:4], 0),
    ("slice_update", "slice_update", [X, [1, 3], np.ones((2, 2), np.float32)], {},
     lambda x, s, u: np.where(np.pad(np.ones((2, 2), bool), ((1, 0), (3, 0))), 1.0, x), 0),
    ("saturate_cast-uint8", "saturate_cast",
     [np.array([-1.0, 7.6, 300.0, 3e9], np.float32), "uint8"], {},
     lambda x, d: np.array([0, 7, 255, 255], np.uint8), 0),
    ("saturate_cast-int32", "saturate_cast",
     [np.array([-3e9, 5.0, 3e9], np.float32), "int32"], {},
     lambda x, d: np.array([-2**31, 5, 2147483520], np.int32), 0),
    ("saturate_cast-int-to-int8", "saturate_cast", [np.array([-300, 5, 300], np.int32), "int8"],
     {}, lambda x, d: np.array([-128, 5, 127], np.int8), 0),
    ("unstack", "unstack", [X234], {"axis": 1}, lambda x, axis: [x[:, i] for i in range(3)], 0),
    ("unstack-num", "unstack", [X234, 2], {}, lambda x, n: [x[0], x[1]], 0),
]


def _to(b, v):
    return b.convert_to_tensor(v) if isinstance(v, np.ndarray) else v


def _compare(b, out, expected, tol, what):
    if isinstance(expected, (list, tuple)):
        assert len(out) == len(expected), what
        for o, e in zip(out, expected):
            _compare(b, o, e, tol, what)
        return
    expected = np.asarray(expected)
    got = np.asarray(b.convert_to_numpy(out))
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    assert b.dtype(out) == expected.dtype.name, f"{what}: {b.dtype(out)} != {expected.dtype}"
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=tol,
                               atol=tol, err_msg=what)


@pytest.mark.parametrize("case_id, op, args, kwargs, ref, tol", VALUES, ids=[v[0] for v in VALUES])
def test_values_shapes_dtypes(backend, case_id, op, args, kwargs, ref, tol):
    b = backends.get(backend)
    out = getattr(ops, op)(*[_to(b, a) for a in args], **kwargs)
    if op == "erfinv":
        np.testing.assert_allclose(_erf(b.convert_to_numpy(out).astype(np.float64)), args[0],
                                   atol=1e-5)
        assert b.dtype(out) == "float32"
        return
    _compare(b, out, ref(*args, **kwargs), tol, f"{backend}.{case_id}")


def test_moments(backend):
    b = backends.get(backend)
    mean, var = ops.moments(b.convert_to_tensor(X234), axes=(0, 2))
    _compare(b, (mean, var), (X234.mean((0, 2)), X234.var((0, 2))), 1e-5, "moments")
    mean, var = ops.moments(b.convert_to_tensor(X234.astype(np.float16)), 1, keepdims=True)
    assert b.dtype(mean) == "float16" and b.shape(var) == (2, 1, 4)


def test_segment_max_empty_segment_is_lowest(backend):
    b = backends.get(backend)
    out = b.convert_to_numpy(ops.segment_max(X.T, IDS, num_segments=4))
    assert np.all(np.isneginf(out[3]))


def test_erfinv_edges(backend):
    b = backends.get(backend)
    out = b.convert_to_numpy(ops.erfinv(np.array([-1.0, 0.0, 1.0], np.float32)))
    np.testing.assert_array_equal(out, [-np.inf, 0.0, np.inf])


# ============================================================================ gradients

# (id, function of float tensors, inputs). Each returns a tensor; the test differentiates
# sum(out * weights) with fixed random weights.
GRADS = [
    ("relu6", lambda x: ops.relu6(x * 3), [X]),
    ("hard_sigmoid", lambda x: ops.hard_sigmoid(x * 2), [X]),
    ("hard_silu", lambda x: ops.hard_silu(x * 2), [X]),
    ("log_sigmoid", ops.log_sigmoid, [X]),
    ("sparse_plus", ops.sparse_plus, [X]),
    ("sparse_sigmoid", ops.sparse_sigmoid, [X]),
    ("squareplus", ops.squareplus, [X]),
    ("celu", lambda x: ops.celu(x, 0.7), [X]),
    ("glu", ops.glu, [X234]),
    ("hard_tanh", ops.hard_tanh, [X]),
    ("hard_shrink", ops.hard_shrink, [X]),
    ("soft_shrink", ops.soft_shrink, [X]),
    ("tanh_shrink", ops.tanh_shrink, [X]),
    ("threshold", lambda x: ops.threshold(x, 0.3, 2.0), [X]),
    ("sparsemax", ops.sparsemax, [X]),
    ("moments", lambda x: ops.add(*ops.moments(x, (0, 2))), [X234]),
    ("batch_normalization", lambda x, m, v, o, s: ops.batch_normalization(x, m, v, 1, o, s),
     [X, X[0] * 0.1, POS[0], X[1], X[2]]),
    ("normalize", ops.normalize, [X]),
    ("normalize-l1", lambda x: ops.normalize(x, axis=0, order=1), [X]),
    ("layer_normalization", lambda x, g, b: ops.layer_normalization(x, g, b), [X, X[0], X[1]]),
    ("rms_normalization", lambda x, s: ops.rms_normalization(x, s), [X, X[0]]),
    ("dot_product_attention", lambda q, k, v: ops.dot_product_attention(q, k, v, is_causal=True),
     [Q, K, V]),
    ("separable_conv", lambda x, d, p: ops.separable_conv(x, d, p, padding="same"),
     [IMG[..., :2], rng.normal(size=(3, 3, 2, 2)).astype(np.float32),
      rng.normal(size=(1, 1, 4, 3)).astype(np.float32)]),
    ("psnr", lambda a, b: ops.psnr(a, b, 1.0), [POS, X]),
    ("depth_to_space", lambda x: ops.depth_to_space(x, 2), [IMG]),
    ("top_k", lambda x: ops.top_k(x, 2)[0], [DISTINCT]),
    ("segment_sum", lambda d: ops.segment_sum(d, IDS, 3), [X.T]),
    ("segment_max", lambda d: ops.segment_max(d, IDS, 3), [X.T]),
    ("erfinv", ops.erfinv, [UNIT]),
    ("erfc", ops.erfc, [X]),
    ("extract_sequences", lambda x: ops.extract_sequences(x, 3, 1), [X]),
    ("cdist", ops.cdist, [X, POS[:2]]),
    ("scatter", lambda v: ops.scatter(np.array([[0, 1], [2, 3], [0, 1]]), v, (3, 4)),
     [X[0, :3]]),
    ("scatter_update", lambda x, u: ops.scatter_update(x, np.array([[1], [2]]), u), [X, X[:2]]),
    ("slice", lambda x: ops.slice(x, [0, 1, 1], (2, 2, 2)), [X234]),
    ("slice_update", lambda x, u: ops.slice_update(x, [1, 2], u), [X, POS[:2, :2]]),
    ("unstack", lambda x: ops.multiply(*ops.unstack(x, axis=0)[:2]), [X]),
    ("cond", lambda x: ops.cond(ops.greater(ops.sum(x), 0.0), lambda: ops.sin(x),
                                lambda: ops.square(x)), [X]),
    ("switch", lambda x: ops.switch(2, [ops.sin, ops.cos, ops.tanh], x), [X]),
    ("fori_loop", lambda x: ops.fori_loop(0, 3, lambda i, v: ops.multiply(v, ops.sin(x)), x),
     [X]),
    ("map", lambda x: ops.map(lambda r: ops.multiply(r, ops.sum(r)), x), [X]),
    ("vectorized_map", lambda x: ops.vectorized_map(lambda r: ops.multiply(r, ops.sum(r)), x),
     [X]),
    ("associative_scan", lambda x: ops.associative_scan(ops.multiply, x, axis=1), [X]),
]
WEIGHTS = {}


def _weights(case_id, shape):
    return WEIGHTS.setdefault(case_id, np.random.default_rng(len(case_id)).normal(size=shape))


def _loss(case_id, fn):
    def loss(values):
        out = fn(*values)
        w = _weights(case_id, tuple(ops.shape(out)))
        return ops.sum(ops.multiply(out, ops.cast(w, ops.dtype(out))))
    return loss


def _numpy_grads(case_id, fn, inputs):
    nb = backends.get("numpy")
    with backends.backend_scope("numpy"):
        return [np.asarray(g) for g in nb.value_and_grad(_loss(case_id, fn))(inputs)[1]]


@pytest.mark.parametrize("case_id, fn, inputs", GRADS, ids=[g[0] for g in GRADS])
def test_numpy_gradient_matches_finite_differences(case_id, fn, inputs):
    inputs = [x.astype(np.float64) for x in inputs]
    grads = _numpy_grads(case_id, fn, inputs)
    loss = _loss(case_id, fn)
    eps = 1e-6
    with backends.backend_scope("numpy"):
        for i, x in enumerate(inputs):
            numeric = np.zeros_like(x)
            for idx in np.ndindex(x.shape):
                plus, minus = [v.copy() for v in inputs], [v.copy() for v in inputs]
                plus[i][idx] += eps
                minus[i][idx] -= eps
                numeric[idx] = (float(loss(plus)) - float(loss(minus))) / (2 * eps)
            np.testing.assert_allclose(grads[i], numeric, rtol=1e-4, atol=1e-5,
                                       err_msg=f"{case_id} input {i}")


@pytest.mark.parametrize("case_id, fn, inputs", GRADS, ids=[g[0] for g in GRADS])
def test_backend_gradient_matches_numpy_backend(backend, case_id, fn, inputs):
    if backend == "numpy":
        pytest.skip("the reference itself")
    b = backends.get(backend)
    expected = _numpy_grads(case_id, fn, inputs)
    grads = b.value_and_grad(_loss(case_id, fn))([b.convert_to_tensor(x) for x in inputs])[1]
    for i, (g, e) in enumerate(zip(grads, expected)):
        np.testing.assert_allclose(b.convert_to_numpy(g), e, rtol=2e-4, atol=2e-4,
                                   err_msg=f"{backend} {case_id} input {i}")


# ============================================================================ control flow compiled

def test_control_flow_inside_compile(backend):
    b = backends.get(backend)
    v = Variable(np.array([1.0, 2.0], np.float32), name="v", backend=backend)
    n = Variable(np.array(0, np.int32), name="n", backend=backend)

    def step():
        x = v.value
        doubled = ops.fori_loop(0, 3, lambda i, acc: ops.multiply(acc, 2.0), x)  # x * 8
        picked = ops.cond(ops.greater(ops.sum(x), 10.0), lambda: ops.negative(doubled),
                          lambda: doubled)
        count, _ = ops.while_loop(lambda c, s: ops.less(s, 100.0),
                                  lambda c, s: (ops.add(c, 1), ops.multiply(s, 3.0)),
                                  (ops.convert_to_tensor(np.int32(0)), ops.sum(x)),
                                  maximum_iterations=10)
        chosen = ops.switch(ops.subtract(count, 3), [lambda a: a, lambda a: ops.add(a, 1.0)],
                            picked)  # index -1 clamps to 0
        v.assign(chosen)
        n.assign(count)
        return ops.sum(chosen)

    compiled = b.compile(step, [v, n])
    compiled()
    # sum 3 -> 9 -> 27 -> 81 -> 243: 4 steps; branch 4 - 3 = 1 adds one to [8, 16]
    np.testing.assert_allclose(b.convert_to_numpy(v.value), [9.0, 17.0])
    assert int(b.convert_to_numpy(n.value)) == 4
    compiled()  # now sum 26 > 10: negated; 26 -> 78 -> 234: 2 steps, branch 0
    np.testing.assert_allclose(b.convert_to_numpy(v.value), [-72.0, -136.0])
    assert int(b.convert_to_numpy(n.value)) == 2


def test_value_and_grad_through_cond_and_fori_loop_inside_compile(backend):
    b = backends.get(backend)
    w = Variable(np.array([0.5, -1.5], np.float32), name="w", backend=backend)
    g_out = Variable(np.zeros(2, np.float32), name="g", backend=backend)

    def loss(values):
        (x,) = values
        y = ops.fori_loop(0, 2, lambda i, acc: ops.multiply(acc, x), ops.ones((2,)))  # x^2
        return ops.sum(ops.cond(ops.greater(ops.sum(x), 0.0), lambda: y, lambda: ops.sin(y)))

    def step():
        _, grads = b.value_and_grad(loss)([w.value])
        g_out.assign(grads[0])
        return grads[0]

    b.compile(step, [w, g_out])()
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(b.convert_to_numpy(g_out.value), np.cos(x * x) * 2 * x, rtol=1e-5)


# ============================================================================ custom_gradient

def test_custom_gradient_is_honoured(backend):
    b = backends.get(backend)

    @ops.custom_gradient
    def clipped_square(x):
        def grad(*args, upstream=None):  # Keras 3's portable form
            upstream = args[0] if upstream is None else upstream
            return ops.multiply(upstream, 3.0)
        return ops.square(x), grad

    @ops.custom_gradient
    def scaled_product(x, y):
        return ops.multiply(x, y), lambda g: (ops.multiply(g, 10.0), ops.multiply(g, -1.0))

    x, y = X[0], X[1]
    value, grads = b.value_and_grad(lambda v: ops.sum(clipped_square(v[0])))(
        [b.convert_to_tensor(x)])
    np.testing.assert_allclose(b.convert_to_numpy(value), np.sum(x * x), rtol=1e-6)
    np.testing.assert_allclose(b.convert_to_numpy(grads[0]), np.full(5, 3.0))
    _, grads = b.value_and_grad(lambda v: ops.sum(ops.sin(scaled_product(v[0], v[1]))))(
        [b.convert_to_tensor(x), b.convert_to_tensor(y)])
    upstream = np.cos(x * y)
    np.testing.assert_allclose(b.convert_to_numpy(grads[0]), 10 * upstream, rtol=1e-5)
    np.testing.assert_allclose(b.convert_to_numpy(grads[1]), -upstream, rtol=1e-5)


def test_custom_gradient_inside_compile(backend):
    b = backends.get(backend)
    w = Variable(np.array([1.0, 2.0], np.float32), name="w", backend=backend)

    @ops.custom_gradient
    def identity_with_grad_two(x):
        return ops.multiply(x, 1.0), lambda g: ops.multiply(g, 2.0)

    def step():
        grads = b.value_and_grad(lambda v: ops.sum(identity_with_grad_two(v[0])))([w.value])[1]
        w.assign(ops.subtract(w.value, grads[0]))
        return grads[0]

    b.compile(step, [w])()
    np.testing.assert_allclose(b.convert_to_numpy(w.value), [-1.0, 0.0])


# ============================================================================ property-based

ACTIVATIONS = {
    "relu6": lambda x: np.clip(x, 0, 6),
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "log_sigmoid": lambda x: -np.logaddexp(-x, 0),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
}
floats = hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                    elements=st.floats(-20, 20, width=32, allow_subnormal=False))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=floats)
def test_activation_properties(backend, name, x):
    b = backends.get(backend)
    out = getattr(ops, name)(b.convert_to_tensor(x))
    assert b.shape(out) == x.shape and b.dtype(out) == "float32"
    np.testing.assert_allclose(b.convert_to_numpy(out), ACTIVATIONS[name](x.astype(np.float64)),
                               rtol=1e-5, atol=1e-5)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hnp.arrays(np.float32, st.tuples(st.integers(1, 6), st.integers(1, 3)),
                       elements=st.floats(-5, 5, width=32, allow_subnormal=False)),
       seed=st.integers(0, 1000), segments=st.integers(1, 4))
def test_segment_reductions_property(backend, data, seed, segments):
    b = backends.get(backend)
    ids = np.random.default_rng(seed).integers(0, segments, data.shape[0]).astype(np.int32)
    got_sum = b.convert_to_numpy(ops.segment_sum(data, ids, num_segments=segments))
    got_max = b.convert_to_numpy(ops.segment_max(data, ids, num_segments=segments))
    np.testing.assert_allclose(got_sum, _segment_sum(data, ids, segments), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(got_max, _segment_max(data, ids, segments))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-5, 5, width=32, allow_subnormal=False), unique=True),
       k=st.integers(1, 5))
def test_top_k_property(backend, x, k):
    k = min(k, x.shape[-1])
    b = backends.get(backend)
    values, indices = ops.top_k(x, k)
    values, indices = b.convert_to_numpy(values), b.convert_to_numpy(indices)
    np.testing.assert_array_equal(values, -np.sort(-x, axis=-1)[..., :k])
    np.testing.assert_array_equal(np.take_along_axis(x, indices.astype(np.int64), -1), values)


# ============================================================================ bad input

BAD = [
    ("top_k", lambda: ops.top_k(X, 6), ValueError,
     "ops.top_k: `k` must be in [1, 5] (the size of the last axis of x), received 6."),
    ("top_k-type", lambda: ops.top_k(X, 1.5), TypeError, "ops.top_k: `k` must be an int, received 1.5."),
    ("glu", lambda: ops.glu(X), ValueError,
     "ops.glu: `x`.shape[1] must be even to split it in two halves, received shape (3, 5)."),
    ("glu-axis", lambda: ops.glu(X, axis=2), ValueError,
     "ops.glu: `axis`=2 is out of range for a tensor of rank 2."),
    ("segment_sum", lambda: ops.segment_sum(X, IDS), ValueError,
     ("ops.segment_sum: `segment_ids` must be 1-D with one id per row of `data`, received shapes "
     "data (3, 5) and segment_ids (5,).")),
    ("segment_max-dtype", lambda: ops.segment_max(X.T, IDS.astype(np.float32)), TypeError,
     "ops.segment_max: `segment_ids` must be integers, received dtype float32."),
    ("normalize", lambda: ops.normalize(X, order=0), ValueError,
     "ops.normalize: `order` must be an int >= 1, received 0."),
    ("batch_normalization", lambda: ops.batch_normalization(X, X[0, :3], POS[0], -1), ValueError,
     "ops.batch_normalization: `mean` must have shape (5,) to match x.shape[1], received (3,)."),
    ("dot_product_attention", lambda: ops.dot_product_attention(Q[0], K, V), ValueError,
     ("ops.dot_product_attention: `query` must be 4-D (batch, seq, heads, head_dim), received "
     "shape (4, 2, 3).")),
    ("psnr", lambda: ops.psnr(X, X[:2], 1.0), ValueError,
     "ops.psnr: `x1` and `x2` must have the same shape, received (3, 5) and (2, 5)."),
    ("cond", lambda: ops.cond(True, 1.0, lambda: 0.0), TypeError,
     "ops.cond: `true_fn` must be callable, received float."),
    ("cond-pred", lambda: ops.cond(np.array([True, False]), lambda: 1.0, lambda: 0.0), ValueError,
     "ops.cond: `pred` must be a scalar, received shape (2,)."),
    ("while_loop", lambda: ops.while_loop(lambda x: True, lambda x: x, 1.0, 0), ValueError,
     "ops.while_loop: `maximum_iterations` must be a positive int, received 0."),
    ("scatter", lambda: ops.scatter(np.array([[0, 1]]), np.ones(2, np.float32), (3, 4)),
     ValueError, "ops.scatter: `updates` must have shape (1,), received (2,)."),
    ("slice", lambda: ops.slice(X, [2, 0], (2, 5)), ValueError,
     "ops.slice: block of size (2, 5) at (2, 0) does not fit in `inputs` of shape (3, 5) (axis 0)."),
    ("slice_update-rank", lambda: ops.slice_update(X, [0], np.ones((1, 1), np.float32)),
     ValueError, ("ops.slice_update: `start_indices` and `updates` need one entry per axis of "
                 "`inputs` (rank 2), received 1 and 2.")),
    ("unstack", lambda: ops.unstack(X, num=4), ValueError,
     "ops.unstack: `num`=4 does not match x.shape[0]=3."),
    ("multi_hot", lambda: ops.multi_hot(IDS), ValueError, "ops.multi_hot: `num_classes` is required."),
    ("in_top_k", lambda: ops.in_top_k(IDS, X, 1), ValueError,
     ("ops.in_top_k: `targets` must have shape (batch,) and `predictions` (batch, classes), "
     "received (5,) and (3, 5).")),
    ("switch", lambda: ops.switch(0, []), TypeError,
     "ops.switch: `branches` must be a non-empty sequence of callables."),
    ("space_to_depth", lambda: ops.space_to_depth(IMG[:, :3], 2), ValueError,
     "ops.space_to_depth: spatial size (3, 4) must be divisible by block_size=2."),
]


@pytest.mark.parametrize("case_id, call, error, message", BAD, ids=[c[0] for c in BAD])
def test_bad_input_same_message_on_every_backend(backend, case_id, call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_new_ops_are_public_and_documented():
    names = [n for n in ops.nn.__all__ + ops.math.__all__ + ops.core.__all__
             if ops.declare.REGISTRY[n].kind == "composite"]
    assert len(names) >= 40
    for name in names:
        fn = getattr(ops, name)
        assert name in ops.__all__ and fn.__doc__ and "Args:" in fn.__doc__, name
