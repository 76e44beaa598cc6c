"""ops.nn ctc_loss, ctc_decode, unfold, fold and polar: values vs Keras 3 on every backend,
gradients vs finite differences, symbolic shapes/dtypes vs Keras 3, errors."""

import os

import numpy as np
import pytest

from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

rng = np.random.default_rng(11)
LOGITS = rng.standard_normal((3, 7, 5)).astype(np.float32)
TARGET = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [3, 3, 3, 1]], np.int32)
TARGET_LENGTH = np.array([3, 0, 2], np.int32)
OUTPUT_LENGTH = np.array([7, 5, 6], np.int32)
IMAGES = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
BLOCKS = [{"kernel_size": 2},
          {"kernel_size": (3, 2), "dilation": (1, 2), "padding": 1, "stride": (2, 1)},
          {"kernel_size": 3, "stride": 2, "padding": (0, 1)}]


def _keras():
    return pytest.importorskip("keras")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


@pytest.mark.parametrize("mask_index", [0, 4, -1])
def test_ctc_loss_matches_keras(backend, mask_index):
    keras = _keras()
    want = np.asarray(keras.ops.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH,
                                         mask_index=mask_index))
    got = ops.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH, mask_index=mask_index)
    assert ops.dtype(got) == "float32" and tuple(ops.shape(got)) == (3,)
    np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("backend_name", ["numpy", "torch", "tensorflow"])
def test_ctc_loss_float64(use_backend, backend_name):
    use_backend(backend_name)
    keras = _keras()
    got = ops.ctc_loss(TARGET, LOGITS.astype(np.float64), TARGET_LENGTH, OUTPUT_LENGTH)
    want = keras.ops.ctc_loss(TARGET, LOGITS.astype(np.float64), TARGET_LENGTH, OUTPUT_LENGTH)
    assert ops.dtype(got) == "float64" == want.dtype.name
    np.testing.assert_allclose(_np(got), np.asarray(want), rtol=1e-5)


def test_ctc_loss_gradient(backend):
    from mini_keras import backends
    logits = LOGITS[:, :5, :4].astype(np.float64)
    target = np.minimum(TARGET, 3)

    def loss(values):
        return ops.sum(ops.ctc_loss(target, values[0], TARGET_LENGTH, np.minimum(OUTPUT_LENGTH, 5)))
    with backends.backend_scope("numpy"):
        def f(a):
            return float(_np(loss([a])))
        numeric = np.zeros_like(logits)
        for idx in np.ndindex(logits.shape):
            step = np.zeros_like(logits)
            step[idx] = 1e-6
            numeric[idx] = (f(logits + step) - f(logits - step)) / 2e-6
    dtype = "float32" if backend in ("jax", "mlx") else "float64"
    _, (grad,) = ops.value_and_grad(loss)([ops.convert_to_tensor(logits.astype(dtype))])
    tol = 1e-6 if dtype == "float64" else 1e-4
    np.testing.assert_allclose(_np(grad), numeric, rtol=tol, atol=tol)


@pytest.mark.parametrize("merge_repeated", [True, False])
@pytest.mark.parametrize("mask_index", [0, -1])
def test_ctc_decode_greedy_matches_keras(backend, merge_repeated, mask_index):
    keras = _keras()
    want = keras.ops.ctc_decode(LOGITS, OUTPUT_LENGTH, merge_repeated=merge_repeated,
                                mask_index=mask_index)
    got = ops.ctc_decode(LOGITS, OUTPUT_LENGTH, merge_repeated=merge_repeated,
                         mask_index=mask_index)
    assert ops.dtype(got[0]) == "int32" and ops.dtype(got[1]) == "float32"
    np.testing.assert_array_equal(_np(got[0]), np.asarray(want[0]))
    np.testing.assert_allclose(_np(got[1]), np.asarray(want[1]), rtol=1e-5)


def test_ctc_decode_refusals():
    with pytest.raises(NotImplementedError, match="ops.ctc_decode: strategy='beam_search'"):
        ops.ctc_decode(LOGITS, OUTPUT_LENGTH, strategy="beam_search")
    with pytest.raises(ValueError, match="ops.ctc_decode: `strategy` must be"):
        ops.ctc_decode(LOGITS, OUTPUT_LENGTH, strategy="best")
    with pytest.raises(ValueError, match="ops.ctc_decode: greedy decoding gives one path"):
        ops.ctc_decode(LOGITS, OUTPUT_LENGTH, top_paths=2)
    with pytest.raises(ValueError, match=r"ops.ctc_loss: `target` must be \(batch"):
        ops.ctc_loss(TARGET[0], LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)


def test_ctc_symbolic_shapes_match_keras():
    keras = _keras()
    import mini_keras as mk
    theirs = [keras.Input((7, 5)), keras.Input((4,), dtype="int32"), keras.Input((), dtype="int32")]
    ours = [mk.Input((7, 5)), mk.Input((4,), dtype="int32"), mk.Input((), dtype="int32")]
    for fn in (lambda x, t, n, lib: lib.ops.ctc_loss(t, x, n, n),
               lambda x, t, n, lib: lib.ops.ctc_decode(x, n)):
        a, b = fn(*theirs, keras), fn(*ours, mk)
        a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
        assert [(tuple(t.shape), t.dtype) for t in b] == [(tuple(t.shape), t.dtype) for t in a]


@pytest.mark.parametrize("kwargs", BLOCKS, ids=["k2", "dilated", "strided"])
def test_unfold_and_fold_match_keras(backend, kwargs):
    keras = _keras()
    want = np.asarray(keras.ops.unfold(IMAGES, **kwargs))
    got = ops.unfold(IMAGES, **kwargs)
    np.testing.assert_array_equal(_np(got), want)
    folded = np.asarray(keras.ops.fold(want, (7, 6), **kwargs))
    np.testing.assert_allclose(_np(ops.fold(got, (7, 6), **kwargs)), folded, rtol=1e-6,
                               atol=1e-6)


def test_fold_is_the_gradient_of_unfold(backend):
    kwargs = BLOCKS[1]
    weights = rng.standard_normal(tuple(ops.shape(ops.unfold(IMAGES, **kwargs)))).astype(np.float32)

    def loss(values):
        return ops.sum(ops.multiply(ops.unfold(values[0], **kwargs), weights))
    _, (grad,) = ops.value_and_grad(loss)([ops.convert_to_tensor(IMAGES)])
    np.testing.assert_allclose(_np(grad), _np(ops.fold(weights, (7, 6), **kwargs)), rtol=1e-5,
                               atol=1e-5)


def test_unfold_fold_symbolic_and_errors():
    keras = _keras()
    import mini_keras as mk
    theirs = keras.ops.unfold(keras.Input((3, 7, 6)), **BLOCKS[1])
    ours = ops.unfold(mk.Input((3, 7, 6)), **BLOCKS[1])
    assert tuple(ours.shape) == tuple(theirs.shape)
    back = ops.fold(ours, (7, 6), **BLOCKS[1])
    assert tuple(back.shape) == tuple(keras.ops.fold(theirs, (7, 6), **BLOCKS[1]).shape)
    with pytest.raises(ValueError, match="ops.unfold: `x` must be a 4-D"):
        ops.unfold(IMAGES[0], 2)
    with pytest.raises(ValueError, match="ops.unfold: `kernel_size` must be an int or a pair"):
        ops.unfold(IMAGES, (2, 2, 2))
    with pytest.raises(ValueError, match="ops.fold: `x` of shape"):
        ops.fold(np.zeros((1, 5, 4), np.float32), (4, 4), 2, stride=2)


def test_polar_refuses_naming_op_and_backend(backend):
    with pytest.raises(NotImplementedError, match=f"ops.polar: .* {backend} backend"):
        ops.polar(np.ones(2, np.float32), np.zeros(2, np.float32))
