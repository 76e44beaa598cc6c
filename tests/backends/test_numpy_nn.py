"""numpy backend nn ops: values vs PyTorch, gradients vs central finite differences (float64)."""

import math

import numpy as np
import pytest

from mini_keras.backends import contract
from mini_keras.backends import numpy as nb
from mini_keras.backends.numpy import autodiff

torch = pytest.importorskip("torch")
F = torch.nn.functional

RNG = np.random.default_rng(1234)
WORST = {"vs_torch": 0.0, "vs_finite_differences": 0.0}  # printed at the end with `pytest -s`


@pytest.fixture(scope="module", autouse=True)
def _report_worst_errors():
    yield
    print(f"\nnumpy nn max abs errors: {WORST}")


def randn(*shape, scale=1.0):
    return (scale * RNG.standard_normal(shape)).astype("float32")


def assert_close(ours, reference, atol=2e-5, rtol=2e-5, key="vs_torch"):
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape, (ours.shape, reference.shape)
    WORST[key] = max(WORST[key], float(np.max(np.abs(ours - reference), initial=0.0)))
    np.testing.assert_allclose(ours, reference, atol=atol, rtol=rtol)


def check_grad(fn, *arrays, wrt=None, eps=1e-6, atol=1e-6, rtol=1e-5):
    """Autodiff gradient of ``sum(fn(*arrays) * cotangent)`` vs central differences, in float64."""
    arrays = [np.asarray(a, np.float64) for a in arrays]
    wrt = list(range(len(arrays))) if wrt is None else list(wrt)
    tensors = [autodiff.Tensor(a) if i in wrt else a for i, a in enumerate(arrays)]
    out = fn(*tensors)
    assert isinstance(out, autodiff.Tensor)
    cotangent = RNG.standard_normal(out.shape)
    loss = autodiff.record(np.sum(out.data * cotangent), (out,), lambda g: (g * cotangent,))
    grads = autodiff.grad(loss, [tensors[i] for i in wrt])

    def scalar(args):
        return float(np.sum(np.asarray(fn(*args)) * cotangent))

    for i, analytic in zip(wrt, grads):
        numeric = np.zeros_like(arrays[i])
        for idx in np.ndindex(arrays[i].shape):
            args = list(arrays)
            for sign in (1, -1):
                args[i] = arrays[i].copy()
                args[i][idx] += sign * eps
                numeric[idx] += sign * scalar(args) / (2 * eps)
        assert analytic.shape == arrays[i].shape
        assert_close(analytic, numeric, atol=atol, rtol=rtol, key="vs_finite_differences")


def t(a):
    return torch.tensor(np.asarray(a))


# ---------------------------------------------------------------------------- activations

ACTIVATIONS = {
    "relu": (nb.relu, F.relu),
    "sigmoid": (nb.sigmoid, torch.sigmoid),
    "softplus": (nb.softplus, F.softplus),
    "softsign": (nb.softsign, F.softsign),
    "silu": (nb.silu, F.silu),
    "gelu_tanh": (nb.gelu, lambda x: F.gelu(x, approximate="tanh")),
    "gelu_erf": (lambda x: nb.gelu(x, approximate=False), F.gelu),
    "elu": (lambda x: nb.elu(x, alpha=0.7), lambda x: F.elu(x, alpha=0.7)),
    "selu": (nb.selu, F.selu),
    "leaky_relu": (nb.leaky_relu, lambda x: F.leaky_relu(x, 0.2)),
    "softmax": (nb.softmax, lambda x: F.softmax(x, dim=-1)),
    "softmax_axis1": (lambda x: nb.softmax(x, axis=1), lambda x: F.softmax(x, dim=1)),
    "log_softmax": (nb.log_softmax, lambda x: F.log_softmax(x, dim=-1)),
    "log_softmax_axis0": (lambda x: nb.log_softmax(x, axis=0), lambda x: F.log_softmax(x, dim=0)),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_match_torch(name):
    ours, theirs = ACTIVATIONS[name]
    x = np.concatenate([randn(3, 6, scale=4.0), [[-100, -30, -1e-3, 0, 30, 100]]]).astype("float32")
    y = ours(x)
    assert y.dtype == np.float32 and np.all(np.isfinite(y))
    assert_close(y, theirs(t(x)).numpy(), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradients(name):
    x = RNG.standard_normal((3, 5)) * 2
    x[np.abs(x) < 1e-3] = 0.5  # stay away from the kinks of relu / leaky_relu / elu
    check_grad(ACTIVATIONS[name][0], x)


def test_python_scalars_and_ints_become_floatx():
    assert nb.sigmoid(0.0).dtype == np.float32
    assert nb.relu(np.array([-1, 2])).dtype == np.float32
    assert nb.leaky_relu(np.float32([-1.0, 2.0])).dtype == np.float32


# ---------------------------------------------------------------------------- cross-entropies

def keras_probs_crossentropy(target, output, axis=-1):
    """Keras 3's reference formula (normalize, clip, log)."""
    output = output / output.sum(axis=axis, keepdims=True)
    return -np.sum(target * np.log(np.clip(output, 1e-7, 1 - 1e-7)), axis=axis)


def test_categorical_crossentropy_from_logits_matches_torch():
    logits, target = randn(5, 4, scale=3.0), np.float32(RNG.dirichlet(np.ones(4), 5))
    ours = nb.categorical_crossentropy(target, logits, from_logits=True)
    assert ours.dtype == np.float32
    assert_close(ours, F.cross_entropy(t(logits), t(target), reduction="none").numpy())
    ours_axis1 = nb.categorical_crossentropy(target.T, logits.T, from_logits=True, axis=0)
    assert_close(ours_axis1, ours, atol=1e-6)
    huge = nb.categorical_crossentropy(target, 1000 * logits, from_logits=True)
    assert np.all(np.isfinite(huge))


def test_categorical_crossentropy_probabilities_follow_keras():
    output = RNG.uniform(0.0, 1.0, (4, 3, 5)).astype("float32")
    output[0, 0] = [0, 0, 1, 0, 0]  # clipped entries
    target = np.float32(np.eye(5)[RNG.integers(0, 5, (4, 3))])
    for axis in (-1, 1):
        ours = nb.categorical_crossentropy(target, output, axis=axis)
        assert_close(ours, keras_probs_crossentropy(target, output, axis), key="vs_torch")


def test_categorical_crossentropy_gradients():
    target, logits = RNG.dirichlet(np.ones(4), 3), RNG.standard_normal((3, 4))
    check_grad(lambda a, b: nb.categorical_crossentropy(a, b, from_logits=True), target, logits)
    probs = RNG.uniform(0.1, 1.0, (3, 4))
    check_grad(lambda a, b: nb.categorical_crossentropy(a, b), target, probs)
    check_grad(lambda a, b: nb.categorical_crossentropy(a, b, axis=0), target, probs)


def test_categorical_crossentropy_shape_mismatch():
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        nb.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4)))


def test_sparse_categorical_crossentropy_matches_torch():
    logits, labels = randn(6, 5, scale=3.0), RNG.integers(0, 5, 6)
    reference = F.cross_entropy(t(logits), t(labels), reduction="none").numpy()
    for target in (labels.astype("int32"), labels[:, None], labels.astype("float32")):
        assert_close(nb.sparse_categorical_crossentropy(target, logits, from_logits=True),
                     reference)
    probs = np.float32(RNG.uniform(0.0, 1.0, (2, 5, 3)))
    labels = RNG.integers(0, 5, (2, 3))
    onehot = np.moveaxis(np.eye(5, dtype="float32")[labels], -1, 1)
    assert_close(nb.sparse_categorical_crossentropy(labels, probs, axis=1),
                 keras_probs_crossentropy(onehot, probs, axis=1))


def test_sparse_categorical_crossentropy_gradients():
    labels = RNG.integers(0, 4, 3)
    check_grad(lambda b: nb.sparse_categorical_crossentropy(labels, b, from_logits=True),
               RNG.standard_normal((3, 4)))
    check_grad(lambda b: nb.sparse_categorical_crossentropy(labels, b), RNG.uniform(.1, 1, (3, 4)))
    logits = autodiff.Tensor(RNG.standard_normal((3, 4)))  # fused rule: softmax - onehot
    loss = _sum(nb.sparse_categorical_crossentropy(labels, logits, from_logits=True))
    (g,) = autodiff.grad(loss, [logits])
    softmax = np.exp(logits.data) / np.exp(logits.data).sum(-1, keepdims=True)
    assert_close(g, softmax - np.eye(4)[labels], atol=1e-12, key="vs_finite_differences")


def _sum(x):
    return autodiff.record(np.sum(x.data), (x,), lambda g: (g * np.ones_like(x.data),))


def test_binary_crossentropy_matches_torch_and_keras():
    logits, target = randn(4, 5, scale=3.0), np.float32(RNG.uniform(0, 1, (4, 5)))
    assert_close(nb.binary_crossentropy(target, logits, from_logits=True),
                 F.binary_cross_entropy_with_logits(t(logits), t(target), reduction="none"))
    assert np.all(np.isfinite(nb.binary_crossentropy(target, 1e4 * logits, from_logits=True)))
    probs = np.float32(RNG.uniform(0, 1, (4, 5)))
    probs[0, :2] = [0.0, 1.0]
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    keras = -(target * np.log(p) + (1 - target) * np.log(1 - p))
    assert_close(nb.binary_crossentropy(target, probs), keras, atol=1e-5)


def test_binary_crossentropy_gradients_and_clip():
    target = RNG.uniform(0, 1, (3, 4))
    check_grad(lambda a, b: nb.binary_crossentropy(a, b, from_logits=True), target,
               RNG.standard_normal((3, 4)))
    check_grad(nb.binary_crossentropy, target, RNG.uniform(0.05, 0.95, (3, 4)))
    output = autodiff.Tensor(np.array([0.0, 0.5, 1.0]))
    (g,) = autodiff.grad(_sum(nb.binary_crossentropy(np.array([0.3, 0.3, 0.3]), output)),
                         [output])
    assert g[0] == 0 and g[2] == 0 and g[1] != 0


# ---------------------------------------------------------------------------- convolution

def same_pads(size, k, stride, dilation):
    span = (k - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def torch_conv(x, w, strides, padding, dilation, groups=None):
    """Reference: channels-last ``x``, Keras kernel; explicit TF-style padding then torch."""
    nd = x.ndim - 2
    strides, dilation = (strides,) * nd if isinstance(strides, int) else strides, (
        (dilation,) * nd if isinstance(dilation, int) else dilation)
    xt = t(np.moveaxis(x, -1, 1))
    if padding == "same":
        pads = [same_pads(n, k, s, d) for n, k, s, d
                in zip(x.shape[1:-1], w.shape[:-2], strides, dilation)]
        xt = F.pad(xt, [p for pair in reversed(pads) for p in pair])
    wt = t(np.transpose(w, (nd + 1, nd, *range(nd))))
    groups = groups or x.shape[-1] // w.shape[-2]
    y = getattr(F, f"conv{nd}d")(xt, wt, stride=strides, dilation=dilation, groups=groups)
    return np.moveaxis(y.numpy(), 1, -1)


CONV_CASES = [  # (input shape channels-last, kernel shape, strides, padding, dilation)
    ((2, 9, 3), (3, 3, 4), 1, "valid", 1),
    ((2, 9, 3), (3, 3, 4), 2, "same", 1),
    ((2, 10, 3), (4, 3, 2), 3, "same", 1),
    ((2, 11, 3), (3, 3, 4), 1, "same", 2),
    ((2, 7, 6, 4), (3, 3, 4, 5), 1, "valid", 1),
    ((2, 7, 6, 4), (3, 2, 4, 5), (2, 1), "same", 1),
    ((2, 8, 8, 4), (3, 3, 2, 6), 2, "same", 1),  # groups=2
    ((1, 9, 8, 4), (3, 3, 1, 8), 1, "same", (2, 1)),  # groups=4
    ((2, 9, 9, 3), (5, 4, 3, 2), (3, 2), "same", 1),
    ((1, 5, 6, 7, 2), (3, 2, 3, 2, 3), (1, 2, 2), "same", 1),  # 3-D
]


@pytest.mark.parametrize("case", CONV_CASES, ids=str)
def test_conv_matches_torch(case):
    x_shape, w_shape, strides, padding, dilation = case
    x, w = randn(*x_shape), randn(*w_shape)
    y = nb.conv(x, w, strides=strides, padding=padding, dilation_rate=dilation)
    assert y.dtype == np.float32
    reference = torch_conv(x, w, strides, padding, dilation)
    assert_close(y, reference, atol=1e-4)
    y_first = nb.conv(np.moveaxis(x, -1, 1), w, strides, padding, "channels_first", dilation)
    assert_close(y_first, np.moveaxis(reference, -1, 1), atol=1e-4)


@pytest.mark.parametrize("case", [CONV_CASES[i] for i in (1, 3, 5, 6)], ids=str)
def test_conv_gradients(case):
    x_shape, w_shape, strides, padding, dilation = case
    x_shape = (1, *[min(n, 6) for n in x_shape[1:-1]], x_shape[-1])
    check_grad(lambda x, w: nb.conv(x, w, strides, padding, None, dilation),
               RNG.standard_normal(x_shape), RNG.standard_normal(w_shape))
    check_grad(lambda x, w: nb.conv(x, w, strides, padding, "channels_first", dilation),
               RNG.standard_normal((1, x_shape[-1], *x_shape[1:-1])), RNG.standard_normal(w_shape))


def test_conv_errors():
    with pytest.raises(ValueError, match="padding"):
        nb.conv(np.ones((1, 5, 2)), np.ones((3, 2, 1)), padding="full")
    with pytest.raises(ValueError, match="conv"):
        nb.conv(np.ones((1, 5, 3)), np.ones((3, 2, 1)))


@pytest.mark.parametrize("case", [((2, 7, 6, 3), (3, 3, 3, 2), 1, "same", 1),
                                  ((2, 9, 4), (3, 4, 1), 2, "valid", 1),
                                  ((1, 8, 8, 2), (2, 3, 2, 3), (2, 1), "same", (1, 2))], ids=str)
def test_depthwise_conv_matches_torch_and_gradients(case):
    x_shape, w_shape, strides, padding, dilation = case
    x, w = randn(*x_shape), randn(*w_shape)
    grouped = w.reshape(*w.shape[:-2], 1, -1)
    reference = torch_conv(x, grouped, strides, padding, dilation, groups=x.shape[-1])
    assert_close(nb.depthwise_conv(x, w, strides, padding, None, dilation), reference, atol=1e-5)
    small = (1, *[min(n, 5) for n in x_shape[1:-1]], x_shape[-1])
    check_grad(lambda a, b: nb.depthwise_conv(a, b, strides, padding, None, dilation),
               RNG.standard_normal(small), RNG.standard_normal(w_shape))


def keras_transpose_crop(n, k, s, d, padding, output_padding):
    """(start, length) of the Keras output inside torch's full transposed conv (Keras' jax rule)."""
    span = (k - 1) * d + 1
    if padding == "valid":
        extra = max(span, s) - span if output_padding is None else output_padding
        left, right = span - 1, span - 1 + extra
    else:
        pad_len = s + span - 2 if output_padding is None else span + span % 2 - 2 + output_padding
        left = min(pad_len // 2 + pad_len % 2, span - 1)
        right = pad_len - left
    return span - 1 - left, (n - 1) * s + 1 + left + right - span + 1


def torch_conv_transpose(x, w, strides, padding, output_padding, dilation):
    """Reference: torch's full transposed conv, then cropped / zero-extended as Keras does."""
    nd = x.ndim - 2
    strides = (strides,) * nd if isinstance(strides, int) else strides
    dilation = (dilation,) * nd if isinstance(dilation, int) else dilation
    extra = (None,) * nd if output_padding is None else (
        (output_padding,) * nd if isinstance(output_padding, int) else output_padding)
    wt = t(np.transpose(w, (nd + 1, nd, *range(nd))))
    full = getattr(F, f"conv_transpose{nd}d")(t(np.moveaxis(x, -1, 1)), wt, stride=strides,
                                              dilation=dilation).numpy()
    index = [slice(None), slice(None)]
    for i, args in enumerate(zip(x.shape[1:-1], w.shape[:-2], strides, dilation)):
        start, length = keras_transpose_crop(*args, padding, extra[i])
        grow = [(0, 0)] * full.ndim
        grow[2 + i] = (0, max(start + length - full.shape[2 + i], 0))
        full = np.pad(full, grow)
        index.append(slice(start, start + length))
    return np.moveaxis(full[tuple(index)], 1, -1)


CONV_T_CASES = [  # (input shape, kernel shape (.., out, in), strides, padding, output_padding, dil)
    ((2, 5, 3), (3, 4, 3), 1, "valid", None, 1),
    ((2, 5, 3), (3, 4, 3), 2, "same", None, 1),
    ((2, 5, 3), (2, 4, 3), 3, "valid", None, 1),
    ((2, 5, 3), (4, 2, 3), 2, "same", 1, 1),
    ((2, 5, 3), (3, 2, 3), 1, "same", None, 2),
    ((2, 4, 5, 3), (3, 3, 2, 3), 2, "same", None, 1),
    ((2, 4, 5, 3), (3, 2, 2, 3), (2, 3), "valid", None, 1),
    ((1, 4, 4, 2), (4, 4, 3, 2), 2, "same", (1, 0), 1),
    ((1, 3, 4, 2), (3, 3, 2, 2), 2, "valid", 1, 1),
    ((1, 4, 3, 2), (3, 1, 2, 2), (2, 3), "same", (1, 2), 1),
]


@pytest.mark.parametrize("case", CONV_T_CASES, ids=str)
def test_conv_transpose_matches_torch(case):
    x_shape, w_shape, strides, padding, output_padding, dilation = case
    x, w = randn(*x_shape), randn(*w_shape)
    y = nb.conv_transpose(x, w, strides, padding, output_padding, None, dilation)
    reference = torch_conv_transpose(x, w, strides, padding, output_padding, dilation)
    assert_close(y, reference, atol=1e-4)
    y_first = nb.conv_transpose(np.moveaxis(x, -1, 1), w, strides, padding, output_padding,
                                "channels_first", dilation)
    assert_close(y_first, np.moveaxis(reference, -1, 1), atol=1e-4)


@pytest.mark.parametrize("case", [CONV_T_CASES[i] for i in (1, 2, 3, 7)], ids=str)
def test_conv_transpose_gradients(case):
    x_shape, w_shape, strides, padding, output_padding, dilation = case
    small = (1, *[min(n, 3) for n in x_shape[1:]])
    check_grad(lambda x, w: nb.conv_transpose(x, w, strides, padding, output_padding, None,
                                              dilation),
               RNG.standard_normal(small), RNG.standard_normal(w_shape))


def test_conv_transpose_bad_output_padding():
    with pytest.raises(ValueError, match="output_padding"):
        nb.conv_transpose(np.ones((1, 4, 2)), np.ones((3, 2, 2)), 2, "valid", output_padding=2)


# ---------------------------------------------------------------------------- pooling

def torch_pool(kind, x, pool_size, strides, padding):
    """Reference: channels-last ``x``; TF "same" padding explicit, average over real entries."""
    nd = x.ndim - 2
    size = (pool_size,) * nd if isinstance(pool_size, int) else pool_size
    strides = size if strides is None else ((strides,) * nd if isinstance(strides, int)
                                            else strides)
    xt = t(np.moveaxis(x, -1, 1))
    pads = [same_pads(n, k, s, 1) if padding == "same" else (0, 0)
            for n, k, s in zip(x.shape[1:-1], size, strides)]
    flat = [p for pair in reversed(pads) for p in pair]
    if kind == "max":
        y = getattr(F, f"max_pool{nd}d")(F.pad(xt, flat, value=-math.inf), size, strides)
    else:
        def window_sum(a):
            return getattr(F, f"avg_pool{nd}d")(F.pad(a, flat), size, strides) * math.prod(size)
        y = window_sum(xt) / window_sum(torch.ones_like(xt))
    return np.moveaxis(y.numpy(), 1, -1)


POOL_CASES = [  # (input shape channels-last, pool_size, strides, padding)
    ((2, 9, 3), 2, None, "valid"),
    ((2, 9, 3), 3, 2, "same"),
    ((2, 10, 3), 3, 1, "same"),
    ((2, 7, 6, 3), 2, None, "valid"),
    ((2, 7, 6, 3), 3, 2, "same"),
    ((2, 7, 7, 2), (3, 2), (1, 2), "same"),
    ((2, 8, 5, 2), (2, 3), None, "same"),
    ((1, 5, 6, 4, 2), 2, None, "same"),  # 3-D
]


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("case", POOL_CASES, ids=str)
def test_pool_matches_torch(kind, case):
    x_shape, pool_size, strides, padding = case
    op = nb.max_pool if kind == "max" else nb.average_pool
    x = randn(*x_shape)
    y = op(x, pool_size, strides, padding)
    assert y.dtype == np.float32
    reference = torch_pool(kind, x, pool_size, strides, padding)
    assert_close(y, reference, atol=1e-6)
    y_first = op(np.moveaxis(x, -1, 1), pool_size, strides, padding, "channels_first")
    assert_close(y_first, np.moveaxis(reference, -1, 1), atol=1e-6)


@pytest.mark.parametrize("kind", ["max", "average"])
@pytest.mark.parametrize("case", [POOL_CASES[i] for i in (1, 2, 4, 5)], ids=str)
def test_pool_gradients(kind, case):
    x_shape, pool_size, strides, padding = case
    op = nb.max_pool if kind == "max" else nb.average_pool
    x = RNG.permutation(math.prod(x_shape)).reshape(x_shape) * 0.01  # distinct: no ties
    check_grad(lambda a: op(a, pool_size, strides, padding), x)
    check_grad(lambda a: op(a, pool_size, strides, padding, "channels_first"),
               np.moveaxis(x, -1, 1))


def test_max_pool_gradient_goes_to_first_maximum():
    x = autodiff.Tensor(np.array([[[1.0], [3.0], [3.0], [0.0]]]))
    (g,) = autodiff.grad(_sum(nb.max_pool(x, 4)), [x])
    np.testing.assert_array_equal(g.ravel(), [0, 1, 0, 0])


def test_exports():
    """The package exports every nn function of the contract, from its nn and conv modules."""
    declared = {name for name, fn in contract.functions().items()
                if fn.__module__ == "mini_keras.backends.contract.nn"}
    assert "conv_transpose" in declared and "sparse_categorical_crossentropy" in declared
    assert declared <= set(nb.__all__)
    assert {getattr(nb, name).__module__ for name in declared} == {
        "mini_keras.backends.numpy.nn", "mini_keras.backends.numpy.conv"}


def test_sparse_labels_out_of_range():
    with pytest.raises(ValueError, match="labels"):
        nb.sparse_categorical_crossentropy(np.array([0, 3]), np.ones((2, 3)))


FLOAT32_CALLS = {
    **{name: (ours, (3, 4)) for name, (ours, _) in ACTIVATIONS.items()},
    "categorical_crossentropy": (lambda a: nb.categorical_crossentropy(np.ones((3, 4), "float32"),
                                                                       a + 2), (3, 4)),
    "categorical_crossentropy_logits": (
        lambda a: nb.categorical_crossentropy(np.ones((3, 4), "float32"), a, True), (3, 4)),
    "sparse_logits": (lambda a: nb.sparse_categorical_crossentropy([0, 1, 2], a, True), (3, 4)),
    "sparse_probs": (lambda a: nb.sparse_categorical_crossentropy([0, 1, 2], a + 2), (3, 4)),
    "binary": (lambda a: nb.binary_crossentropy(np.ones((3, 4), "float32") / 2, a / 9 + 0.5),
               (3, 4)),
    "binary_logits": (lambda a: nb.binary_crossentropy(np.ones((3, 4), "float32"), a, True),
                      (3, 4)),
    "conv": (lambda a: nb.conv(a, np.ones((2, 2, 3, 2), "float32"), 1, "same"), (1, 4, 4, 3)),
    "depthwise": (lambda a: nb.depthwise_conv(a, np.ones((2, 2, 3, 2), "float32")), (1, 4, 4, 3)),
    "conv_transpose": (lambda a: nb.conv_transpose(a, np.ones((2, 2, 2, 3), "float32"), 2),
                       (1, 4, 4, 3)),
    "max_pool": (lambda a: nb.max_pool(a, 2, 1, "same"), (1, 4, 4, 3)),
    "average_pool": (lambda a: nb.average_pool(a, 3, 1, "same"), (1, 4, 4, 3)),
}


@pytest.mark.parametrize("name", FLOAT32_CALLS)
def test_float32_stays_float32_in_value_and_gradient(name):
    fn, shape = FLOAT32_CALLS[name]
    x = autodiff.Tensor(randn(*shape))
    out = fn(x)
    assert out.dtype == np.float32
    grads = out.backward(np.ones_like(out.data))
    assert all(g is None or np.asarray(g).dtype == np.float32 for g in grads), name


def test_sparse_categorical_crossentropy_class_axis_in_the_middle():
    """The fused (softmax - onehot) and the probability rules with the classes on axis 1."""
    labels = RNG.integers(0, 4, (2, 3))
    check_grad(lambda b: nb.sparse_categorical_crossentropy(labels, b, from_logits=True, axis=1),
               RNG.standard_normal((2, 4, 3)))
    check_grad(lambda b: nb.sparse_categorical_crossentropy(labels, b, axis=1),
               RNG.uniform(.1, 1, (2, 4, 3)))
    logits = np.float32(RNG.standard_normal((2, 4, 3)))
    loss = nb.sparse_categorical_crossentropy(labels, logits, from_logits=True, axis=1)
    reference = F.cross_entropy(t(logits), t(labels), reduction="none").numpy()
    assert loss.dtype == np.float32 and loss.shape == (2, 3)
    assert_close(loss, reference)
