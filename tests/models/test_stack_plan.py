"""Sequential's direct call path (models/stack_plan.py): same results as the layer-by-layer
path, made only where it is exact, dropped when a layer's policy or the context changes."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends, layers
from mini_keras.models.stack_plan import StackPlan

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 6)).astype("float32")


def _plans(model):
    return list(model._plans.values())


def _mlp():
    return keras.Sequential([keras.Input((6,)), layers.Dense(5, activation="relu"),
                             layers.Dropout(0.5, seed=1), layers.Dense(2)])


def _numpy_forward(model, x):
    (k1, b1), (k2, b2) = (layer.get_weights() for layer in model.layers if layer.weights)
    return np.maximum(x @ k1 + b1, 0) @ k2 + b2


def test_second_call_runs_the_plan_with_the_same_result(backend):
    model = _mlp()
    first = keras.ops.convert_to_numpy(model(X))
    plans = _plans(model)
    assert len(plans) == 1 and isinstance(plans[0], StackPlan)
    assert [step[0] for step in plans[0].steps] == model.layers
    second = model.predict(X, verbose=0)
    np.testing.assert_allclose(first, _numpy_forward(model, X), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(second, first)
    count = len(_plans(model))  # jax/tensorflow's predict traces: a tracer's plan joins
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(X)), first)
    assert len(_plans(model)) == count  # the same signature again: the plan is reused


def test_training_flag_reaches_the_layers_through_the_plan(backend):
    model = _mlp()
    model(X, training=True)  # records the plan
    dropped = keras.ops.convert_to_numpy(model(X, training=True))
    assert isinstance(_plans(model)[0], StackPlan)
    hidden = np.maximum(X @ model.layers[0].get_weights()[0] + model.layers[0].get_weights()[1],
                        0)
    kept = dropped - model.layers[2].get_weights()[1]
    # Dropout ran in training mode: some hidden units dropped, the rest scaled by 1 / (1 - 0.5)
    assert not np.allclose(kept, hidden @ model.layers[2].get_weights()[0], atol=1e-5)
    inference = keras.ops.convert_to_numpy(model(X, training=False))
    np.testing.assert_allclose(inference, _numpy_forward(model, X), rtol=1e-5, atol=1e-6)


def test_a_new_signature_gets_its_own_plan(backend):
    model = _mlp()
    model(X)
    model(X[:1])
    assert len(_plans(model)) == 2
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(X[:1])),
                               _numpy_forward(model, X[:1]), rtol=1e-5, atol=1e-6)


def test_changing_a_layers_policy_leaves_the_plan(backend):
    if not backends.supports("float16"):
        pytest.skip("no float16 on this backend")
    model = _mlp()
    model(X)
    model(X)
    model.layers[0].dtype_policy = "mixed_float16"
    assert not _plans(model)[0].applies(None)
    out = model(X)  # the ordinary path casts the first layer's output to float16
    assert keras.ops.dtype(out) == "float32"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out), _numpy_forward(model, X),
                               rtol=1e-2, atol=1e-2)  # float16 hidden layer: 3 digits


def test_masking_and_overridden_machinery_get_no_plan(backend):
    masked = keras.Sequential([keras.Input((4,), dtype="int32"),
                               layers.Embedding(5, 3, mask_zero=True), layers.LSTM(2)])
    x = np.array([[1, 2, 0, 0], [3, 0, 0, 0], [4, 4, 4, 1]], "int32")
    first = keras.ops.convert_to_numpy(masked(x))
    assert _plans(masked) == [None]  # Embedding computes a mask: the stack keeps __call__
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(masked(x)), first)


def test_add_and_pop_forget_the_plans(backend):
    model = _mlp()
    model(X)
    model.add(layers.Dense(1))
    assert not model._plans
    assert keras.ops.shape(model(X)) == (3, 1)
    model.pop()
    assert not model._plans
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(X)), _numpy_forward(model, X),
                               rtol=1e-5, atol=1e-6)


def test_layer_called_inside_a_plan_keeps_its_losses_per_call(backend):
    model = keras.Sequential([keras.Input((6,)),
                              layers.Dense(4, activity_regularizer=keras.regularizers.L2(0.1))])
    model(X)
    ordinary = float(keras.ops.convert_to_numpy(model.losses[0]))
    model(X)  # through the plan
    assert isinstance(_plans(model)[0], StackPlan)
    assert len(model.losses) == 1  # cleared by the outer call, added once by Dense.call
    assert float(keras.ops.convert_to_numpy(model.losses[0])) == ordinary
    h = X @ model.layers[0].get_weights()[0] + model.layers[0].get_weights()[1]
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(model.losses[0])),
                               0.1 * np.sum(h ** 2), rtol=1e-4)


def test_host_string_inputs_take_the_ordinary_path(backend):
    model = keras.Sequential([keras.Input((2,), dtype="string"),
                              layers.StringLookup(vocabulary=["a", "b"])])
    x = np.array([["a", "b"], ["b", "c"]])
    for _ in range(2):  # no plan is recorded for a host string array, before or after
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)), [[1, 2], [2, 0]])
        assert not model._plans
