"""``ops.adaptive_average_pool`` / ``ops.adaptive_max_pool`` on every backend: values against
Keras 3 and a brute-force numpy reference, dtypes, symbolic shapes, gradients, errors."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest

import mini_keras
from mini_keras import backends, ops

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

CASES = [  # (input shape, output_size, data_format)
    ((2, 7, 3), 3, "channels_last"),
    ((1, 2, 5), (8,), "channels_first"),  # more bins than inputs: bins overlap
    ((2, 5, 6, 2), (2, 4), "channels_last"),
    ((1, 3, 6, 4), 4, "channels_first"),
    ((1, 4, 5, 3, 2), (3, 2, 2), "channels_last"),
    ((1, 2, 3, 4, 5), 2, "channels_first"),
]
IDS = [f"{len(c[0]) - 2}d-{c[2][9:]}-{i}" for i, c in enumerate(CASES)]
REDUCE = {"adaptive_average_pool": np.mean, "adaptive_max_pool": np.max}


def _reference(x: np.ndarray, output_size, data_format: str, reduce) -> np.ndarray:
    """Box by box from the definition: bin i of L -> n is floor(i*L/n) <= j < ceil((i+1)*L/n)."""
    if data_format == "channels_first":
        x = np.moveaxis(x, 1, -1)
    spatial = x.shape[1:-1]
    sizes = (output_size,) * len(spatial) if isinstance(output_size, int) else output_size
    out = np.zeros((x.shape[0], *sizes, x.shape[-1]), x.dtype)
    for box in itertools.product(*(range(n) for n in sizes)):
        index = tuple(slice(int(np.floor(i * L / n)), int(np.ceil((i + 1) * L / n)))
                      for i, L, n in zip(box, spatial, sizes))
        window = x[(slice(None), *index)]
        out[(slice(None), *box)] = reduce(window.reshape(x.shape[0], -1, x.shape[-1]), axis=1)
    return out if data_format == "channels_last" else np.moveaxis(out, -1, 1)


def _x(shape, dtype="float32"):
    return np.random.default_rng(sum(shape)).normal(size=shape).astype(dtype)


@pytest.mark.parametrize("op", sorted(REDUCE))
@pytest.mark.parametrize(("shape", "output_size", "data_format"), CASES, ids=IDS)
def test_values_match_keras_and_definition(backend, op, shape, output_size, data_format):
    keras3 = pytest.importorskip("keras")
    x = _x(shape)
    got = ops.convert_to_numpy(getattr(ops, op)(x, output_size, data_format=data_format))
    expected = _reference(x.astype("float64"), output_size, data_format, REDUCE[op])
    # float32 means of at most 8 O(1) values: a few ulps
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    theirs = np.asarray(getattr(keras3.ops, op)(keras3.ops.convert_to_tensor(x), output_size,
                                                data_format=data_format))
    np.testing.assert_allclose(got, theirs, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("op", sorted(REDUCE))
def test_default_data_format_is_the_config(backend, op):
    x = _x((1, 5, 4, 2))
    mini_keras.config.set_image_data_format("channels_first")
    try:
        got = ops.convert_to_numpy(getattr(ops, op)(x, (2, 3)))
    finally:
        mini_keras.config.set_image_data_format("channels_last")
    np.testing.assert_allclose(got, _reference(x, (2, 3), "channels_first", REDUCE[op]),
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("op", "dtype", "expected"), [
    ("adaptive_average_pool", "float32", "float32"),
    ("adaptive_average_pool", "float16", "float16"),
    ("adaptive_average_pool", "int32", "float32"),  # as Keras 3 on JAX (floatx)
    ("adaptive_max_pool", "float16", "float16"),
    ("adaptive_max_pool", "int32", "int32"),
])
def test_dtypes(backend, op, dtype, expected):
    if dtype == "float16" and not backends.supports("float16", backend):
        pytest.skip(f"{backend} has no float16")
    x = (np.arange(40).reshape(1, 5, 4, 2) % 7).astype(dtype)
    out = getattr(ops, op)(x, 2)
    assert ops.dtype(out) == expected
    np.testing.assert_allclose(ops.convert_to_numpy(out).astype("float64"),
                               _reference(x.astype("float64"), 2, "channels_last", REDUCE[op]),
                               rtol=1e-3)  # float16: 11-bit mantissa


@pytest.mark.parametrize("op", sorted(REDUCE))
def test_symbolic_shapes(op):
    keras3 = pytest.importorskip("keras")
    # channels_first: Keras 3's symbolic shape is right, ours must equal it
    for shape, size in (((3, 6, 5), (2, 2)), ((3, None, None), (4, 1)), ((2, 5, 4, 3), 2)):
        if isinstance(size, int):  # Keras' symbolic path needs a tuple
            theirs = getattr(keras3.ops, op)(keras3.Input(shape), (size,) * 3,
                                             data_format="channels_first")
        else:
            theirs = getattr(keras3.ops, op)(keras3.Input(shape), size,
                                             data_format="channels_first")
        ours = getattr(ops, op)(mini_keras.Input(shape), size, data_format="channels_first")
        assert (tuple(ours.shape), ours.dtype) == (tuple(theirs.shape), theirs.dtype)
    # channels_last: Keras 3.15's symbolic shape keeps a spatial axis too many ((None, 6, 2, 2,
    # 3) here); ours is the shape its eager op returns
    ours = getattr(ops, op)(mini_keras.Input((6, 5, 3)), (2, 2))
    eager = getattr(keras3.ops, op)(keras3.ops.zeros((1, 6, 5, 3)), (2, 2))
    assert tuple(ours.shape) == (None, *eager.shape[1:])


@pytest.mark.parametrize("op", sorted(REDUCE))
@pytest.mark.parametrize(("shape", "output_size", "data_format"),
                         [CASES[0], CASES[3], CASES[5]], ids=[IDS[0], IDS[3], IDS[5]])
def test_gradients_match_finite_differences(backend, op, shape, output_size, data_format):
    x = _x(shape)
    weights = _x(np.shape(_reference(x, output_size, data_format, np.mean))).astype("float64")

    def loss(values):
        out = getattr(ops, op)(values[0], output_size, data_format=data_format)
        return ops.sum(ops.multiply(out, ops.cast(weights, ops.dtype(out))))

    _, grads = ops.value_and_grad(loss)([ops.convert_to_tensor(x)])
    got = ops.convert_to_numpy(grads[0])
    # central differences of the float64 definition (no ties in random data: max is smooth)
    x64, eps, expected = x.astype("float64"), 1e-6, np.zeros(shape)
    for idx in np.ndindex(shape):
        up, down = x64.copy(), x64.copy()
        up[idx] += eps
        down[idx] -= eps
        expected[idx] = np.sum(weights * (_reference(up, output_size, data_format, REDUCE[op])
                                          - _reference(down, output_size, data_format,
                                                       REDUCE[op]))) / (2 * eps)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("args", "kwargs", "error", "match"), [
    ((np.zeros((2, 3)), 2), {}, ValueError, r"ops.adaptive_\w+_pool: `inputs` must be 3-D"),
    ((np.zeros((1, 2, 2, 2, 2, 2)), 2), {}, ValueError, "received shape"),
    ((np.zeros((1, 4, 4, 2)), (2, 2, 2)), {}, ValueError, "tuple of 2 positive ints"),
    ((np.zeros((1, 4, 4, 2)), 0), {}, ValueError, "received 0"),
    ((np.zeros((1, 4, 2)), 1.5), {}, ValueError, "received 1.5"),
    ((np.zeros((1, 4, 2)), 2), {"data_format": "NHWC"}, ValueError, "data_format"),
])
@pytest.mark.parametrize("op", sorted(REDUCE))
def test_bad_arguments_are_named(op, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        getattr(ops, op)(*args, **kwargs)
