"""The stateless API on every backend: ``Layer.stateless_call``, ``Optimizer.stateless_apply``,
``Metric.stateless_*`` and ``Model.get_state_tree`` / ``set_state_tree``.

Each stateless result is checked against the stateful method on an identical copy (whose
numbers other tests compare with Keras 3), and the variables must stay untouched; the state
tree's layout is compared with Keras 3's.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import mini_keras as keras

X = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
Y = np.random.default_rng(1).normal(size=(6, 2)).astype("float32")


def _model(keras_module=keras):
    layers = keras_module.layers
    model = keras_module.Sequential([keras_module.Input((3,)), layers.Dense(4, name="d1"),
                                     layers.BatchNormalization(name="bn"),
                                     layers.Dense(2, name="d2")], name="seq")
    rng = np.random.default_rng(2)
    weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()]
    weights[5] = np.abs(weights[5]) + 0.5  # BatchNorm's moving variance
    model.set_weights(weights)
    return model


def _functional(keras_module):
    inputs = keras_module.Input((3,))
    hidden = keras_module.layers.BatchNormalization(name="bn")(
        keras_module.layers.Dense(4, name="d1")(inputs))
    return keras_module.Model(inputs, keras_module.layers.Dense(2, name="d2")(hidden))


def _numpy(values):
    return [keras.ops.convert_to_numpy(v) for v in values]


def test_stateless_call_matches_call_and_leaves_variables(backend):
    model, twin = _model(), _model()
    before = model.get_weights()
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    out, new_non_trainable = model.stateless_call(trainable, non_trainable, X, training=True)
    expected = keras.ops.convert_to_numpy(twin(X, training=True))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), expected, rtol=1e-5, atol=1e-6)
    for new, ref in zip(_numpy(new_non_trainable), _numpy(twin.non_trainable_variables),
                        strict=True):  # BatchNorm's moving statistics moved, as in call()
        np.testing.assert_allclose(new, ref, rtol=1e-5, atol=1e-6)
    for now, then in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_stateless_call_return_losses_and_errors(backend):
    layer = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.5))
    layer.build((None, 3))
    kernel = np.ones((3, 2), "float32")
    out, non_trainable, losses = layer.stateless_call([kernel, np.zeros(2, "float32")], [], X,
                                                      return_losses=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), X @ kernel, rtol=1e-5)
    assert non_trainable == []
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(losses[0])), 0.5 * 6.0,
                               rtol=1e-6)
    with pytest.raises(ValueError, match="trainable_variables.*length 1, but expected 2"):
        layer.stateless_call([kernel], [], X)


def test_stateless_apply_matches_apply(backend):
    model, twin = _model(), _model()
    optimizer, reference = keras.optimizers.Adam(0.1), keras.optimizers.Adam(0.1)
    optimizer.build(model.trainable_variables)
    reference.build(twin.trainable_variables)
    rng = np.random.default_rng(3)
    grads = [rng.normal(size=v.shape).astype("float32") for v in model.trainable_variables]
    before = model.get_weights()
    opt_before = _numpy(optimizer.variables)
    new_trainable, new_opt = optimizer.stateless_apply(
        [v.value for v in optimizer.variables], grads, [v.value for v in model.trainable_variables])
    reference.apply(grads, twin.trainable_variables)
    for new, ref in zip(_numpy(new_trainable), _numpy(twin.trainable_variables), strict=True):
        np.testing.assert_allclose(new, ref, rtol=1e-6, atol=1e-7)
    for new, ref in zip(_numpy(new_opt), _numpy(reference.variables), strict=True):
        np.testing.assert_allclose(new, ref, rtol=1e-6, atol=1e-7)
    for now, then in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)
    for now, then in zip(_numpy(optimizer.variables), opt_before, strict=True):
        np.testing.assert_array_equal(now, then)


def test_stateless_apply_requires_build(backend):
    with pytest.raises(ValueError, match="optimizer.build"):
        keras.optimizers.SGD().stateless_apply([], [], [])


def test_stateless_metric_api(backend):
    metric, twin = keras.metrics.MeanAbsoluteError(), keras.metrics.MeanAbsoluteError()
    state = metric.stateless_reset_state()
    for start in (0, 3):
        state = metric.stateless_update_state(state, Y[start:start + 3], X[start:start + 3, :2])
        twin.update_state(Y[start:start + 3], X[start:start + 3, :2])
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(metric.stateless_result(state))),
                               float(keras.ops.convert_to_numpy(twin.result())), rtol=1e-6)
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(twin.result())),
                               np.abs(Y - X[:, :2]).mean(), rtol=1e-6)
    assert all(float(keras.ops.convert_to_numpy(v)) == 0.0 for v in metric.variables)
    with pytest.raises(ValueError, match="metric_variables"):
        metric.stateless_result(state[:1])


def test_state_tree_round_trip(backend):
    model = _model()
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    tree = model.get_state_tree(value_format="numpy_array")
    other = _model()
    other.compile(optimizer="adam", loss="mse", metrics=["mae"])
    other.fit(X, Y, epochs=1, verbose=0)  # builds the optimizer and metrics
    other.set_state_tree(tree)
    for mine, ref in zip(other.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, ref)
    for mine, ref in zip(_numpy(other.optimizer.variables), _numpy(model.optimizer.variables),
                         strict=True):
        np.testing.assert_array_equal(mine, ref)
    with pytest.raises(ValueError, match="value_format"):
        model.get_state_tree(value_format="lists")
    with pytest.raises(ValueError, match="Unknown variable name"):
        model.set_state_tree({"weights": {}})


def _paths(tree, prefix=""):
    out = []
    for key, value in tree.items():
        path = f"{prefix}/{key}" if prefix else key
        out.extend(_paths(value, path) if isinstance(value, dict) else [(path, value.shape)])
    return sorted(out)


def test_state_tree_layout_matches_keras3():
    """The same functional model, trained one step, gives Keras 3's groups, paths and shapes
    (a Sequential's differ: Keras 3 prefixes its variables' paths with the model's name)."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    trees = []
    for module in (keras, keras3):
        model = _functional(module)
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        model.fit(X, Y, epochs=1, verbose=0)
        trees.append(model.get_state_tree(value_format="numpy_array"))
    ours, theirs = trees
    assert ours.keys() == theirs.keys()
    for group in ("trainable_variables", "non_trainable_variables"):
        assert _paths(ours[group]) == _paths(theirs[group]), group
