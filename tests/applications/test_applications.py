"""``keras.applications`` architectures against Keras 3: with Keras 3's weights (its
``.weights.h5`` file, read by layer name) our model predicts what Keras 3's does, on every
backend; the other sizes of a family have Keras' parameter count and weight shapes.

Small inputs (the smallest each architecture accepts) and no top or few classes keep it fast:
each Keras reference model is built once per module.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests

# (function, kwargs): one model per family is compared number for number on every backend.
PREDICT_CASES = [
    ("VGG16", {"include_top": False, "input_shape": (32, 32, 3), "pooling": "avg"}),
    ("ResNet50", {"include_top": False, "input_shape": (32, 32, 3), "pooling": "avg"}),
    ("ResNet50V2", {"include_top": True, "input_shape": (32, 32, 3), "classes": 5,
                    "classifier_activation": None}),
    ("MobileNet", {"include_top": True, "input_shape": (32, 32, 3), "classes": 4,
                   "alpha": 0.5, "classifier_activation": None}),
    ("MobileNetV2", {"include_top": True, "input_shape": (33, 33, 3), "classes": 4,
                     "alpha": 0.35, "classifier_activation": None}),
    ("DenseNet121", {"include_top": True, "input_shape": (32, 32, 3), "classes": 4,
                     "classifier_activation": None}),
    ("Xception", {"include_top": False, "input_shape": (71, 71, 3), "pooling": "avg"}),
    ("InceptionV3", {"include_top": True, "input_shape": (75, 75, 3), "classes": 4,
                     "classifier_activation": None}),
    ("MobileNetV3Small", {"include_top": True, "input_shape": (32, 32, 3), "classes": 4,
                          "classifier_activation": None}),
    ("InceptionResNetV2", {"include_top": True, "input_shape": (75, 75, 3), "classes": 4,
                           "classifier_activation": None}),
]
# The family's other members: structure only (parameter count, weight names and shapes).
STRUCTURE_CASES = [
    ("VGG19", {"include_top": True, "input_shape": (32, 32, 3), "classes": 7}),
    ("ResNet101", {"include_top": False, "input_shape": (32, 32, 3), "pooling": "max"}),
    ("ResNet152V2", {"include_top": False, "input_shape": (32, 32, 3)}),
    ("MobileNet", {"include_top": False, "input_shape": (32, 32, 3), "depth_multiplier": 2}),
    ("MobileNetV2", {"include_top": False, "alpha": 1.4}),
    ("DenseNet169", {"include_top": False, "input_shape": (32, 32, 3)}),
    ("DenseNet201", {"include_top": True, "input_shape": (32, 32, 3), "classes": 3}),
    ("MobileNetV3Large", {"include_top": True, "input_shape": (32, 32, 3), "classes": 3}),
    ("MobileNetV3Large", {"include_top": False, "minimalistic": True, "alpha": 0.75}),
    ("MobileNetV3Small", {"include_top": False, "minimalistic": True, "pooling": "avg"}),
]


def randomize_normalization(keras3, model):
    """Random batch-normalization statistics and scales (Keras' initial ones are the
    identity, which would hide a wrong epsilon, axis or order)."""
    rng = np.random.default_rng(1)
    for layer in model.layers:
        if isinstance(layer, keras3.layers.BatchNormalization):
            for w in layer.weights:
                low, high = ((0.5, 1.5) if w.path.endswith(("gamma", "moving_variance"))
                             else (-0.2, 0.2))
                w.assign(rng.uniform(low, high, size=w.shape).astype("float32"))


def _real_keras():
    return pytest.importorskip("keras")


def _case_id(case):
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in sorted(case[1].items())
                                    if k != "input_shape")


@pytest.fixture(scope="module", params=PREDICT_CASES, ids=[_case_id(c) for c in PREDICT_CASES])
def reference(request, tmp_path_factory):
    """Keras 3's model (random weights): its weight file, an input batch and its predictions."""
    keras3 = _real_keras()
    name, kwargs = request.param
    keras3.utils.set_random_seed(0)
    model = getattr(keras3.applications, name)(weights=None, **kwargs)
    randomize_normalization(keras3, model)
    x = np.random.default_rng(0).uniform(-1, 1, size=(1,) + tuple(model.input.shape[1:]))
    x = x.astype("float32")
    path = str(tmp_path_factory.mktemp("applications") / f"{name}.weights.h5")
    model.save_weights(path)
    shapes = _shapes(model)
    return {"name": name, "kwargs": kwargs, "path": path, "x": x,
            "expected": np.asarray(model.predict(x, verbose=0)),
            "shapes": shapes, "params": model.count_params()}


def _shapes(model):
    """Weight paths and shapes in order; the counters of automatic layer names
    (``conv2d_4``) depend on what was built before, so they are dropped."""
    return [(re.sub(r"_\d+/", "/", w.path), tuple(w.shape)) for w in model.weights]


def test_predictions_match_keras(backend, reference):
    ours = getattr(keras.applications, reference["name"])(weights=None, **reference["kwargs"])
    assert ours.count_params() == reference["params"]
    assert _shapes(ours) == reference["shapes"]
    ours.load_weights(reference["path"])
    got = np.asarray(keras.ops.convert_to_numpy(ours(reference["x"], training=False)))
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
    assert tuple(ours.output.shape) == tuple(theirs.output.shape)


def test_layer_order_is_keras_order():
    """Branches and several inputs: ``model.layers`` in Keras' order (by depth, then walk
    order), which legacy ``.h5`` files rely on."""
    keras3 = _real_keras()

    def build(lib):
        a, b = lib.Input((4,), name="a"), lib.Input((4,), name="b")
        left = lib.layers.Dense(3, name="left2")(lib.layers.Dense(3, name="left1")(a))
        right = lib.layers.Dense(3, name="right")(b)
        shortcut = lib.layers.Dense(3, name="shortcut")(a)
        x = lib.layers.Add(name="add")([left, right, shortcut])
        return lib.Model([a, b], [lib.layers.Dense(1, name="out")(x), right])

    assert [layer.name for layer in build(keras).layers] == [
        layer.name for layer in build(keras3).layers]
