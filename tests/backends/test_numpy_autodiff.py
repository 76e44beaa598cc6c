"""Gradients of the numpy backend's ops against central finite differences (float64).

One helper, :func:`check_grad`, is reused for every op: it contracts the op's output with fixed
random weights (so the whole Jacobian is exercised, not just its column sums), differentiates
with the backend's ``value_and_grad`` and compares against central differences.
"""

import numpy as np
import pytest

from mini_keras.backends import numpy as nb
from mini_keras.backends.numpy.autodiff import Tensor

RNG = np.random.default_rng(0)


def rand(*shape, low=-2.0, high=2.0):
    """Random float64 array of ``shape``."""
    return RNG.uniform(low, high, size=shape)


def positive(*shape):
    """Random float64 array of ``shape`` in ``[0.5, 2)``."""
    return rand(*shape, low=0.5, high=2.0)


def check_grad(fn, *arrays, eps=1e-6):
    """Assert ``value_and_grad`` of ``sum(fn(*arrays) * w)`` matches finite differences.

    Returns the largest error relative to ``max(1, |numeric gradient|)``.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    out = nb.convert_to_numpy(fn(*arrays))
    weights = np.random.default_rng(1).normal(size=out.shape)

    def loss(*xs):
        return nb.sum(nb.multiply(fn(*xs), weights))

    value, grads = nb.value_and_grad(lambda leaves: loss(*leaves))(arrays)
    np.testing.assert_allclose(value, np.sum(out * weights), rtol=1e-12, atol=1e-12)
    worst = 0.0
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            bumped = [x.copy() for x in arrays]
            bumped[i][idx] += eps
            up = float(loss(*bumped))
            bumped[i][idx] -= 2 * eps
            numeric[idx] = (up - float(loss(*bumped))) / (2 * eps)
        assert grads[i].shape == a.shape, f"input {i}: gradient shape {grads[i].shape}"
        err = float(np.max(np.abs(grads[i] - numeric), initial=0.0)) / max(
            1.0, float(np.max(np.abs(numeric), initial=0.0)))
        assert err < 1e-6, f"input {i}: analytic {grads[i]} vs numeric {numeric}"
        worst = max(worst, err)
    return worst


# (id, fn, inputs): broadcasting shapes on purpose
CASES = [
    # elementwise, with broadcasting
    ("add", nb.add, (rand(3, 4), rand(4))),
    ("add_scalar_operand", nb.add, (rand(2, 1, 3), rand())),
    ("subtract", nb.subtract, (rand(2, 1, 3), rand(4, 1))),
    ("multiply", nb.multiply, (rand(3, 1), rand(1, 4))),
    ("multiply_python_float", lambda x: nb.multiply(x, 2.5), (rand(3, 2),)),
    ("divide", nb.divide, (rand(3, 4), positive(3, 1))),
    ("rtruediv_operator", lambda x: 1.0 / x, (positive(4),)),
    ("power", nb.power, (positive(3, 4), rand(4))),
    ("power_const_exponent", lambda x: nb.power(x, 3), (rand(2, 3),)),
    ("maximum", nb.maximum, (rand(3, 4), rand(4))),
    ("minimum", nb.minimum, (rand(2, 3), rand(2, 1))),
    ("negative", nb.negative, (rand(3),)),
    ("abs", nb.abs, (rand(5),)),
    ("exp", nb.exp, (rand(2, 3),)),
    ("log", nb.log, (positive(2, 3),)),
    ("log1p", nb.log1p, (positive(4),)),
    ("expm1", nb.expm1, (rand(4),)),
    ("sqrt", nb.sqrt, (positive(4),)),
    ("square", nb.square, (rand(4),)),
    ("sin", nb.sin, (rand(4),)),
    ("cos", nb.cos, (rand(4),)),
    ("tanh", nb.tanh, (rand(4),)),
    ("erf", nb.erf, (rand(4),)),
    ("sign", nb.sign, (rand(4),)),
    ("floor", nb.floor, (rand(4) + 0.01,)),
    ("round", nb.round, (np.array([0.2, 1.3, -0.7]),)),
    ("where", lambda a, b: nb.where(np.array([True, False, True]), a, b), (rand(2, 3), rand(3))),
    ("clip", lambda x: nb.clip(x, -1.0, 1.0), (np.array([-1.5, -0.5, 0.3, 1.7]),)),
    ("clip_tensor_bounds", nb.clip, (np.array([-1.5, -0.5, 0.3, 1.7]), rand(1) - 3, rand(4) + 5)),
    # reductions
    ("sum_all", nb.sum, (rand(3, 4),)),
    ("sum_axis", lambda x: nb.sum(x, axis=1), (rand(3, 4, 2),)),
    ("sum_tuple_keepdims", lambda x: nb.sum(x, axis=(0, 2), keepdims=True), (rand(3, 4, 2),)),
    ("mean_neg_axis", lambda x: nb.mean(x, axis=-1), (rand(3, 4),)),
    ("mean_all_keepdims", lambda x: nb.mean(x, keepdims=True), (rand(3, 4),)),
    ("max_axis", lambda x: nb.max(x, axis=0), (rand(3, 4),)),
    ("min_all", nb.min, (rand(3, 4),)),
    ("prod_axis", lambda x: nb.prod(x, axis=1), (rand(3, 4),)),
    ("prod_with_zero", nb.prod, (np.array([[1.5, 0.0, -2.0], [0.5, 3.0, 1.0]]),)),
    ("var_axis", lambda x: nb.var(x, axis=0), (rand(4, 3),)),
    ("var_all_keepdims", lambda x: nb.var(x, keepdims=True), (rand(4, 3),)),
    ("cumsum_axis", lambda x: nb.cumsum(x, axis=1), (rand(3, 4),)),
    ("cumsum_flat", nb.cumsum, (rand(3, 4),)),
    ("logsumexp_axis", lambda x: nb.logsumexp(x, axis=-1), (rand(3, 4) * 50,)),
    ("logsumexp_all", nb.logsumexp, (rand(3, 4),)),
    # shapes & indexing
    ("reshape", lambda x: nb.reshape(x, (4, -1)), (rand(2, 6),)),
    ("transpose", lambda x: nb.transpose(x, (2, 0, 1)), (rand(2, 3, 4),)),
    ("transpose_default", nb.transpose, (rand(2, 3, 4),)),
    ("expand_dims", lambda x: nb.expand_dims(x, 1), (rand(2, 3),)),
    ("squeeze", lambda x: nb.squeeze(x, 1), (rand(2, 1, 3),)),
    ("concatenate", lambda a, b: nb.concatenate([a, b], axis=-1), (rand(2, 3), rand(2, 2))),
    ("stack", lambda a, b: nb.stack([a, b], axis=1), (rand(2, 3), rand(2, 3))),
    ("split_sections", lambda x: nb.split(x, 2, axis=1)[1] * 3, (rand(2, 4),)),
    ("split_indices", lambda x: nb.concatenate(nb.split(x, [1, 3])[::-1]), (rand(5, 2),)),
    ("broadcast_to", lambda x: nb.broadcast_to(x, (2, 3, 4)), (rand(3, 1),)),
    ("tile", lambda x: nb.tile(x, (2, 1, 3)), (rand(2, 3),)),
    ("repeat_int", lambda x: nb.repeat(x, 3, axis=1), (rand(2, 3),)),
    ("repeat_array", lambda x: nb.repeat(x, [2, 0, 1], axis=0), (rand(3, 2),)),
    ("repeat_flat", lambda x: nb.repeat(x, 2), (rand(2, 2),)),
    ("flip", lambda x: nb.flip(x, 1), (rand(2, 3),)),
    ("pad_constant", lambda x: nb.pad(x, ((1, 0), (2, 1)), constant_values=3.0), (rand(2, 3),)),
    ("pad_reflect", lambda x: nb.pad(x, ((2, 1), (1, 2)), mode="reflect"), (rand(3, 4),)),
    ("pad_symmetric", lambda x: nb.pad(x, 2, mode="symmetric"), (rand(3, 2),)),
    ("take_flat_repeated", lambda x: nb.take(x, np.array([0, 5, 5, -1])), (rand(2, 3),)),
    ("take_axis", lambda x: nb.take(x, np.array([[2, 0], [2, 2]]), axis=1), (rand(2, 3, 2),)),
    ("take_along_axis", lambda x: nb.take_along_axis(x, np.array([[0, 0], [2, 1]]), axis=1),
     (rand(2, 3),)),
    ("getitem_slices", lambda x: x[1:, None, ::2], (rand(3, 4),)),
    ("getitem_ellipsis_int", lambda x: nb.getitem(x, (Ellipsis, 1)), (rand(2, 3, 4),)),
    ("getitem_repeated_index", lambda x: nb.getitem(x, np.array([0, 2, 0])), (rand(3, 2),)),
    ("getitem_bool_mask", lambda x: nb.getitem(x, np.array([True, False, True])), (rand(3, 2),)),
    ("getitem_tensor_key", lambda x: nb.getitem(x, (slice(None), Tensor(np.array([1, 1])))),
     (rand(2, 3),)),
    ("sort", lambda x: nb.sort(x, axis=0), (rand(4, 3),)),
    ("scatter_add", lambda x, u: nb.scatter_add(x, np.array([[0, 1], [2, 0], [0, 1]]), u),
     (rand(3, 2), rand(3))),
    ("cast_float64", lambda x: nb.cast(x, "float64") * 2.0, (rand(3),)),
    ("full_tensor_fill", lambda v: nb.full((2, 3), v), (rand(),)),
    # linear algebra
    ("matmul", nb.matmul, (rand(3, 4), rand(4, 2))),
    ("matmul_batch_broadcast", nb.matmul, (rand(2, 1, 3, 4), rand(5, 4, 2))),
    ("matmul_vec_vec", nb.matmul, (rand(4), rand(4))),
    ("matmul_vec_mat", nb.matmul, (rand(4), rand(2, 4, 3))),
    ("matmul_mat_vec", nb.matmul, (rand(2, 3, 4), rand(4))),
    ("matmul_operator", lambda a, b: a @ b - a[:, :1],
     (rand(2, 3), rand(3))),
    ("einsum_matmul", lambda a, b: nb.einsum("ij,jk->ik", a, b), (rand(2, 3), rand(3, 4))),
    ("einsum_implicit", lambda a, b: nb.einsum("ij,kj", a, b), (rand(2, 3), rand(4, 3))),
    ("einsum_batched", lambda a, b: nb.einsum("bij,bjk->bik", a, b), (rand(2, 2, 3), rand(2, 3, 2))),
    ("einsum_ellipsis", lambda a, b: nb.einsum("...ij,jk->...ik", a, b),
     (rand(2, 3, 4), rand(4, 2))),
    ("einsum_summed_away", lambda a, b: nb.einsum("ab,bc->c", a, b), (rand(2, 3), rand(3, 4))),
    ("einsum_dot", lambda a, b: nb.einsum("i,i->", a, b), (rand(4), rand(4))),
    ("einsum_outer", lambda a, b: nb.einsum("i,j->ij", a, b), (rand(3), rand(2))),
    ("einsum_unary", lambda a: nb.einsum("ij->j", a), (rand(3, 2),)),
    ("einsum_three", lambda a, b, c: nb.einsum("ij,jk,k->i", a, b, c),
     (rand(2, 3), rand(3, 4), rand(4))),
    ("einsum_three_ellipsis", lambda a, b, c: nb.einsum("...i,ij,...j->...", a, b, c),
     (rand(2, 3), rand(3, 4), rand(1, 4))),
]


@pytest.mark.parametrize("fn,inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_gradient_matches_finite_differences(fn, inputs):
    check_grad(fn, *inputs)


# ---------------------------------------------------------------------------- control flow


def _rnn(w, xs, reverse=False):
    def step(carry, x):
        h = nb.tanh(nb.add(nb.matmul(carry, w), x))
        return h, nb.sum(h * h, axis=-1)
    _, ys = nb.scan(step, nb.zeros((2, 3), "float64"), xs, reverse=reverse)
    return ys


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_gradient(reverse):
    check_grad(lambda w, xs: _rnn(w, xs, reverse), rand(3, 3) * 0.5, rand(4, 2, 3))


def test_scan_lists_and_length():
    def step(carry, x):
        a, b = carry
        return [a + b, a], [a, b * 2.0]
    (a, b), (ys_a, ys_b) = nb.scan(step, [np.float64(1.0), np.float64(1.0)], length=5)
    assert (float(a), float(b)) == (13.0, 8.0)
    np.testing.assert_array_equal(ys_a, [1, 2, 3, 5, 8])
    np.testing.assert_array_equal(ys_b, [2, 2, 4, 6, 10])
    xs = [rand(4, 3), rand(4, 3)]
    check_grad(lambda x0: nb.scan(lambda c, x: (c * x[0] + x[1], c), x0, xs)[0], rand(3))


# ---------------------------------------------------------------------------- special gradients


def _grad(fn, *arrays):
    return nb.value_and_grad(lambda leaves: fn(*leaves))(list(arrays))[1]


def test_max_ties_share_gradient():
    (g,) = _grad(nb.max, np.array([1.0, 3.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5])


def test_maximum_ties_go_to_first():
    g1, g2 = _grad(lambda a, b: nb.sum(nb.maximum(a, b)), np.array([1.0, 2.0]),
                   np.array([1.0, 3.0]))
    np.testing.assert_array_equal(g1, [1.0, 0.0])
    np.testing.assert_array_equal(g2, [0.0, 1.0])


def test_unconnected_input_gets_zeros_and_aux_is_detached():
    def fn(leaves):
        y = nb.sum(leaves[0] * 2.0)
        return y, {"y": [y, leaves[0]]}
    (value, aux), (g0, g1) = nb.value_and_grad(fn, has_aux=True)(
        [np.ones(3, np.float32), np.ones((2, 2), np.float32)])
    assert float(value) == 6.0 and isinstance(value, np.ndarray)
    assert all(isinstance(v, np.ndarray) for v in aux["y"])
    np.testing.assert_array_equal(g0, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(g1, np.zeros((2, 2)))
    assert g0.dtype == np.float32


def test_non_scalar_loss_raises():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        nb.value_and_grad(lambda leaves: leaves[0] * 2.0)([np.ones(3)])


def test_einsum_repeated_index_gradient_raises():
    with pytest.raises(NotImplementedError, match="einsum"):
        _grad(lambda a: nb.einsum("ii->", a), np.eye(3))


def test_cast_gradient_back_to_float32():
    (g,) = _grad(lambda x: nb.sum(nb.cast(x, "float64") * 3.0), np.ones(2, np.float32))
    assert g.dtype == np.float32 and np.all(g == 3.0)


def test_stop_gradient_blocks():
    (g,) = _grad(lambda x: nb.sum(x * nb.stop_gradient(x)), np.array([2.0, 3.0]))
    np.testing.assert_array_equal(g, [2.0, 3.0])


# ---------------------------------------------------------------------------- dtypes & basics


def test_float32_stays_float32():
    x = np.ones(3, np.float32)
    assert nb.add(x, 0.5).dtype == np.float32
    assert nb.multiply(x, np.float64(2.0)).dtype == np.float32
    assert nb.divide(2.0, Tensor(x)).dtype == np.float32
    assert nb.add(np.arange(3, dtype=np.int32), 0.5).dtype == np.float32
    assert nb.exp(1.0).dtype == np.float32


def test_convert_and_dtypes():
    assert nb.dtype(nb.convert_to_tensor(1.0)) == "float32"
    assert nb.dtype(nb.convert_to_tensor([1.0, 2.0])) == "float32"
    assert nb.dtype(nb.convert_to_tensor(3)) == "int32"
    assert nb.dtype(nb.convert_to_tensor(True)) == "bool"
    assert nb.dtype(nb.convert_to_tensor(np.ones(2, np.float64))) == "float64"
    assert nb.dtype(nb.convert_to_tensor([1, 2], dtype="float16")) == "float16"
    assert nb.dtype(nb.argmax(np.ones((2, 3)), axis=1)) == "int32"
    assert nb.dtype(nb.argsort(np.ones(3))) == "int32"
    assert nb.dtype(nb.arange(4)) == "int32"
    assert nb.dtype(nb.arange(0.0, 1.0, 0.5)) == "float32"
    assert nb.dtype(nb.zeros((2,))) == "float32"
    assert nb.shape(np.ones((2, 3))) == (2, 3)
    assert nb.is_tensor(np.ones(2)) and nb.is_tensor(Tensor(np.ones(2))) and not nb.is_tensor(1.0)
    assert nb.device() == "cpu"


def test_inference_returns_plain_arrays():
    x = np.ones((2, 3), np.float32)
    for out in (nb.matmul(x, x.T), nb.sum(x), nb.getitem(x, 0), nb.exp(x), nb.split(x, 3, 1)[0]):
        assert type(out) is np.ndarray


def test_variables():
    init = np.ones(3, np.float64)
    handle = nb.variable_create(init, "float32", True)
    init[0] = 5.0
    assert handle.dtype == np.float32 and handle[0] == 1.0
    new = nb.variable_assign(handle, Tensor(np.full(3, 2.0)))
    assert type(new) is np.ndarray and new.dtype == np.float32
    assert nb.variable_read(new) is new


def test_random_is_seeded():
    a = nb.random_uniform((3, 2), seed=(1, 2))
    np.testing.assert_array_equal(a, nb.random_uniform((3, 2), seed=np.array([1, 2])))
    assert a.dtype == np.float32 and np.all((a >= 0) & (a < 1))
    b = nb.random_normal((1000,), mean=2.0, stddev=0.5, seed=(3, 4))
    assert b.dtype == np.float32 and abs(float(b.mean()) - 2.0) < 0.1


def test_one_hot_and_scatter():
    np.testing.assert_array_equal(nb.one_hot(np.array([2, 0, -1]), 3),
                                  [[0, 0, 1], [1, 0, 0], [0, 0, 0]])
    assert nb.one_hot(np.array([1]), 2, axis=0).shape == (2, 1)
    out = nb.scatter_add(np.zeros((2, 2)), np.array([[0, 1], [0, 1]]), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(out, [[0, 3], [0, 0]])


# ---------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,)),
                                    ((2, 1, 3, 4), (5, 4, 2))],
                         ids=["mat_mat", "vec_batch", "batch_vec", "batch_broadcast"])
def test_matmul_gradient_with_a_constant_operand(shapes):
    """One operand constant (like a Dense layer's input batch): the other's gradient is exact."""
    a, b = rand(*shapes[0]), rand(*shapes[1])
    check_grad(lambda w: nb.matmul(a, w), b)
    check_grad(lambda x: nb.matmul(x, b), a)


def test_matmul_backward_skips_the_constant_operand():
    x, w, g = rand(3, 4), rand(4, 2), rand(3, 2)
    ga, gw = nb.matmul(x, Tensor(w)).backward(g)
    assert ga is None
    np.testing.assert_allclose(gw, x.T @ g, rtol=1e-12)
    ga, gw = nb.matmul(Tensor(x), w).backward(g)
    assert gw is None
    np.testing.assert_allclose(ga, g @ w.T, rtol=1e-12)


def test_elementwise_dtype_rules_on_fast_and_slow_paths():
    f16, f32 = np.ones(2, np.float16), np.ones(2, np.float32)
    i32, i64, flags = np.ones(2, np.int32), np.ones(2, np.int64), np.ones(2, bool)
    assert nb.add(f32, Tensor(f32)).dtype == np.float32     # only float arrays: unchanged
    assert nb.add(i32, i64).dtype == np.int64               # only int arrays: numpy's rule
    assert nb.add(i32, f16).dtype == np.float16             # int meets float: takes its dtype
    assert nb.add(Tensor(f16), i64).dtype == np.float16
    assert nb.multiply(flags, f32).dtype == np.float32
    assert nb.add(i32, 0.5).dtype == np.float32             # float scalar with ints: floatx
    assert nb.add(f16, 0.5).dtype == np.float16             # weak scalar keeps the array dtype
    assert nb.multiply(i32, 3).dtype == np.int32
    assert nb.multiply(f16, np.float64(2.0)).dtype == np.float16
    assert nb.add(np.float32(1.0), 2.0).dtype == np.float32  # no array at all: converted
