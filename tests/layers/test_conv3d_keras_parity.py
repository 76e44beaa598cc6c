"""The 3-D, 1-D transposed/depthwise/separable, 3-D pooling/reshaping and adaptive pooling layers
against Keras 3, on every backend: with Keras 3's weights the outputs equal Keras 3's (1e-5),
configs are equal, and models holding them move through ``.keras`` files both ways."""

from __future__ import annotations

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

CASES = [  # (layer name, kwargs, input shape without the batch)
    ("Conv3D", {"filters": 3, "kernel_size": 2}, (4, 4, 4, 2)),
    ("Conv3D", {"filters": 4, "kernel_size": (2, 3, 2), "strides": (1, 2, 1),
                "padding": "same", "groups": 2, "activation": "relu"}, (4, 4, 4, 2)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "use_bias": False},
     (5, 5, 5, 2)),
    ("Convolution3D", {"filters": 2, "kernel_size": 3, "padding": "same"}, (3, 4, 3, 2)),
    ("Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2}, (5, 2)),
    ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same",
                         "output_padding": 1}, (5, 2)),
    ("Convolution1DTranspose", {"filters": 2, "kernel_size": 2, "dilation_rate": 2}, (6, 3)),
    ("Conv3DTranspose", {"filters": 3, "kernel_size": 2, "strides": 2}, (3, 3, 3, 2)),
    ("Conv3DTranspose", {"filters": 2, "kernel_size": 3, "strides": (1, 2, 1),
                         "padding": "same", "activation": "tanh"}, (3, 3, 3, 2)),
    ("Convolution3DTranspose", {"filters": 2, "kernel_size": 2, "strides": 2,
                                "output_padding": 1}, (2, 3, 2, 2)),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2}, (6, 3)),
    ("DepthwiseConv1D", {"kernel_size": 2, "strides": 2, "padding": "same"}, (7, 3)),
    ("SeparableConv1D", {"filters": 4, "kernel_size": 3, "depth_multiplier": 2,
                         "padding": "same"}, (6, 3)),
    ("SeparableConvolution1D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2,
                                "activation": "tanh"}, (7, 3)),
    ("MaxPooling3D", {}, (4, 4, 4, 2)),
    ("MaxPool3D", {"pool_size": (2, 1, 2), "strides": 1, "padding": "same"}, (3, 4, 3, 2)),
    ("AveragePooling3D", {"pool_size": 2}, (4, 4, 4, 2)),
    ("AvgPool3D", {"pool_size": 3, "strides": 2, "padding": "same"}, (5, 4, 5, 2)),
    ("GlobalMaxPooling3D", {}, (3, 4, 2, 2)),
    ("GlobalMaxPool3D", {"keepdims": True}, (3, 4, 2, 2)),
    ("GlobalAveragePooling3D", {"data_format": "channels_first"}, (2, 3, 4, 2)),
    ("GlobalAvgPool3D", {"keepdims": True}, (3, 4, 2, 2)),
    ("ZeroPadding3D", {}, (2, 3, 2, 2)),
    ("ZeroPadding3D", {"padding": ((0, 1), 2, (1, 0)), "data_format": "channels_first"},
     (2, 2, 3, 2)),
    ("Cropping3D", {}, (4, 4, 4, 2)),
    ("Cropping3D", {"cropping": ((0, 1), (1, 0), 1)}, (3, 4, 4, 2)),
    ("UpSampling3D", {}, (2, 2, 2, 2)),
    ("UpSampling3D", {"size": (1, 2, 3), "data_format": "channels_first"}, (2, 2, 2, 2)),
    ("AdaptiveAveragePooling1D", {"output_size": 3}, (7, 2)),
    ("AdaptiveMaxPooling1D", {"output_size": 4, "data_format": "channels_first"}, (2, 6)),
    ("AdaptiveAveragePooling2D", {"output_size": (2, 3)}, (5, 7, 2)),
    ("AdaptiveMaxPooling2D", {"output_size": 3}, (5, 4, 2)),
    ("AdaptiveAveragePooling3D", {"output_size": (2, 3, 2), "data_format": "channels_first"},
     (2, 4, 5, 3)),
    ("AdaptiveMaxPooling3D", {"output_size": 2}, (3, 4, 5, 2)),
]
IDS = [f"{name}{i}" for i, (name, _, _) in enumerate(CASES)]


def _input(shape) -> np.ndarray:
    return np.random.default_rng(len(shape) * 7 + shape[0]).normal(
        size=(2, *shape)).astype("float32")


def _without_new_initializer_defaults(theirs, ours):
    """Keras 3.15's initializer configs carry ``input_axes``/``output_axes`` (None by default),
    which our initializers (another module) do not have yet: drop them when None."""
    if isinstance(theirs, dict) and theirs.get("module") == "keras.initializers":
        extra = set(theirs["config"]) - set(ours["config"])
        assert all(theirs["config"][k] is None for k in extra), theirs
        return {**theirs, "config": {k: v for k, v in theirs["config"].items()
                                     if k not in extra}}
    return theirs


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """``reference(i)``: Keras 3's model of case ``i``, its output and its ``.keras`` file."""
    keras3 = pytest.importorskip("keras")
    made = {}

    def get(i):
        if i not in made:
            name, kwargs, shape = CASES[i]
            model = keras3.Sequential([keras3.Input(shape), getattr(keras3.layers, name)(**kwargs)])
            rng = np.random.default_rng(i)
            for w in model.weights:
                w.assign(rng.normal(size=w.shape).astype("float32"))
            path = tmp_path_factory.mktemp("keras3") / f"case{i}.keras"
            model.save(path)
            made[i] = keras3, model, np.asarray(model(_input(shape))), path
        return made[i]
    return get


@pytest.mark.parametrize("case", range(len(CASES)), ids=IDS)
def test_layer_matches_keras_and_round_trips(backend, case, reference, tmp_path):
    keras3, theirs, expected, path = reference(case)
    name, kwargs, shape = CASES[case]
    x = _input(shape)
    ours = keras.models.load_model(path)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    got = np.asarray(ours.predict(x, verbose=0))
    assert got.shape == expected.shape
    # float32 sums of at most ~50 products of O(1) values: a few ulps of the result
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    ours_config = ours.layers[0].get_config()
    their_config = theirs.layers[0].get_config()
    assert {k: v for k, v in ours_config.items() if k != "dtype"} == {
        k: _without_new_initializer_defaults(v, ours_config[k])
        for k, v in their_config.items() if k != "dtype"}
    # our own layer built from the same arguments has the same config and output shape
    fresh = getattr(keras.layers, name)(**kwargs, name=their_config["name"])
    assert fresh.get_config() == ours_config
    assert fresh.compute_output_shape((None, *shape)) == tuple(
        theirs.layers[0].compute_output_shape((None, *shape)))
    ours.save(tmp_path / "ours.keras")
    back = keras3.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(np.asarray(back(x)), expected, rtol=1e-5, atol=1e-5)


def test_new_aliases_are_the_keras_classes():
    keras3 = pytest.importorskip("keras")
    for alias in ("Convolution1DTranspose", "Convolution3D", "Convolution3DTranspose",
                  "SeparableConvolution1D", "MaxPool3D", "AvgPool3D", "GlobalMaxPool3D",
                  "GlobalAvgPool3D"):
        assert getattr(keras.layers, alias).__name__ == getattr(keras3.layers, alias).__name__


def test_signatures_match_keras():
    """Same parameter names, order and defaults as Keras 3 (positional calls mean the same)."""
    import inspect
    keras3 = pytest.importorskip("keras")
    names = {c[0] for c in CASES}
    for name in sorted(names):
        ours = inspect.signature(getattr(keras.layers, name).__init__).parameters
        theirs = inspect.signature(getattr(keras3.layers, name).__init__).parameters
        if "name" not in ours:  # some layers take it in **kwargs
            theirs = {k: p for k, p in theirs.items() if k != "name"}
        assert [(k, p.default) for k, p in ours.items() if k != "kwargs"] == [
            (k, p.default) for k, p in theirs.items() if k != "kwargs"], name
