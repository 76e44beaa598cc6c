"""Reshaping layers on every backend: numpy formulas and Keras 3 outputs, input gradients that
agree across backends (and with the exact adjoint on numpy), shapes, configs and errors."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

L = keras.layers


def numbers(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


X3 = numbers((2, 3, 4), 0)
X4 = numbers((2, 3, 4, 2), 1)
# (id, layer class name, constructor kwargs, input, numpy formula). Same API in Keras 3.
CASES = [
    ("reshape_infer", "Reshape", {"target_shape": (-1, 3)}, X3, lambda x: x.reshape(2, 4, 3)),
    ("reshape_flat", "Reshape", {"target_shape": (12,)}, X3, lambda x: x.reshape(2, 12)),
    ("permute", "Permute", {"dims": (2, 1)}, X3, lambda x: x.transpose(0, 2, 1)),
    ("permute_4d", "Permute", {"dims": (3, 1, 2)}, X4, lambda x: x.transpose(0, 3, 1, 2)),
    ("repeat_vector", "RepeatVector", {"n": 3}, X3[:, 0],
     lambda x: np.repeat(x[:, None], 3, axis=1)),
    ("upsampling1d", "UpSampling1D", {"size": 3}, X3, lambda x: np.repeat(x, 3, axis=1)),
    ("upsampling2d_nearest", "UpSampling2D", {"size": (2, 3)}, X4,
     lambda x: np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)),
    ("upsampling2d_channels_first", "UpSampling2D", {"size": 2, "data_format": "channels_first"},
     X4, lambda x: np.repeat(np.repeat(x, 2, axis=2), 2, axis=3)),
    ("upsampling2d_bilinear", "UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, X4,
     None),
    ("zero_padding1d", "ZeroPadding1D", {"padding": (1, 2)}, X3,
     lambda x: np.pad(x, ((0, 0), (1, 2), (0, 0)))),
    ("zero_padding2d", "ZeroPadding2D", {"padding": ((1, 0), (2, 1))}, X4,
     lambda x: np.pad(x, ((0, 0), (1, 0), (2, 1), (0, 0)))),
    ("zero_padding2d_channels_first", "ZeroPadding2D",
     {"padding": 1, "data_format": "channels_first"}, X4,
     lambda x: np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))),
    ("cropping1d", "Cropping1D", {"cropping": (1, 0)}, X3, lambda x: x[:, 1:]),
    ("cropping2d", "Cropping2D", {"cropping": ((1, 0), (1, 2))}, X4, lambda x: x[:, 1:, 1:2]),
    ("cropping2d_channels_first", "Cropping2D",
     {"cropping": ((1, 1), (0, 1)), "data_format": "channels_first"}, X4,
     lambda x: x[:, :, 1:-1, :1]),
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
    """Output of the real Keras 3 layer (channels_first via transposes, as Keras' TensorFlow CPU
    resize only runs channels_last)."""
    keras3 = pytest.importorskip("keras")
    kwargs = dict(kwargs)
    first = kwargs.pop("data_format", None) == "channels_first"
    y = keras3.ops.convert_to_numpy(
        getattr(keras3.layers, class_name)(**kwargs)(np.moveaxis(x, 1, -1) if first else x))
    return np.moveaxis(y, -1, 1) if first else y


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_numpy_formula_and_keras(backend, case):
    _, class_name, kwargs, x, formula = case
    layer = getattr(L, class_name)(**kwargs)
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == layer.compute_output_shape(x.shape)
    if formula is not None:
        np.testing.assert_array_equal(y, formula(x))
    np.testing.assert_allclose(y, keras_reference(class_name, kwargs, x), rtol=1e-5, atol=1e-6)


def test_bilinear_upsampling_interpolates_with_half_pixel_centers(backend):
    row = np.array([0.0, 4.0, 8.0], "float32").reshape(1, 1, 3, 1)
    y = keras.ops.convert_to_numpy(L.UpSampling2D((1, 2), interpolation="bilinear")(row))
    # Output j samples input coordinate (j + 0.5) / 2 - 0.5, clamped to the edges.
    np.testing.assert_allclose(y.ravel(), [0, 1, 3, 5, 7, 8], atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_input_gradients_agree_across_backends(backend, case):
    _, class_name, kwargs, x, _formula = case
    layer = getattr(L, class_name)(**kwargs)
    probe = numbers(layer.compute_output_shape(x.shape), 2)
    y, grad = run(layer, x, probe)
    if backend != "numpy":
        with backends.backend_scope("numpy"):
            reference = getattr(L, class_name)(**kwargs)
        y_ref, grad_ref = run(reference, x, probe)
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(grad, grad_ref, rtol=1e-5, atol=1e-6)
        return
    # numpy: these layers are linear, so <grad, d> = <probe, layer(d)> for any direction d.
    direction = numbers(x.shape, 3)
    along = keras.ops.convert_to_numpy(layer(direction))
    np.testing.assert_allclose(np.sum(grad * direction), np.sum(probe * along), rtol=1e-4)


@pytest.mark.parametrize("case", CASES[:6], ids=IDS[:6])
def test_training_and_inference_are_identical(backend, case):
    _, class_name, kwargs, x, _ = case
    layer = getattr(L, class_name)(**kwargs)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=True)),
                                  keras.ops.convert_to_numpy(layer(x, training=False)))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_unknown_batch_and_config_round_trip(case):
    _, class_name, kwargs, x, _ = case
    layer = getattr(L, class_name)(**kwargs)
    assert layer.compute_output_shape((None,) + x.shape[1:]) == \
        (None,) + layer.compute_output_shape(x.shape)[1:]
    clone = getattr(L, class_name).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_unknown_dims_stay_unknown():
    assert L.Reshape((-1, 2)).compute_output_shape((None, None, 4)) == (None, None, 2)
    assert L.UpSampling2D(2).compute_output_shape((None, None, 3, 1)) == (None, None, 6, 1)
    assert L.Cropping1D(1).compute_output_shape((None, None, 3)) == (None, None, 3)
    assert L.ZeroPadding2D(1).compute_output_shape((None, 4, None, 2)) == (None, 6, None, 2)


def test_functional_model_with_reshaping_layers(backend):
    inputs = keras.Input((4, 3))
    x = L.ZeroPadding1D(1)(L.Permute((2, 1))(inputs))
    outputs = L.Reshape((-1,))(L.UpSampling1D(2)(x))
    assert outputs.shape == (None, 40)  # (4, 3) -> (3, 4) -> (5, 4) -> (10, 4)
    model = keras.Model(inputs, outputs)
    assert model.predict(X3.transpose(0, 2, 1), verbose=0).shape == (2, 40)


def test_bad_input_names_the_layer(backend):
    with pytest.raises(ValueError, match="Reshape 'r'.*\\(3, 4\\).*\\(5, -1\\)"):
        L.Reshape((5, -1), name="r")(X3)
    with pytest.raises(ValueError, match="'rv'.*expected ndim=2.*ndim=3"):
        L.RepeatVector(2, name="rv")(X3)
    with pytest.raises(ValueError, match="'perm'.*expected ndim=3.*ndim=4"):
        L.Permute((2, 1), name="perm")(X4)
    with pytest.raises(ValueError, match="Cropping2D 'crop'.*removes every entry"):
        L.Cropping2D(((2, 1), (0, 0)), name="crop")(X4)
    with pytest.raises(ValueError, match="Permute 'p2'.*permutation"):
        L.Permute((0, 1), name="p2")
    with pytest.raises(ValueError, match="UpSampling2D 'up'.*interpolation"):
        L.UpSampling2D(interpolation="bicubic", name="up")
