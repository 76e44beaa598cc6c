"""Losses on every backend: values (with sample_weight and reductions) equal real Keras 3's."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

RNG = np.random.default_rng(0)
PROBS = RNG.dirichlet(np.ones(4), size=6).astype("float32")
PROBS_TRUE = RNG.dirichlet(np.ones(4), size=6).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, size=6)]
REAL_TRUE = RNG.normal(size=(6, 4)).astype("float32") * 2
REAL_PRED = RNG.normal(size=(6, 4)).astype("float32") * 2
BINARY = RNG.integers(0, 2, size=(6, 4)).astype("float32")
SIGNS = 2 * BINARY - 1
COUNTS = RNG.poisson(2.0, size=(6, 4)).astype("float32")
POSITIVE = RNG.uniform(0.1, 3, size=(6, 4)).astype("float32")
WEIGHTS = RNG.uniform(0, 2, size=(6,)).astype("float32")

_KERAS_CACHE: dict = {}
# (class name, kwargs, y_true, y_pred, string name)
CASES = [
    ("Huber", {}, REAL_TRUE, REAL_PRED, "huber"),
    ("Huber", {"delta": 0.5}, REAL_TRUE, REAL_PRED, None),
    ("LogCosh", {}, REAL_TRUE, REAL_PRED, "log_cosh"),
    ("KLDivergence", {}, PROBS_TRUE, PROBS, "kld"),
    ("Poisson", {}, COUNTS, POSITIVE, "poisson"),
    ("Hinge", {}, BINARY, REAL_PRED, "hinge"),
    ("Hinge", {}, SIGNS, REAL_PRED, None),
    ("SquaredHinge", {}, BINARY, REAL_PRED, "squared_hinge"),
    ("CategoricalHinge", {}, ONE_HOT, REAL_PRED, "categorical_hinge"),
    ("CosineSimilarity", {}, REAL_TRUE, REAL_PRED, "cosine_similarity"),
    ("CosineSimilarity", {"axis": 0}, REAL_TRUE, REAL_PRED, None),
    ("MeanSquaredLogarithmicError", {}, POSITIVE, REAL_PRED, "msle"),
    ("MeanAbsolutePercentageError", {}, REAL_TRUE, REAL_PRED, "mape"),
    ("MeanSquaredError", {}, REAL_TRUE, REAL_PRED, "mse"),
    ("MeanAbsoluteError", {}, REAL_TRUE, REAL_PRED, "mae"),
    ("CategoricalCrossentropy", {}, ONE_HOT, PROBS, "categorical_crossentropy"),
    ("BinaryCrossentropy", {}, BINARY, PROBS, "binary_crossentropy"),
]
IDS = [f"{c[0]}{i}" for i, c in enumerate(CASES)]


def _ours(loss, y_true, y_pred, sample_weight=None):
    b = backends.current()
    sw = None if sample_weight is None else b.convert_to_tensor(sample_weight)
    return np.asarray(b.convert_to_numpy(loss(b.convert_to_tensor(y_true),
                                              b.convert_to_tensor(y_pred), sw)))


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred", "alias"), CASES, ids=IDS)
def test_loss_matches_keras(backend, name, kwargs, y_true, y_pred, alias):
    real_keras = pytest.importorskip("keras")
    for reduction, sample_weight in [("sum_over_batch_size", None),
                                     ("sum_over_batch_size", WEIGHTS), ("sum", WEIGHTS),
                                     ("none", WEIGHTS)]:
        if kwargs.get("axis") == 0 and sample_weight is not None:
            continue  # per-sample weights do not apply to a loss reduced over the batch axis
        ours = getattr(keras.losses, name)(reduction=reduction, **kwargs)
        key = (name, repr(sorted(kwargs.items())), id(y_true), id(y_pred), reduction,
               sample_weight is None)
        if key not in _KERAS_CACHE:  # the reference does not depend on our backend
            ref = getattr(real_keras.losses, name)(reduction=reduction, **kwargs)
            _KERAS_CACHE[key] = np.asarray(real_keras.ops.convert_to_numpy(
                ref(y_true, y_pred, sample_weight=sample_weight)))
        expected = _KERAS_CACHE[key]
        np.testing.assert_allclose(_ours(ours, y_true, y_pred, sample_weight), expected,
                                   rtol=2e-5, atol=1e-6, err_msg=f"{name} {reduction}")
    if alias is not None:
        by_name = keras.losses.get(alias)
        assert isinstance(by_name, getattr(keras.losses, name))
        np.testing.assert_allclose(_ours(by_name, y_true, y_pred, WEIGHTS),
                                   _ours(getattr(keras.losses, name)(), y_true, y_pred, WEIGHTS),
                                   rtol=1e-6)


@pytest.mark.parametrize(("name", "kwargs", "y_true", "y_pred", "alias"), CASES[:13], ids=IDS[:13])
def test_loss_functions_match_keras(backend, name, kwargs, y_true, y_pred, alias):
    real_keras = pytest.importorskip("keras")
    fn_name = keras.losses.get(name).fn.__name__
    b = backends.current()
    ours = getattr(keras.losses, fn_name)(b.convert_to_tensor(y_true),
                                          b.convert_to_tensor(y_pred), **kwargs)
    expected = real_keras.ops.convert_to_numpy(
        getattr(real_keras.losses, fn_name)(y_true, y_pred, **kwargs))
    np.testing.assert_allclose(b.convert_to_numpy(ours), expected, rtol=2e-5, atol=1e-6)


def test_rank_mismatch_is_squeezed_like_keras(backend):
    """(N,) targets against (N, 1) predictions give per-sample errors, not an (N, N) grid."""
    y_true = np.array([1.0, 2.0, 3.0], "float32")
    y_pred = np.array([[1.5], [2.0], [2.0]], "float32")
    value = _ours(keras.losses.Huber(), y_true, y_pred)
    np.testing.assert_allclose(value, (0.125 + 0 + 0.5) / 3, rtol=1e-6)


def test_get_names_and_errors():
    for name in ["huber", "Huber", "log_cosh", "kl_divergence", "KLD", "poisson", "hinge",
                 "squared_hinge", "categorical_hinge", "cosine_similarity", "MSLE", "mape",
                 "mean_absolute_percentage_error", "mean_squared_logarithmic_error"]:
        assert isinstance(keras.losses.get(name), keras.losses.Loss)
    with pytest.raises(ValueError, match="Unknown loss"):
        keras.losses.get("hubber")


@pytest.mark.parametrize("loss", ["huber", "log_cosh"])
def test_new_losses_train_a_regression(backend, loss):
    x = np.linspace(0.5, 2, 16, dtype="float32").reshape(-1, 1)
    y = 3.0 * x + 1.0
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.1), loss=loss)
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
