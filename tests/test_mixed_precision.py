"""Mixed precision: dtype policies, autocasting layers, LossScaleOptimizer, saving.

References: float32 training of the same model (same seed, same initial weights), numpy
computations by hand, and the Keras 3 dtype-policy schema.
"""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.core.stateless import StatelessScope
from mini_keras.mixed_precision import LossScaleOptimizer

HALF_POLICIES = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
# numpy warns about the float16 overflows that these tests provoke on purpose
_OVERFLOW_OK = pytest.mark.filterwarnings("ignore:overflow encountered",
                                          "ignore:invalid value encountered")


@pytest.fixture(autouse=True)
def reset_policy():
    """Every test starts and ends with the default (float32) global policy."""
    keras.mixed_precision.set_dtype_policy(None)
    yield
    keras.mixed_precision.set_dtype_policy(None)


def _np(x):
    return np.asarray(backends.current().convert_to_numpy(x)).astype("float32")


def _policies(backend):
    # numpy cannot compute in bfloat16 (it evaluates bfloat16 products in float32): the
    # layer refuses that policy with a clear error, checked in test_numpy_refuses_bfloat16.
    return ["mixed_float16"] if backend == "numpy" else list(HALF_POLICIES)


@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    x, y = (x / 16.0).astype("float32"), y.astype("int32")
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def _mlp(policy, backend):
    keras.mixed_precision.set_dtype_policy(policy)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax", dtype="float32")])
    # tf.function tracing costs more than these 21 eager steps; the compiled step is tested
    # in test_compiled_step_skips_overflow_and_halves_the_scale.
    model.compile(keras.optimizers.Adam(0.02), "sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=backend != "tensorflow" and "auto")
    return model


# ---------------------------------------------------------------------------- (a) training
def test_mixed_training_matches_float32_accuracy(backend, digits):
    x, y, x_test, y_test = digits
    accuracy = {}
    for policy in ["float32"] + _policies(backend):
        model = _mlp(policy, backend)
        model.fit(x, y, epochs=3, batch_size=200, verbose=0)
        probabilities = _np(model(x_test))  # an eager call: no predict step to compile
        accuracy[policy] = float(np.mean(probabilities.argmax(-1) == y_test))
        # variables stay float32; the hidden layer computes in half, the float32 head in float32
        assert {v.dtype for v in model.weights} == {"float32"}
        hidden = model.layers[0](x_test[:4])
        assert backends.current().dtype(hidden) == HALF_POLICIES.get(policy, "float32")
        assert backends.current().dtype(model(x_test[:4])) == "float32"
        scaled = isinstance(model.optimizer, LossScaleOptimizer)
        assert scaled == (policy == "mixed_float16")  # compile() wraps only for float16
    assert accuracy["float32"] > 0.85
    for policy in _policies(backend):
        assert abs(accuracy[policy] - accuracy["float32"]) <= 0.01, accuracy


def test_gradients_are_float32_and_close_to_float32_ones(backend):
    """Autocast is differentiable: gradients w.r.t. the float32 variables come back float32."""
    b = backends.current()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 5)).astype("float32")
    y = rng.integers(0, 3, 8)
    grads = {}
    for policy in ["float32"] + _policies(backend):
        keras.mixed_precision.set_dtype_policy(policy)
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax", dtype="float32")])
        model.compile("sgd", "sparse_categorical_crossentropy")
        model._build_for_data(x, y)
        variables = model.trainable_variables

        def loss_fn(values, model=model, variables=variables):
            with StatelessScope(zip(variables, values)):
                pred = model(b.convert_to_tensor(x), training=True)
                return model.compute_loss(x, b.convert_to_tensor(y), pred)

        loss, g = b.value_and_grad(loss_fn)([v.value for v in variables])
        assert b.dtype(loss) == "float32"
        assert [b.dtype(t) for t in g] == ["float32"] * 4
        grads[policy] = [_np(t) for t in g]
    # Gradients through a float16 (bfloat16) forward pass of depth 5 vs the float32 ones: a few
    # ulps of the half type at gradients of magnitude ~0.3 (eps 9.8e-4 / 7.8e-3).
    tolerance = {"mixed_float16": 2e-3, "mixed_bfloat16": 2e-2}
    for policy in _policies(backend):
        for ours, ref in zip(grads[policy], grads["float32"]):
            np.testing.assert_allclose(ours, ref, atol=tolerance[policy])


def test_batch_normalization_keeps_statistics_in_float32(backend):
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(16, 4)).astype("float32")
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    layer = keras.layers.BatchNormalization(momentum=0.5)
    out = layer(x, training=True)
    assert backends.current().dtype(out) == "float16"
    assert layer.moving_mean.dtype == "float32" and layer.gamma.dtype == "float32"
    # statistics from the float32 input: (x - mean) / sqrt(var + eps), and moving averages
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    # the float16 output of values up to ~3: half an ulp there is 1e-3; kernels may round twice
    np.testing.assert_allclose(_np(out), expected, atol=5e-3)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.5 * x.mean(0), rtol=1e-5)


# ---------------------------------------------------------------------------- (b) loss scaling
def _hand_trajectory(grads, lr, scale, growth_steps, w):
    """Keras 3's dynamic loss scaling on SGD, computed by hand."""
    counter, out = 0, []
    for g in grads:
        if np.all(np.isfinite(g)):
            w = w - lr * g / scale
            if counter == growth_steps - 1:
                counter, scale = 0, scale * 2
            else:
                counter += 1
        else:
            counter, scale = 0, scale / 2
        out.append((w.copy(), scale, counter))
    return out


GRADS = [np.array([8.0, -4.0], "float32"), np.array([np.inf, 1.0], "float32"),
         np.array([2.0, 2.0], "float32"), np.array([np.nan, 0.0], "float32"),
         np.array([4.0, 8.0], "float32"), np.array([1.0, 1.0], "float32"),
         np.array([-2.0, 6.0], "float32")]


def test_loss_scale_optimizer_trajectory(backend):
    w0 = np.array([1.0, -1.0], "float32")
    var = keras.Variable(w0, name="w")
    opt = LossScaleOptimizer(keras.optimizers.SGD(0.5), initial_scale=4.0,
                             dynamic_growth_steps=2)
    expected = _hand_trajectory(GRADS, 0.5, 4.0, 2, w0.astype("float64"))
    b = backends.current()
    for grad, (w, scale, counter) in zip(GRADS, expected):
        opt.apply([b.convert_to_tensor(grad)], [var])
        np.testing.assert_allclose(var.numpy(), w, rtol=1e-6)
        assert float(opt.dynamic_scale.numpy()) == scale
        assert int(opt.step_counter.numpy()) == counter
    finite_steps = sum(bool(np.all(np.isfinite(g))) for g in GRADS)
    assert int(opt.iterations.numpy()) == finite_steps  # skipped steps do not count
    assert float(_np(opt.scale_loss(b.convert_to_tensor(1.5)))) == 1.5 * expected[-1][1]


@_OVERFLOW_OK
def test_compiled_step_skips_overflow_and_halves_the_scale(backend):
    """In the compiled train step (jax.jit / tf.function): a float16 overflow skips the update."""
    x = np.random.default_rng(3).normal(size=(8, 4)).astype("float32")
    y = np.zeros((8, 1), "float32")
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                              keras.layers.Dense(1, dtype="float32")])
    # (2**15, the default, can overflow float16 gradients on this batch: start lower)
    model.compile(LossScaleOptimizer(keras.optimizers.SGD(0.1), initial_scale=256.0), "mse")
    model.train_on_batch(x, y)
    opt = model.optimizer
    before = model.get_weights()
    scale, steps = float(opt.dynamic_scale.numpy()), int(opt.iterations.numpy())
    assert scale == 256.0 and steps == 1
    model.train_on_batch(x * 1e5, y)  # finite in float32, inf once cast to float16
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert float(opt.dynamic_scale.numpy()) == scale / 2
    assert int(opt.iterations.numpy()) == steps
    model.train_on_batch(x, y)
    assert int(opt.iterations.numpy()) == steps + 1
    assert int(opt.step_counter.numpy()) == 1


def test_loss_scale_optimizer_errors():
    with pytest.raises(TypeError, match="inner_optimizer"):
        LossScaleOptimizer("adam")
    with pytest.raises(ValueError, match="clipnorm"):
        LossScaleOptimizer(keras.optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="initial_scale"):
        LossScaleOptimizer(keras.optimizers.SGD(), initial_scale=0)
    with pytest.raises(ValueError, match="dynamic_growth_steps"):
        LossScaleOptimizer(keras.optimizers.SGD(), dynamic_growth_steps=0)


# ---------------------------------------------------------------------------- (c) policies
def test_policy_properties_and_errors(backend):
    policy = keras.mixed_precision.DTypePolicy("mixed_bfloat16")
    assert (policy.name, policy.compute_dtype, policy.variable_dtype) == (
        "mixed_bfloat16", "bfloat16", "float32")
    assert keras.DTypePolicy("float16").variable_dtype == "float16"
    assert keras.mixed_precision.global_policy().name == "float32"
    keras.mixed_precision.set_global_policy("mixed_float16")
    assert keras.mixed_precision.dtype_policy() == keras.dtype_policies.DTypePolicy(
        "mixed_float16")
    dense = keras.layers.Dense(2)
    assert (dense.dtype, dense.variable_dtype, dense.compute_dtype) == (
        "float32", "float32", "float16")
    head = keras.layers.Dense(2, dtype="float32")
    assert head.dtype_policy.name == "float32" and head.compute_dtype == "float32"
    dense.build((None, 3))
    assert dense.kernel.dtype == "float32"
    with pytest.raises(ValueError, match="mixed_float16.*mixed_bfloat16.*float32"):
        keras.mixed_precision.set_dtype_policy("mixed_float8")
    with pytest.raises(ValueError, match="Valid policies"):
        keras.layers.Dense(2, dtype="half_float")
    with pytest.raises(TypeError, match="string"):
        keras.DTypePolicy(3)


def test_numpy_refuses_bfloat16(backend):
    if backend != "numpy":
        pytest.skip("only the numpy backend lacks bfloat16 compute")
    with pytest.raises(ValueError, match="numpy backend cannot compute in bfloat16"):
        keras.layers.Dense(2, dtype="mixed_bfloat16")


@_OVERFLOW_OK
def test_config_round_trip_keeps_the_policy(backend, tmp_path):
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    dense = keras.layers.Dense(3)
    config = dense.get_config()
    # Keras 3's schema for a layer's dtype
    assert config["dtype"] == {"module": "keras", "class_name": "DTypePolicy",
                               "config": {"name": "mixed_float16"}, "registered_name": None}
    keras.mixed_precision.set_dtype_policy(None)
    assert keras.layers.Dense.from_config(config).dtype_policy.name == "mixed_float16"
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                              keras.layers.Dense(2, dtype="float32")])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    x = np.random.default_rng(4).normal(size=(4, 4)).astype("float32")
    model.train_on_batch(x, np.zeros((4, 2), "float32"))
    model.save(tmp_path / "mixed.keras")
    keras.mixed_precision.set_dtype_policy(None)
    loaded = keras.models.load_model(tmp_path / "mixed.keras")
    assert [layer.dtype_policy.name for layer in loaded.layers] == ["mixed_float16", "float32"]
    assert isinstance(loaded.optimizer, LossScaleOptimizer)
    assert loaded.optimizer.dynamic_scale.numpy() == model.optimizer.dynamic_scale.numpy()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


# ---------------------------------------------------------------------------- (d) float32
def test_float32_model_is_unchanged(backend):
    """After a mixed policy was set and reset, a float32 model computes exactly in float32."""
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    keras.mixed_precision.set_dtype_policy("float32")
    x = np.random.default_rng(5).normal(size=(6, 3)).astype("float32")
    y = np.random.default_rng(6).normal(size=(6, 2)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    assert not isinstance(model.optimizer, LossScaleOptimizer)
    kernel, bias = model.get_weights()
    pred = model.predict(x, verbose=0)
    assert pred.dtype == np.float32
    np.testing.assert_allclose(pred, x @ kernel + bias, rtol=1e-6, atol=1e-6)
    model.train_on_batch(x, y)  # one SGD step on the mean squared error, by hand
    residual = 2.0 * (x @ kernel + bias - y) / y.size
    np.testing.assert_allclose(model.get_weights()[0], kernel - 0.1 * x.T @ residual,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], bias - 0.1 * residual.sum(0),
                               rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------- Keras 3 interop
def test_keras3_mixed_model_round_trip(tmp_path):
    """A mixed_float16 model saved by Keras 3 loads with its policies and LossScaleOptimizer
    state, trains on in lockstep with Keras 3, and Keras 3 loads our file back."""
    import os
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras3 = pytest.importorskip("keras")
    previous = backends.default_name()
    x = np.random.default_rng(5).normal(size=(6, 4)).astype("float32")
    y = np.ones((6, 2), "float32")
    keras3.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        keras3.utils.set_random_seed(0)
        reference = keras3.Sequential([keras3.Input((4,)),
                                       keras3.layers.Dense(5, activation="relu"),
                                       keras3.layers.Dense(2, dtype="float32")])
        reference.compile(optimizer=keras3.optimizers.Adam(0.01), loss="mse")
        reference.fit(x, y, epochs=2, verbose=0)
        reference.save(tmp_path / "from_keras.keras")
        keras.config.set_backend("numpy")
        keras.mixed_precision.set_dtype_policy("mixed_float16")  # Keras re-wraps on load too
        ours = keras.models.load_model(tmp_path / "from_keras.keras")
        assert [layer.dtype_policy.name for layer in ours.layers] == ["mixed_float16", "float32"]
        assert isinstance(ours.optimizer, LossScaleOptimizer)
        ours_state = [v.numpy() for v in ours.optimizer.variables]
        keras3_state = [np.asarray(v) for v in reference.optimizer.variables]
        assert len(ours_state) == len(keras3_state) == 14
        for a, b in zip(ours_state, keras3_state):
            np.testing.assert_array_equal(a, b)
        ours.fit(x, y, epochs=1, verbose=0)  # one more step each: same loss scaling and update
        reference.fit(x, y, epochs=1, verbose=0)
        expected = np.asarray(reference.predict(x, verbose=0))
        # Two implementations of float16 math: numpy accumulates the 4- and 5-term products in
        # float32 and rounds once; oneDNN's fp16 kernels (CPUs with AVX512-FP16) round each
        # partial sum to float16. A depth-d dot product then differs by up to d half-ulps of
        # the largest term, and the step before it adds one update computed from such
        # values: 2 * (4 + 5) half-ulps of float16, relative to the output's magnitude
        # (measured: 2.4e-4 on an AVX512-FP16 CPU, ~1e-7 elsewhere; this bound is 8.8e-3).
        tolerance = 2 * (4 + 5) * np.finfo(np.float16).eps / 2 * max(1.0, np.abs(expected).max())
        np.testing.assert_allclose(ours.predict(x, verbose=0), expected, rtol=0, atol=tolerance)
        ours.save(tmp_path / "from_ours.keras")
        back = keras3.models.load_model(tmp_path / "from_ours.keras")
        assert [layer.dtype_policy.name for layer in back.layers] == ["mixed_float16", "float32"]
        for a, b in zip(back.optimizer.variables, ours.optimizer.variables):
            np.testing.assert_array_equal(np.asarray(a), b.numpy())
    finally:
        keras3.mixed_precision.set_dtype_policy("float32")
        keras.config.set_backend(previous)
