"""EfficientNet, EfficientNetV2 and ConvNeXt against Keras 3: with Keras 3's weights (its
``.weights.h5`` file) our model predicts what Keras 3's does, on every backend; the family's
other sizes have Keras' parameter count, weight names and shapes, and output shape.

Small inputs (32x32, the smallest these architectures accept) and no top keep it fast: each
Keras reference model is built once per module. The largest sizes are skipped: building them
in Keras 3 alone takes longer than this whole file should.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.layers.op_layer import OpLayer

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

_SMALL = {"include_top": False, "input_shape": (32, 32, 3)}
# (function, kwargs): one model per family is compared number for number on every backend.
PREDICT_CASES = [
    ("EfficientNetB0", {**_SMALL, "pooling": "avg"}),
    ("EfficientNetV2B0", {**_SMALL, "pooling": "avg"}),
    ("ConvNeXtTiny", {**_SMALL, "pooling": "avg"}),
]
# The families' other members: structure only (parameter count, weight names and shapes).
STRUCTURE_CASES = [
    ("EfficientNetB1", {"include_top": True, "input_shape": (32, 32, 3), "classes": 7}),
    ("EfficientNetB2", {**_SMALL, "pooling": "max"}),
    ("EfficientNetB3", _SMALL),
    ("EfficientNetB4", _SMALL),
    ("EfficientNetV2B1", {"include_top": True, "input_shape": (32, 32, 3), "classes": 7}),
    ("EfficientNetV2B2", {**_SMALL, "pooling": "max"}),
    ("EfficientNetV2B3", {**_SMALL, "include_preprocessing": False}),
    ("EfficientNetV2S", _SMALL),
    ("ConvNeXtSmall", {"include_top": True, "input_shape": (32, 32, 3), "classes": 7}),
    ("ConvNeXtBase", {**_SMALL, "pooling": "max", "include_preprocessing": False}),
]
TOO_SLOW = {  # name: why it is not built here
    "EfficientNetB5": "B0..B4 cover the same code; building B5..B7 takes Keras 3 >10 s each",
    "EfficientNetB6": "B0..B4 cover the same code; building B5..B7 takes Keras 3 >10 s each",
    "EfficientNetB7": "B0..B4 cover the same code; building B5..B7 takes Keras 3 >10 s each",
    "EfficientNetV2M": "S covers the same code (M/L differ by their stage table only); "
                       "building M or L takes Keras 3 >20 s",
    "EfficientNetV2L": "S covers the same code (M/L differ by their stage table only); "
                       "building M or L takes Keras 3 >20 s",
    "ConvNeXtLarge": "Base covers the same code (Large/XLarge differ by their widths only); "
                     "building them takes Keras 3 >15 s",
    "ConvNeXtXLarge": "Base covers the same code (Large/XLarge differ by their widths only); "
                      "building them takes Keras 3 >15 s",
}


_MODULES = (keras.applications.efficientnet, keras.applications.efficientnet_v2,
            keras.applications.convnext)


def _real_keras():
    return pytest.importorskip("keras")


def _case_id(case):
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in sorted(case[1].items())
                                    if k != "input_shape")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _is_auto_name(name, stem):
    """Whether ``name`` is the class's automatic name plus a counter (the snake case of e.g.
    GlobalMaxPooling2D differs in its underscores between the libraries and Python's rules)."""
    base = re.sub(r"_\d+$", "", name)
    return base.replace("_", "") == stem.replace("_", "")


def _layers(model):
    """(layer name, class name, get_config) in order, auto-names' ``_N`` suffix dropped, the
    config's ``name`` and ``dtype`` too (compared only for the preprocessing layers)."""
    out = []
    for layer in _real_layers(model):
        name, stem = layer.name, _snake(type(layer).__name__)
        if _is_auto_name(name, stem):
            name = stem
        config = {}
        if type(layer).__name__ in ("Rescaling", "Normalization"):
            config = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype")}
            config = {k: np.asarray(v).tolist() if isinstance(v, (list, tuple, np.ndarray))
                      else v for k, v in config.items()}
        out.append((name, type(layer).__name__, config))
    return out


def _real_layers(model):
    """The model's layers without our op nodes (``ops.add`` on symbolic tensors is a layer
    here, a bare operation in Keras 3: neither has weights)."""
    return [layer for layer in model.layers if not isinstance(layer, OpLayer)]


def _shapes(model):
    """(layer name/weight name, shape) in order. An auto-named layer's per-process ``_N``
    suffix is dropped (the libraries number their layers and unnamed weights separately),
    and so is the enclosing model's name Keras 3 puts before the weights of a nested
    ``Sequential`` (ours does not)."""
    out = []
    for layer in model.layers:
        name, stem = layer.name, _snake(type(layer).__name__)
        auto = _is_auto_name(name, stem)
        for w in layer.weights:
            path = re.sub(r"/variable_\d+$", "/variable", "/".join(w.path.split("/")[-2:]))
            if auto and path.startswith(name + "/"):
                path = stem + path[len(name):]
            out.append((path, tuple(w.shape)))
    return out


@pytest.fixture(scope="module", params=PREDICT_CASES, ids=[_case_id(c) for c in PREDICT_CASES])
def reference(request, tmp_path_factory):
    """Keras 3's model (random weights): its weight file, an input batch and its predictions."""
    keras3 = _real_keras()
    name, kwargs = request.param
    keras3.utils.set_random_seed(0)
    model = getattr(keras3.applications, name)(weights=None, **kwargs)
    rng = np.random.default_rng(0)
    # non-trivial statistics and layer scales (1e-6 at first), so they are read and used
    for layer in model.layers:
        if layer.__class__.__name__ in ("BatchNormalization", "Normalization", "LayerScale"):
            layer.set_weights([rng.uniform(0.5, 1.5, np.shape(w)).astype("float32")
                               if np.ndim(w) else w for w in layer.get_weights()])
    x = rng.uniform(0, 255, size=(2,) + tuple(model.input.shape[1:])).astype("float32")
    path = str(tmp_path_factory.mktemp("applications_b") / f"{name}.weights.h5")
    model.save_weights(path)
    model.load_weights(path)  # Keras' Normalization uses set statistics only once loaded
    return {"name": name, "kwargs": kwargs, "path": path, "x": x,
            "expected": np.asarray(model.predict(x, verbose=0)),
            "shapes": _shapes(model), "params": model.count_params()}


def test_predictions_match_keras(backend, reference):
    ours = getattr(keras.applications, reference["name"])(weights=reference["path"],
                                                          **reference["kwargs"])
    assert ours.count_params() == reference["params"]
    assert _shapes(ours) == reference["shapes"]
    got = np.asarray(ours.predict(reference["x"], verbose=0))
    scale = max(1.0, float(np.abs(reference["expected"]).max()))
    np.testing.assert_allclose(got, reference["expected"], rtol=1e-4, atol=1e-4 * scale)


@pytest.mark.parametrize(("name", "kwargs"), STRUCTURE_CASES,
                         ids=[_case_id(c) for c in STRUCTURE_CASES])
def test_structure_matches_keras(name, kwargs):
    keras3 = _real_keras()
    theirs = getattr(keras3.applications, name)(weights=None, **kwargs)
    ours = getattr(keras.applications, name)(weights=None, **kwargs)
    assert ours.name == theirs.name
    assert ours.count_params() == theirs.count_params()
    assert _shapes(ours) == _shapes(theirs)
    assert _layers(ours) == _layers(theirs)
    assert tuple(ours.output.shape) == tuple(theirs.output.shape)


@pytest.mark.parametrize("name", sorted(TOO_SLOW))
def test_largest_sizes(name):
    pytest.skip(TOO_SLOW[name])


def test_every_function_is_tested():
    """Each function of the families here is predicted, structure-checked or skipped."""
    covered = {c[0] for c in PREDICT_CASES + STRUCTURE_CASES} | set(TOO_SLOW)
    for module in _MODULES:
        names = {n for n in module.__all__ if n[0].isupper()}
        assert names <= covered, names - covered


def test_preprocess_input_is_identity():
    x = np.random.default_rng(1).uniform(0, 255, (1, 4, 4, 3)).astype("float32")
    for module in _MODULES:
        np.testing.assert_array_equal(module.preprocess_input(x.copy()), x)
    with pytest.raises(ValueError, match="data_format"):
        keras.applications.efficientnet_v2.preprocess_input(x, data_format="nchw")


def test_argument_errors():
    with pytest.raises(ValueError, match="pooling"):
        keras.applications.EfficientNetB0(weights=None, include_top=False,
                                          input_shape=(32, 32, 3), pooling="sum")
    with pytest.raises(ValueError, match="at least 32x32"):
        keras.applications.EfficientNetB0(weights=None, include_top=False,
                                          input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="classes"):
        keras.applications.EfficientNetB0(weights="imagenet", classes=10)


def test_convnext_refuses_channels_first():
    previous = keras.config.image_data_format()
    keras.config.set_image_data_format("channels_first")
    try:
        with pytest.raises(ValueError, match="channels_first"):
            keras.applications.ConvNeXtTiny(weights=None, include_top=False,
                                            input_shape=(3, 32, 32))
    finally:
        keras.config.set_image_data_format(previous)


@pytest.mark.parametrize("name", ["EfficientNetB0", "ConvNeXtTiny"])
def test_legacy_h5_weights_load(name, tmp_path):
    """Keras' ImageNet files are legacy ``.h5`` (by layer name; ConvNeXt's nest Sequential
    models): one written by Keras 3 loads through ``weights=path``."""
    keras3 = _real_keras()
    h5py = pytest.importorskip("h5py")
    legacy = pytest.importorskip("keras.src.legacy.saving.legacy_h5_format")
    kwargs = {**_SMALL, "pooling": "avg"}
    theirs = getattr(keras3.applications, name)(weights=None, **kwargs)
    rng = np.random.default_rng(2)
    for layer in theirs.layers:
        if layer.__class__.__name__ in ("BatchNormalization", "LayerScale"):
            layer.set_weights([rng.uniform(0.5, 1.5, np.shape(w)).astype("float32")
                               for w in layer.get_weights()])
    path = str(tmp_path / f"{name}.h5")
    with h5py.File(path, "w") as f:
        legacy.save_weights_to_hdf5_group(f, theirs)
    x = rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    expected = np.asarray(theirs.predict(x, verbose=0))
    ours = getattr(keras.applications, name)(weights=path, **kwargs)
    got = np.asarray(ours.predict(x, verbose=0))
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * scale)
