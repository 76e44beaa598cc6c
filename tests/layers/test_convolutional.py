"""Convolution layers on every backend: Keras 3 outputs for the same weights, gradients that agree
across backends (and with finite differences on numpy), shapes, configs, errors, and a small CNN
that learns the scikit-learn digits."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.core.stateless import StatelessScope

L = keras.layers

# (id, layer class name, constructor kwargs, input shape). Same names and arguments in Keras 3.
CASES = [
    ("conv1d_causal_dilated", "Conv1D",
     {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2}, (2, 9, 3)),
    ("conv1d_same_strided_groups", "Conv1D",
     {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "groups": 2}, (2, 9, 4)),
    ("conv2d_valid_relu", "Conv2D",
     {"filters": 4, "kernel_size": 3, "activation": "relu"}, (2, 6, 5, 3)),
    ("conv2d_same_strided", "Conv2D",
     {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 7, 6, 3)),
    ("conv2d_dilated_groups", "Conv2D",
     {"filters": 4, "kernel_size": (3, 2), "dilation_rate": 2, "groups": 2}, (2, 7, 6, 2)),
    ("conv2d_channels_first", "Conv2D",
     {"filters": 4, "kernel_size": 3, "padding": "same", "data_format": "channels_first"},
     (2, 3, 6, 5)),
    ("conv2d_transpose_same", "Conv2DTranspose",
     {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same"}, (2, 4, 3, 3)),
    ("conv2d_transpose_valid", "Conv2DTranspose",
     {"filters": 4, "kernel_size": 2, "strides": 3}, (2, 4, 3, 3)),
    ("conv2d_transpose_output_padding", "Conv2DTranspose",
     {"filters": 2, "kernel_size": 4, "strides": 2, "output_padding": 1,
      "data_format": "channels_first"}, (2, 3, 4, 3)),
    ("depthwise_same_strided", "DepthwiseConv2D",
     {"kernel_size": 3, "depth_multiplier": 2, "strides": 2, "padding": "same"}, (2, 7, 6, 3)),
    ("separable", "SeparableConv2D",
     {"filters": 5, "kernel_size": 3, "depth_multiplier": 2}, (2, 6, 5, 3)),
    ("separable_channels_first", "SeparableConv2D",
     {"filters": 5, "kernel_size": 3, "padding": "same", "data_format": "channels_first"},
     (2, 3, 6, 5)),
]
IDS = [case[0] for case in CASES]


def make(backend_name, class_name, kwargs, input_shape, seed=0):
    """Build the layer on ``backend_name`` and give it random weights (a non-zero bias too)."""
    with backends.backend_scope(backend_name):
        layer = getattr(L, class_name)(**kwargs)
        layer(np.zeros(input_shape, "float32"))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32")
                       for w in layer.get_weights()])
    return layer


def run(layer, inputs, probe):
    """Output of ``layer`` and the gradients of ``sum(output * probe)`` w.r.t. inputs and weights.

    Uses the backend's ``value_and_grad`` with the weights substituted through StatelessScope.
    """
    b = backends.get(layer.backend)
    n = len(inputs)

    def loss(values):
        with StatelessScope(zip(layer.weights, values[n:])):
            y = layer(values[0] if n == 1 else values[:n])
        return b.sum(b.multiply(y, b.convert_to_tensor(probe))), y

    (_, y), grads = b.value_and_grad(loss, has_aux=True)(list(inputs) + layer.get_weights())
    return b.convert_to_numpy(y), [b.convert_to_numpy(g) for g in grads]


def keras_reference(class_name, kwargs, weights, x):
    """Output of the real Keras 3 layer with ``weights`` (channels_first via transposes, since
    Keras' TensorFlow CPU kernels only run channels_last)."""
    keras3 = pytest.importorskip("keras")
    kwargs = dict(kwargs)
    first = kwargs.pop("data_format", None) == "channels_first"
    if first:
        x = np.moveaxis(x, 1, -1)
    layer = getattr(keras3.layers, class_name)(**kwargs)
    layer.build(x.shape)
    layer.set_weights(weights)
    y = keras3.ops.convert_to_numpy(layer(x))
    return np.moveaxis(y, -1, 1) if first else y


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_keras_with_same_weights(backend, case):
    _, class_name, kwargs, shape = case
    layer = make(backend, class_name, kwargs, shape)
    x = np.random.default_rng(1).normal(size=shape).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x))
    expected = keras_reference(class_name, kwargs, layer.get_weights(), x)
    assert y.shape == expected.shape == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradients_agree_across_backends(backend, case):
    _, class_name, kwargs, shape = case
    kwargs = {**kwargs, "activation": None}  # keep the loss bilinear for finite differences
    rng = np.random.default_rng(2)
    x = rng.normal(size=shape).astype("float32")
    layer = make(backend, class_name, kwargs, shape)
    probe = rng.normal(size=layer.compute_output_shape(shape)).astype("float32")
    y, grads = run(layer, [x], probe)
    assert [g.shape for g in grads] == [x.shape] + [w.shape for w in layer.get_weights()]
    if backend != "numpy":
        y_ref, grads_ref = run(make("numpy", class_name, kwargs, shape), [x], probe)
        np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-4)
        for g, g_ref in zip(grads, grads_ref):
            np.testing.assert_allclose(g, g_ref, rtol=1e-4, atol=1e-4)
        return
    # numpy: the loss is bilinear in (x, weights), so a central difference along a random
    # direction equals the directional derivative exactly (up to float32 rounding).
    values = [x] + layer.get_weights()
    direction = [rng.normal(size=v.shape).astype("float32") for v in values]
    eps = 1e-2

    def loss_at(sign):
        moved = [v + sign * eps * d for v, d in zip(values, direction)]
        layer.set_weights(moved[1:])
        return float(np.sum(keras.ops.convert_to_numpy(layer(moved[0])) * probe))

    numeric = (loss_at(1) - loss_at(-1)) / (2 * eps)
    analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, direction))
    np.testing.assert_allclose(analytic, numeric, rtol=2e-3)


@pytest.mark.parametrize("case", CASES[:3], ids=IDS[:3])
def test_training_and_inference_are_identical(backend, case):
    _, class_name, kwargs, shape = case
    layer = make(backend, class_name, kwargs, shape)
    x = np.random.default_rng(3).normal(size=shape).astype("float32")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=True)),
                                  keras.ops.convert_to_numpy(layer(x, training=False)))


def test_weight_shapes_names_and_order(backend):
    shapes = {
        L.Conv1D(6, 3, groups=2): ((2, 9, 4), [("kernel", (3, 2, 6)), ("bias", (6,))]),
        L.Conv2D(6, (3, 2), use_bias=False): ((2, 7, 6, 4), [("kernel", (3, 2, 4, 6))]),
        L.Conv2DTranspose(6, 3): ((2, 5, 5, 4), [("kernel", (3, 3, 6, 4)), ("bias", (6,))]),
        L.DepthwiseConv2D(3, depth_multiplier=2): (
            (2, 5, 5, 4), [("kernel", (3, 3, 4, 2)), ("bias", (8,))]),
        L.SeparableConv2D(6, 3, depth_multiplier=2): (
            (2, 5, 5, 4), [("depthwise_kernel", (3, 3, 4, 2)),
                           ("pointwise_kernel", (1, 1, 8, 6)), ("bias", (6,))]),
    }
    for layer, (shape, expected) in shapes.items():
        layer(np.zeros(shape, "float32"))
        assert [(w.name, w.shape) for w in layer.weights] == expected
        assert layer.count_params() == sum(int(np.prod(s)) for _, s in expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_compute_output_shape_with_unknown_dims_and_config_round_trip(case):
    _, class_name, kwargs, shape = case
    layer = getattr(L, class_name)(**kwargs)
    batchless = layer.compute_output_shape((None,) + shape[1:])
    assert batchless == (None,) + layer.compute_output_shape(shape)[1:]
    spatial = 2 if kwargs.get("data_format") == "channels_first" else 1
    unknown = list(shape)
    unknown[0], unknown[spatial] = None, None
    assert layer.compute_output_shape(tuple(unknown))[spatial] is None
    clone = getattr(L, class_name).from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    keras3 = pytest.importorskip("keras")
    kwargs = dict(kwargs, data_format="channels_last")
    moved = (None,) + (shape[2:] + shape[1:2] if spatial == 2 else shape[1:])
    assert tuple(getattr(keras3.layers, class_name)(**kwargs).compute_output_shape(moved)) == \
        getattr(L, class_name)(**kwargs).compute_output_shape(moved)


def test_data_format_defaults_to_config():
    previous = keras.config.image_data_format()
    keras.config.set_image_data_format("channels_first")
    try:
        assert L.Conv2D(2, 3).data_format == "channels_first"
    finally:
        keras.config.set_image_data_format(previous)
    assert L.Conv2D(2, 3).data_format == previous == "channels_last"


def test_symbolic_call_in_functional_model(backend):
    inputs = keras.Input((8, 8, 3))
    outputs = L.SeparableConv2D(4, 3, padding="same")(L.Conv2DTranspose(3, 2, strides=2)(inputs))
    assert outputs.shape == (None, 16, 16, 4)
    model = keras.Model(inputs, outputs)
    assert model.predict(np.ones((2, 8, 8, 3), "float32"), verbose=0).shape == (2, 16, 16, 4)


@pytest.mark.parametrize("layer_class", ["Conv2D", "Conv2DTranspose", "SeparableConv2D"])
def test_wrong_rank_names_the_layer(backend, layer_class):
    layer = getattr(L, layer_class)(4, 3, name=f"my_{layer_class.lower()}")
    with pytest.raises(ValueError, match=f"my_{layer_class.lower()}.*expected ndim=4.*ndim=3"):
        layer(np.zeros((2, 8, 8), "float32"))
    layer(np.zeros((2, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match=f"my_{layer_class.lower()}.*expected ndim=4"):
        layer(np.zeros((2, 8, 3), "float32"))


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="Conv2D 'bad_groups'.*groups"):
        L.Conv2D(5, 3, groups=2, name="bad_groups")
    with pytest.raises(ValueError, match="Conv2D 'bad_pad'.*padding"):
        L.Conv2D(4, 3, padding="full", name="bad_pad")
    with pytest.raises(ValueError, match="Conv2DTranspose 'bad_op'.*output_padding"):
        L.Conv2DTranspose(4, 3, strides=2, output_padding=2, name="bad_op")
    with pytest.raises(ValueError, match="Conv1D 'bad_k'.*kernel_size"):
        L.Conv1D(4, (3, 3), name="bad_k")
    with pytest.raises(ValueError, match="Conv2D 'too_big'.*size .* <= 0"):
        L.Conv2D(4, 5, name="too_big")(np.zeros((1, 3, 3, 1), "float32"))
    with pytest.raises(ValueError, match="Conv2D 'split'.*not divisible by groups=2"):
        L.Conv2D(4, 1, groups=2, name="split")(np.zeros((1, 3, 3, 3), "float32"))


def test_small_cnn_learns_digits(backend):
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    y = digits.target
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        L.Conv2D(8, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.97  # 0.9798 on every backend (same seed => same initial weights)
