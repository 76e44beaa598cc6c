"""ops.rearrange (einops family) and ops.view_as_real / view_as_complex: values vs Keras 3 on
every backend, symbolic shapes, gradients and errors."""

import os

import numpy as np
import pytest

from mini_keras import ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

X = np.random.default_rng(2).random((2, 6, 4, 3)).astype(np.float32)
PATTERNS = [
    ("b h w c -> b c h w", {}), ("b h w c -> (b h) w c", {}), ("b h w c -> h (b w) c", {}),
    ("b h w c -> b (c h w)", {}), ("b (h1 h) (w1 w) c -> (b h1 w1) h w c", {"h1": 2, "w1": 2}),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", {"h1": 3, "w1": 2}),
]


def _keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("pattern, lengths", PATTERNS, ids=[p for p, _ in PATTERNS])
def test_rearrange_matches_keras(backend, pattern, lengths):
    keras = _keras()
    want = np.asarray(keras.ops.rearrange(X, pattern, **lengths))
    got = ops.convert_to_numpy(ops.rearrange(X, pattern, **lengths))
    np.testing.assert_array_equal(got, want)


def test_rearrange_symbolic_and_family():
    keras = _keras()
    import mini_keras as mk
    pattern = "b (h h1) w c -> b h (w c h1)"
    theirs = keras.ops.rearrange(keras.Input((6, 4, 3), batch_size=2), pattern, h1=2)
    ours = ops.rearrange(mk.Input((6, 4, 3), batch_size=2), pattern, h1=2)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.dtype == theirs.dtype
    assert ops.rearrange(mk.Input((6, 4, 3)), pattern, h1=2).shape == (None, 3, 24)
    assert ops.einops.rearrange is ops.rearrange


def test_rearrange_gradient_is_the_inverse_rearrangement(backend):
    pattern, lengths = PATTERNS[-1]
    weights = np.arange(np.prod(X.shape), dtype=np.float32).reshape(2, 2, 2, 18)

    def loss(values):
        return ops.sum(ops.multiply(ops.rearrange(values[0], pattern, **lengths), weights))
    _, (grad,) = ops.value_and_grad(loss)([ops.convert_to_tensor(X)])
    back = ops.rearrange(weights, "b h w (c h1 w1) -> b (h h1) (w w1) c", c=3, **lengths)
    np.testing.assert_array_equal(ops.convert_to_numpy(grad), ops.convert_to_numpy(back))


@pytest.mark.parametrize("pattern, lengths, match", [
    ("b h w -> b h w", {}, "has 3 axes but the tensor has rank 4"),
    ("b h w c -> b h w", {}, r"must name the same axes; only on one side: \['c'\]"),
    ("b (h x) w c -> b h w c x", {}, r"cannot infer the sizes of \['h', 'x'\]"),
    ("b h h c -> b h c", {}, r"axes \['h'\] appear twice"),
    ("b h w c -> b ... c", {}, "unsupported token '.'"),
    ("b h w c", {}, "must be a string 'inputs -> outputs'"),
    ("b (h h1) w c -> b h w c h1", {"h1": 4}, "cannot be split"),
    ("b h w c -> b h w c", {"h1": 4}, r"axes_lengths \['h1'\] are not axes"),
])
def test_rearrange_errors(pattern, lengths, match):
    with pytest.raises(ValueError, match=f"ops.rearrange: .*{match}"):
        ops.rearrange(X, pattern, **lengths)


def test_view_as_real_matches_keras(backend):
    keras = _keras()
    z = np.array([[1 + 2j, 3 - 4j]], np.complex64)
    got = ops.view_as_real(z)
    assert ops.dtype(got) == "float32"
    np.testing.assert_array_equal(ops.convert_to_numpy(got), np.asarray(keras.ops.view_as_real(z)))
    real = np.ones(3, np.float32)
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.view_as_real(real)),
                                  np.asarray(keras.ops.view_as_real(real)))


def test_view_as_complex_refuses_naming_op_and_backend(backend):
    with pytest.raises(NotImplementedError, match=f"ops.view_as_complex: .* {backend} backend"):
        ops.view_as_complex(np.ones((2, 2), np.float32))
