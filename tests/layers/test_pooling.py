"""Pooling layers on every backend: numpy formulas and Keras 3 outputs, input gradients that agree
across backends (and with finite differences on numpy), shapes, configs and errors."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

L = keras.layers

# (id, layer class name, constructor kwargs, input shape). Same names and arguments in Keras 3.
CASES = [
    ("max1d", "MaxPooling1D", {}, (2, 7, 3)),
    ("max1d_same_strided", "MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"},
     (2, 8, 3)),
    ("avg1d_same", "AveragePooling1D", {"pool_size": 3, "strides": 1, "padding": "same"},
     (2, 7, 3)),
    ("max2d", "MaxPooling2D", {}, (2, 5, 6, 3)),
    ("max2d_same_rect", "MaxPooling2D", {"pool_size": (3, 2), "strides": (2, 1), "padding": "same"},
     (2, 5, 6, 3)),
    ("avg2d_same_odd", "AveragePooling2D", {"pool_size": 2, "padding": "same"}, (2, 5, 5, 3)),
    ("avg2d_channels_first", "AveragePooling2D",
     {"pool_size": (2, 3), "data_format": "channels_first"}, (2, 3, 6, 6)),
    ("max2d_channels_first", "MaxPooling2D", {"strides": 1, "data_format": "channels_first"},
     (2, 3, 4, 5)),
    ("global_max1d", "GlobalMaxPooling1D", {}, (2, 7, 3)),
    ("global_avg1d_keepdims", "GlobalAveragePooling1D", {"keepdims": True}, (2, 7, 3)),
    ("global_max2d_channels_first", "GlobalMaxPooling2D",
     {"data_format": "channels_first", "keepdims": True}, (2, 3, 4, 5)),
    ("global_avg2d", "GlobalAveragePooling2D", {}, (2, 4, 5, 3)),
]
IDS = [case[0] for case in CASES]


def run(layer, x, probe):
    """Output of ``layer`` and the gradient of ``sum(output * probe)`` w.r.t. its input."""
    b = backends.get(layer.backend)

    def loss(values):
        y = layer(values[0])
        return b.sum(b.multiply(y, b.convert_to_tensor(probe))), y

    (_, y), (grad,) = b.value_and_grad(loss, has_aux=True)([x])
    return b.convert_to_numpy(y), b.convert_to_numpy(grad)


def keras_reference(class_name, kwargs, x):
    """Output of the real Keras 3 layer (channels_first via transposes: Keras' TensorFlow CPU
    pooling kernels only run channels_last)."""
    keras3 = pytest.importorskip("keras")
    kwargs = dict(kwargs)
    first = kwargs.pop("data_format", None) == "channels_first"
    y = keras3.ops.convert_to_numpy(
        getattr(keras3.layers, class_name)(**kwargs)(np.moveaxis(x, 1, -1) if first else x))
    return np.moveaxis(y, -1, 1) if first else y


def numbers(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_keras(backend, case):
    _, class_name, kwargs, shape = case
    layer = getattr(L, class_name)(**kwargs)
    x = numbers(shape, 1)
    y = keras.ops.convert_to_numpy(layer(x))
    expected = keras_reference(class_name, kwargs, x)
    assert y.shape == expected.shape == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)


def test_matches_numpy_formulas(backend):
    x = numbers((2, 6, 4, 3), 2)
    windows = x.reshape(2, 3, 2, 2, 2, 3)  # (batch, row block, row, col block, col, channel)
    out = lambda layer: keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out(L.MaxPooling2D()), windows.max(axis=(2, 4)), rtol=1e-6)
    np.testing.assert_allclose(out(L.AveragePooling2D((2, 2))), windows.mean(axis=(2, 4)), rtol=1e-5)
    np.testing.assert_allclose(out(L.GlobalMaxPooling2D()), x.max(axis=(1, 2)), rtol=1e-6)
    np.testing.assert_allclose(out(L.GlobalAveragePooling2D(keepdims=True)),
                               x.mean(axis=(1, 2), keepdims=True), rtol=1e-5)
    # "same" average pooling divides by the number of real entries: the last column of a
    # width-3 input pooled by 2 is averaged over 1 entry, not 2.
    row = np.array([[[1.0], [2.0], [6.0]]], "float32")
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(L.AveragePooling1D(2, padding="same")(row)).ravel(), [1.5, 6])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_input_gradients_agree_across_backends(backend, case):
    _, class_name, kwargs, shape = case
    layer = getattr(L, class_name)(**kwargs)
    x = numbers(shape, 3)
    probe = numbers(layer.compute_output_shape(shape), 4)
    y, grad = run(layer, x, probe)
    assert grad.shape == x.shape
    if backend != "numpy":
        with backends.backend_scope("numpy"):
            reference = getattr(L, class_name)(**kwargs)
        y_ref, grad_ref = run(reference, x, probe)
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(grad, grad_ref, rtol=1e-5, atol=1e-5)
        return
    # numpy: pooling is piecewise linear, so a central difference is exact once the step is too
    # small to change any window's maximum (float64 makes such a tiny step precise).
    direction, eps = numbers(shape, 5).astype("float64"), 1e-6
    layer64 = getattr(L, class_name)(dtype="float64", **kwargs)

    def loss_at(sign):
        return float(np.sum(keras.ops.convert_to_numpy(layer64(x + sign * eps * direction))
                            * probe))

    numeric = (loss_at(1) - loss_at(-1)) / (2 * eps)
    np.testing.assert_allclose(float(np.sum(grad * direction)), numeric, rtol=1e-5)


def test_max_pooling_trains_inside_a_compiled_step(backend):
    """The gradient of max pooling must also exist inside the compiled train step (jax.jit)."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4, 4, 1)), L.Conv2D(2, 1), L.MaxPooling2D(),
                              L.AveragePooling2D((2, 2)), L.Flatten(), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = numbers((8, 4, 4, 1), 6)
    history = model.fit(x, x.reshape(8, -1).max(1, keepdims=True), epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("case", CASES[:4], ids=IDS[:4])
def test_training_and_inference_are_identical(backend, case):
    _, class_name, kwargs, shape = case
    layer = getattr(L, class_name)(**kwargs)
    x = numbers(shape, 7)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=True)),
                                  keras.ops.convert_to_numpy(layer(x, training=False)))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unknown_dims_config_round_trip_and_no_weights(case):
    _, class_name, kwargs, shape = case
    layer = getattr(L, class_name)(**kwargs)
    assert layer.compute_output_shape((None,) + shape[1:]) == \
        (None,) + layer.compute_output_shape(shape)[1:]
    clone = getattr(L, class_name).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    layer(numbers(shape, 8))
    assert layer.weights == []


def test_aliases_and_defaults():
    assert L.MaxPool2D is L.MaxPooling2D and L.GlobalAvgPool1D is L.GlobalAveragePooling1D
    layer = L.MaxPooling2D(3)
    assert (layer.pool_size, layer.strides, layer.padding) == ((3, 3), (3, 3), "valid")
    assert L.MaxPooling1D().pool_size == (2,)
    with pytest.raises(TypeError, match="pool_size"):  # required in Keras 3 (MaxPooling's is not)
        L.AveragePooling1D()
    assert L.AveragePooling2D(2, name="p").name == "p"


def test_bad_input_names_the_layer(backend):
    with pytest.raises(ValueError, match="'my_pool'.*expected ndim=4.*ndim=3"):
        L.MaxPooling2D(name="my_pool")(np.zeros((2, 4, 4), "float32"))
    with pytest.raises(ValueError, match="'gap'.*expected ndim=3.*ndim=4"):
        L.GlobalAveragePooling1D(name="gap")(np.zeros((2, 4, 4, 1), "float32"))
    with pytest.raises(ValueError, match="MaxPooling2D 'big'.*larger than the input"):
        L.MaxPooling2D(5, name="big")(np.zeros((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="AveragePooling2D 'p'.*padding"):
        L.AveragePooling2D(2, padding="causal", name="p")
