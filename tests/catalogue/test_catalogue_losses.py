"""The losses added for Keras 3 parity, on every backend: values (reductions, sample weights)
and configs equal Keras 3's, function forms equal Keras' functions, gradients equal finite
differences, and names resolve through get/serialize/deserialize."""

import numpy as np
import pytest
from catalogue_helpers import gradient, keras_numpy, numeric_gradient, ours_numpy, real_keras

import mini_keras as keras

RNG = np.random.default_rng(5)
PROBS = RNG.dirichlet(np.ones(4), size=6).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, size=6)]
LABELS = RNG.integers(0, 4, size=(6,)).astype("int32")
BINARY = RNG.integers(0, 2, size=(6, 4)).astype("float32")
UNIT = RNG.uniform(0.02, 0.98, size=(6, 4)).astype("float32")
LOGITS = RNG.normal(size=(6, 4)).astype("float32") * 2
EMBED = RNG.normal(size=(6, 5)).astype("float32")
EMBED /= np.linalg.norm(EMBED, axis=1, keepdims=True)
GROUPS = np.array([0, 1, 0, 1, 2, 2], "int32")
LONELY = np.array([0, 1, 0, 1, 2, 3], "int32")  # label 3 has no positive: masked out
WEIGHTS = RNG.uniform(0, 2, size=(6,)).astype("float32")

CASES = [  # (class, kwargs, y_true, y_pred)
    ("BinaryFocalCrossentropy", {}, BINARY, UNIT),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5,
                                 "label_smoothing": 0.1}, BINARY, UNIT),
    ("BinaryFocalCrossentropy", {"from_logits": True}, BINARY, LOGITS),
    ("CategoricalFocalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.2},
     ONE_HOT, PROBS),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("CategoricalGeneralizedCrossEntropy", {}, LABELS, PROBS),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.8}, LABELS, PROBS),
    ("Dice", {}, BINARY, UNIT),
    ("Dice", {"axis": -1}, BINARY, UNIT),
    ("Tversky", {}, BINARY, UNIT),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": -1}, BINARY, UNIT),
    ("Circle", {}, GROUPS, EMBED),
    ("Circle", {"gamma": 10.0, "margin": 0.25}, LONELY, EMBED),
    ("Circle", {"remove_diagonal": False}, GROUPS, EMBED),
]
IDS = [f"{c[0]}{i}" for i, c in enumerate(CASES)]
FUNCTIONS = {"BinaryFocalCrossentropy": "binary_focal_crossentropy",
             "CategoricalFocalCrossentropy": "categorical_focal_crossentropy",
             "CategoricalGeneralizedCrossEntropy": "categorical_generalized_cross_entropy",
             "Dice": "dice", "Tversky": "tversky", "Circle": "circle"}


def _rtol(name):
    # float32, a few ops; the circle loss exponentiates gamma * distance (up to ~100) first
    return 2e-4 if name == "Circle" else 1e-5


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred"), CASES, ids=IDS)
def test_loss_matches_keras(backend, name, kwargs, y_true, y_pred):
    theirs_module = real_keras().losses
    overall = name in ("Dice", "Tversky") and kwargs.get("axis") is None
    for reduction, sample_weight in [("sum_over_batch_size", None), ("sum", None),
                                     ("sum_over_batch_size", WEIGHTS), ("none", WEIGHTS),
                                     ("mean", WEIGHTS)]:
        if overall and sample_weight is not None:
            continue  # one value for the whole batch: per-sample weights do not apply
        ours = getattr(keras.losses, name)(reduction=reduction, **kwargs)
        theirs = getattr(theirs_module, name)(reduction=reduction, **kwargs)
        sw = None if sample_weight is None else keras.ops.convert_to_tensor(sample_weight)
        got = ours_numpy(ours(keras.ops.convert_to_tensor(y_true),
                              keras.ops.convert_to_tensor(y_pred), sw))
        expected = keras_numpy(theirs(y_true, y_pred, sample_weight))
        assert got.shape == expected.shape and got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=_rtol(name), atol=1e-6,
                                   err_msg=f"{name} {reduction}")
    assert ours.get_config() == theirs.get_config()
    again = getattr(keras.losses, name).from_config(ours.get_config())
    assert again.get_config() == ours.get_config()


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred"), CASES, ids=IDS)
def test_function_form_matches_keras(backend, name, kwargs, y_true, y_pred):
    fn = FUNCTIONS[name]
    kwargs = dict(kwargs)
    if name == "CategoricalGeneralizedCrossEntropy":
        kwargs.setdefault("q", 0.5)
    got = ours_numpy(getattr(keras.losses, fn)(keras.ops.convert_to_tensor(y_true),
                                               keras.ops.convert_to_tensor(y_pred), **kwargs))
    expected = keras_numpy(getattr(real_keras().losses, fn)(y_true, y_pred, **kwargs))
    np.testing.assert_allclose(got, expected, rtol=_rtol(name), atol=1e-6)


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred"), CASES, ids=IDS)
def test_loss_gradient_matches_finite_differences(backend, name, kwargs, y_true, y_pred):
    if name == "Circle":
        kwargs = {**kwargs, "gamma": 4.0}  # keep exp() tame
    loss = getattr(keras.losses, name)(**kwargs)
    reference = getattr(real_keras().losses, name)(dtype="float64", **kwargs)
    expected = numeric_gradient(lambda p: reference(y_true, p), y_pred, keras_fn=True)
    got = gradient(lambda p: loss(y_true, p), y_pred)
    # float32 backward vs float64 central differences
    np.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-4)


def test_names_resolve_like_keras():
    theirs = real_keras().losses
    for cls_name, fn_name in FUNCTIONS.items():
        assert keras.losses.deserialize(fn_name) is getattr(keras.losses, fn_name)
        assert type(keras.losses.deserialize(cls_name)).__name__ == cls_name
        assert type(keras.losses.get(fn_name)).__name__ == cls_name
        ours = keras.losses.serialize(getattr(keras.losses, cls_name)())
        assert ours == theirs.serialize(getattr(theirs, cls_name)())
        assert type(keras.losses.deserialize(ours)).__name__ == cls_name
    with pytest.raises(ValueError, match="Unknown loss 'dyce'.*dice"):
        keras.losses.deserialize("dyce")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="q` must be in"):
        keras.losses.CategoricalGeneralizedCrossEntropy(q=0.0)
    with pytest.raises(ValueError, match="axis` must be an int"):
        keras.losses.categorical_focal_crossentropy(ONE_HOT, PROBS, axis=True)


@pytest.mark.parametrize("name", ["Huber", "LogCosh", "KLDivergence", "Poisson", "Hinge",
                                  "SquaredHinge", "CategoricalHinge", "CosineSimilarity",
                                  "MeanSquaredLogarithmicError", "MeanAbsolutePercentageError",
                                  "CategoricalFocalCrossentropy"])
def test_dtype_argument_is_applied_like_keras(backend, name):
    """(Dice is left out: its one-value result is a numpy float64 scalar on the numpy backend,
    which the next op takes for a weak Python float and computes in float32.)"""
    if ours_numpy(keras.ops.ones((), dtype="float64")).dtype != np.float64:
        pytest.skip(f"{backend} computes no float64 here (JAX without x64)")
    ours = getattr(keras.losses, name)(dtype="float64")
    theirs = getattr(real_keras().losses, name)(dtype="float64")
    convert = keras.ops.convert_to_tensor
    got = ours_numpy(ours(convert(ONE_HOT), convert(PROBS)))
    expected = keras_numpy(theirs(ONE_HOT, PROBS))
    assert got.dtype == expected.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-6)
