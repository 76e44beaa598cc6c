"""Optimizers on every backend: 5-step trajectories equal real Keras 3 and plain-numpy formulas."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.core.variable import Variable

INIT = [np.array([0.5, -1.0, 2.0], "float32"), np.array([[1.0, -0.3], [0.2, 0.7]], "float32")]
TARGET = [np.array([1.0, 0.0, -1.0], "float32"), np.array([[0.0, 1.0], [-2.0, 0.5]], "float32")]
STEPS = 5


def _grads(values, step):
    """Gradient of a quadratic around TARGET plus a fixed per-step perturbation."""
    return [(2.0 * (v - t) + 0.1 * (step + 1) * np.cos(np.arange(v.size)).reshape(v.shape))
            .astype("float32") for v, t in zip(values, TARGET)]


def _trajectory_ours(optimizer, steps=STEPS):
    b = backends.current()
    variables = [Variable(w.copy(), name=f"w{i}") for i, w in enumerate(INIT)]
    out = []
    for step in range(steps):
        grads = _grads([v.numpy() for v in variables], step)
        optimizer.apply_gradients(zip([b.convert_to_tensor(g) for g in grads], variables))
        out.append([v.numpy() for v in variables])
    return out


def _trajectory_keras(optimizer, steps=STEPS):
    import keras as real_keras
    variables = [real_keras.Variable(w.copy(), name=f"w{i}") for i, w in enumerate(INIT)]
    out = []
    for step in range(steps):
        grads = _grads([np.asarray(v.numpy()) for v in variables], step)
        optimizer.apply_gradients(zip([real_keras.ops.convert_to_tensor(g) for g in grads],
                                      variables))
        out.append([np.asarray(v.numpy()) for v in variables])
    return out


def _assert_trajectories_close(ours, ref, atol=1e-6):
    for step, (a_step, r_step) in enumerate(zip(ours, ref)):
        for a, r in zip(a_step, r_step):
            np.testing.assert_allclose(a, r, rtol=1e-5, atol=atol, err_msg=f"step {step}")


_KERAS_CACHE: dict = {}
CASES = [
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"learning_rate": 0.1}),
    ("Adam", {"learning_rate": 0.1, "amsgrad": True}),
    ("RMSprop", {"learning_rate": 0.05, "momentum": 0.5, "centered": True}),
    ("AdamW", {"learning_rate": 0.1}),
    ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1, "amsgrad": True}),
    ("Adagrad", {"learning_rate": 0.3}),
    ("Adadelta", {"learning_rate": 1.0}),
    ("Adamax", {"learning_rate": 0.1}),
    ("Nadam", {"learning_rate": 0.1}),
    ("Lion", {"learning_rate": 0.05}),
    ("SGD", {"learning_rate": 0.1, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.1, "clipvalue": 0.3}),
    ("Adam", {"learning_rate": 0.1, "global_clipnorm": 1.0}),
    ("Adagrad", {"learning_rate": 0.1, "weight_decay": 0.05}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in CASES])
def test_trajectory_matches_keras(backend, name, kwargs):
    real_keras = pytest.importorskip("keras")
    ours = _trajectory_ours(getattr(keras.optimizers, name)(**kwargs))
    key = (name, tuple(sorted(kwargs.items())))
    if key not in _KERAS_CACHE:  # the reference does not depend on our backend: compute once
        _KERAS_CACHE[key] = _trajectory_keras(getattr(real_keras.optimizers, name)(**kwargs))
    _assert_trajectories_close(ours, _KERAS_CACHE[key])


def _numpy_adam(lr, weight_decay=None, b1=0.9, b2=0.999, eps=1e-7):
    values = [w.astype("float64") for w in INIT]
    m = [np.zeros_like(v) for v in values]
    s = [np.zeros_like(v) for v in values]
    out = []
    for step in range(STEPS):
        grads = _grads([v.astype("float32") for v in values], step)
        t = step + 1
        for i, g in enumerate(grads):
            if weight_decay:
                values[i] = values[i] - values[i] * weight_decay * lr
            m[i] = b1 * m[i] + (1 - b1) * g
            s[i] = b2 * s[i] + (1 - b2) * g * g
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            values[i] = values[i] - alpha * m[i] / (np.sqrt(s[i]) + eps)
        out.append([v.copy() for v in values])
    return out


@pytest.mark.parametrize("weight_decay", [None, 0.004, 0.2])
def test_adam_and_adamw_match_numpy_formulas(backend, weight_decay):
    opt = (keras.optimizers.Adam(0.1) if weight_decay is None
           else keras.optimizers.AdamW(0.1, weight_decay=weight_decay))
    _assert_trajectories_close(_trajectory_ours(opt), _numpy_adam(0.1, weight_decay), atol=1e-5)


def test_clipping_formulas(backend):
    b = backends.current()
    g = [np.array([3.0, 4.0], "float32"), np.array([0.0, 12.0], "float32")]  # norms 5, 12: 13
    for opt, expected in [
        (keras.optimizers.SGD(1.0, clipnorm=1.0), [g[0] / 5, g[1] / 12]),
        (keras.optimizers.SGD(1.0, global_clipnorm=6.5), [g[0] / 2, g[1] / 2]),
        (keras.optimizers.SGD(1.0, clipvalue=3.5), [np.clip(x, -3.5, 3.5) for x in g]),
        (keras.optimizers.SGD(1.0, clipnorm=100.0), g),
    ]:
        variables = [Variable(np.zeros(2, "float32")) for _ in g]
        opt.apply_gradients(zip([b.convert_to_tensor(x) for x in g], variables))
        for v, e in zip(variables, expected):
            np.testing.assert_allclose(v.numpy(), -e, rtol=1e-6)
    with pytest.raises(ValueError, match="Only one of"):
        keras.optimizers.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_is_applied_before_the_update(backend):
    # Lion's step has size lr whatever the gradient; decay shrinks w first: w(1 - wd lr) - lr.
    b = backends.current()
    v = Variable(np.array([2.0], "float32"))
    keras.optimizers.Lion(0.1, weight_decay=0.5).apply_gradients([(b.convert_to_tensor(
        np.array([1.0], "float32")), v)])
    np.testing.assert_allclose(v.numpy(), [2.0 * (1 - 0.05) - 0.1], rtol=1e-6)


def test_exclude_from_weight_decay(backend):
    b = backends.current()
    kernel = Variable(np.ones(2, "float32"), name="kernel")
    bias = Variable(np.ones(2, "float32"), name="bias")
    excluded = Variable(np.ones(2, "float32"), name="other")
    opt = keras.optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[excluded], var_names=["bias"])
    zero = b.convert_to_tensor(np.zeros(2, "float32"))
    opt.apply_gradients([(zero, kernel), (zero, bias), (zero, excluded)])
    np.testing.assert_allclose(kernel.numpy(), [0.95, 0.95], rtol=1e-6)
    np.testing.assert_allclose(bias.numpy(), [1.0, 1.0])
    np.testing.assert_allclose(excluded.numpy(), [1.0, 1.0])
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


@pytest.mark.parametrize("name", ["adamw", "adagrad", "adadelta", "adamax", "nadam", "lion",
                                  "sgd", "adam", "rmsprop", "AdamW"])
def test_get_by_name(name):
    opt = keras.optimizers.get(name)
    assert type(opt).__name__.lower() == name.lower()
    with pytest.raises(ValueError, match="Unknown optimizer"):
        keras.optimizers.get("adamx")


def test_defaults_match_keras():
    real_keras = pytest.importorskip("keras")
    for name in ["AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion"]:
        ours = getattr(keras.optimizers, name)().get_config()
        ref = getattr(real_keras.optimizers, name)().get_config()
        for key, value in ours.items():
            if key != "name":
                assert np.isclose(value, ref[key]) if isinstance(value, float) \
                    else value == ref[key], (name, key, value, ref[key])


SLOT_ORDER_CASES = [("SGD", {"momentum": 0.9}), ("Adam", {}), ("Adam", {"amsgrad": True}),
                    ("AdamW", {"amsgrad": True}), ("RMSprop", {}),
                    ("RMSprop", {"momentum": 0.9, "centered": True}), ("Adagrad", {}),
                    ("Adadelta", {}), ("Adamax", {}), ("Nadam", {}), ("Lion", {})]


@pytest.mark.parametrize(("name", "kwargs"), SLOT_ORDER_CASES)
def test_optimizer_variables_are_in_keras_order(backend, name, kwargs):
    """``optimizer.variables`` (saved as optimizer/vars/N) lists the slots in Keras 3's order."""
    real_keras = pytest.importorskip("keras")
    theirs = getattr(real_keras.optimizers, name)(**kwargs)
    theirs.build([real_keras.Variable(np.zeros(n + 1), name=f"w{n}") for n in range(2)])
    ours = getattr(keras.optimizers, name)(**kwargs)
    ours.build([Variable(np.zeros(n + 1, "float32"), name=f"w{n}", path=f"w{n}")
                for n in range(2)])
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    # names agree, except Nadam's last variable (the momentum-schedule product), unnamed in Keras
    keep = -1 if name == "Nadam" else None
    assert [v.name for v in ours.variables][:keep] == [v.name for v in theirs.variables][:keep]


@pytest.mark.parametrize("name", ["adamw", "nadam"])
def test_fit_inside_compiled_step_matches_eager(backend, name):
    """The same optimizer trains identically in compiled (jit / tf.function) and eager steps."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")).astype("float32")
    weights = []
    for run_eagerly in (False, True):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.get(name), loss="mse", run_eagerly=run_eagerly)
        model.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for a, r in zip(*weights):
        np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-6)
    assert not np.allclose(weights[0][0], 0)


# ---------------------------------------------------------------------------- fused updates
FUSED_CASES = [
    ("Adam", {"learning_rate": 0.1}),
    ("Adam", {"learning_rate": 0.1, "amsgrad": True}),
    ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1}),
    ("AdamW", {"learning_rate": 0.1, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.1, "global_clipnorm": 1.0}),
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
]
FUSED_FUNCTION = {"Adam": "adam_update", "AdamW": "adam_update", "SGD": "sgd_update"}


def _count_calls(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or original(*a, **k))
    return calls


@pytest.mark.parametrize(("name", "kwargs"), FUSED_CASES,
                         ids=[f"{n}-{'-'.join(k)}" for n, k in FUSED_CASES])
def test_fused_update_matches_per_variable_path(backend, monkeypatch, name, kwargs):
    """The backend's one-call update gives the per-variable ``update_step`` path's numbers."""
    calls = _count_calls(monkeypatch, backends.current(), FUSED_FUNCTION[name])
    runs = {}
    for fused in (True, False):
        optimizer = getattr(keras.optimizers, name)(**kwargs)
        optimizer._fused_updates = fused
        runs[fused] = (_trajectory_ours(optimizer), [v.numpy() for v in optimizer.variables])
    assert len(calls) == STEPS  # the fused run called the backend once per step, the other never
    # torch's lerp_/addcdiv_ may round the last bit differently (FMA); where a weight lands near
    # zero by cancellation that one bit of its O(1) operands is all of the absolute difference.
    for step, (fused, generic) in enumerate(zip(runs[True][0], runs[False][0])):
        for a, r in zip(fused, generic):
            np.testing.assert_allclose(a, r, rtol=1e-6, atol=1e-7, err_msg=f"step {step}")
    for a, r in zip(runs[True][1], runs[False][1]):  # slots, iteration count, learning rate
        np.testing.assert_allclose(a, r, rtol=1e-6, atol=1e-7)


def test_fused_update_is_not_used_inside_a_stateless_scope(backend, monkeypatch):
    """Compiled steps (jax.jit, the numpy tape) need every assign to go to the scope."""
    from mini_keras.core.stateless import StatelessScope
    b = backends.current()
    calls = _count_calls(monkeypatch, b, "adam_update")
    w = Variable(np.array([1.0, 2.0], "float32"))
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build([w])
    with StatelessScope() as scope:
        optimizer.apply([b.convert_to_tensor(np.array([1.0, -1.0], "float32"))], [w])
    assert not calls
    np.testing.assert_allclose(w.numpy(), [1.0, 2.0])  # the variable itself is untouched
    np.testing.assert_allclose(b.convert_to_numpy(scope.value_of(w)), [0.9, 2.1], rtol=1e-5)


def test_fused_update_falls_back_for_overridden_update_step_and_float16(backend, monkeypatch):
    calls = _count_calls(monkeypatch, backends.current(), "adam_update")

    class Custom(keras.optimizers.Adam):
        def update_step(self, gradient, variable, learning_rate):
            variable.assign(variable.value * 0.0)

    b = backends.current()
    w = Variable(np.array([1.0, 2.0], "float32"))
    Custom(0.1).apply([b.convert_to_tensor(np.array([1.0, -1.0], "float32"))], [w])
    np.testing.assert_allclose(w.numpy(), [0.0, 0.0])
    half = Variable(np.array([1.0, 2.0], "float16"), dtype="float16")
    keras.optimizers.Adam(0.1).apply([b.convert_to_tensor(np.array([1.0, -1.0], "float16"))],
                                     [half])
    np.testing.assert_allclose(half.numpy(), [0.9, 2.1], rtol=1e-3)
    assert not calls


def test_fused_update_keeps_numpy_arrays_given_to_assign(backend):
    """Eager updates must not write into an array the caller handed to ``assign``."""
    b = backends.current()
    given = np.array([1.0, 2.0], "float32")
    w = Variable(np.zeros(2, "float32"))
    w.assign(given)
    keras.optimizers.Adam(0.1).apply([b.convert_to_tensor(np.array([1.0, -1.0], "float32"))],
                                     [w])
    np.testing.assert_allclose(given, [1.0, 2.0])
    np.testing.assert_allclose(w.numpy(), [0.9, 2.1], rtol=1e-5)
