"""Learning-rate schedules on every backend: values equal Keras 3's; used in fit, lr changes."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends
from mini_keras.core.variable import Variable

STEPS = [0, 1, 3, 7, 10, 15, 25, 40]
CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "decay_rate": 0.5}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 4, "decay_rate": 0.5,
                              "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [3, 10, 20], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.2, "decay_steps": 5, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.2, "decay_steps": 5, "decay_rate": 0.5,
                              "staircase": True}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 20, "power": 2.0}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 12, "cycle": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 20, "alpha": 0.1}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 20, "warmup_target": 0.1,
                         "warmup_steps": 8}),
    ("CosineDecay", {"initial_learning_rate": 0.05, "decay_steps": 20, "warmup_target": 0.1,
                         "warmup_steps": 0}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[c[0] + str(i) for i, c in
                                                          enumerate(CASES)])
def test_schedule_values_match_keras(backend, name, kwargs):
    real_keras = pytest.importorskip("keras")
    ours = getattr(keras.optimizers.schedules, name)(**kwargs)
    ref = getattr(real_keras.optimizers.schedules, name)(**kwargs)
    b = backends.current()
    for step in STEPS:
        value = b.convert_to_numpy(ours(b.convert_to_tensor(np.array(step, "int32"))))
        expected = np.asarray(real_keras.ops.convert_to_numpy(ref(step)))
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7, err_msg=f"step {step}")


def test_schedule_config_round_trip():
    schedule = keras.optimizers.schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=3)
    clone = type(schedule).from_config(schedule.get_config())
    assert clone.get_config() == schedule.get_config()
    with pytest.raises(ValueError, match="decay_steps"):
        keras.optimizers.schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="len"):
        keras.optimizers.schedules.PiecewiseConstantDecay([1, 2], [0.1])


def test_optimizer_uses_schedule_per_iteration(backend):
    """SGD steps on a constant gradient of 1: each step moves by the scheduled rate."""
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([1, 3], [1.0, 0.5, 0.25])
    opt = keras.optimizers.SGD(learning_rate=schedule)
    b = backends.current()
    v = Variable(np.zeros(1, "float32"))
    positions = []
    for _ in range(5):
        opt.apply_gradients([(b.convert_to_tensor(np.ones(1, "float32")), v)])
        positions.append(float(v.numpy()[0]))
    np.testing.assert_allclose(positions, np.cumsum([-1.0, -1.0, -0.5, -0.5, -0.25]))
    np.testing.assert_allclose(float(b.convert_to_numpy(opt.learning_rate)), 0.25)


def test_schedule_in_fit_changes_the_learning_rate(backend):
    """Inside compiled train steps the schedule follows the iteration counter: SGD with a
    schedule gives exactly the weights of a manual SGD with per-step rates."""
    x = np.array([[1.0], [2.0], [3.0], [4.0]], "float32")
    y = 2.0 * x + 1.0
    schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=1, decay_rate=0.5)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(schedule), loss="mse")
    model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    w, bias = 0.0, 0.0
    for step in range(3):
        err = w * x[:, 0] + bias - y[:, 0]
        lr = 0.05 * 0.5 ** step
        w, bias = w - lr * np.mean(2 * err * x[:, 0]), bias - lr * np.mean(2 * err)
    kernel, b = model.get_weights()
    np.testing.assert_allclose([kernel[0, 0], b[0]], [w, bias], rtol=1e-5)
    assert int(model.optimizer.iterations.numpy()) == 3
    np.testing.assert_allclose(
        float(backends.get(backend).convert_to_numpy(model.optimizer.learning_rate)),
        0.05 * 0.5 ** 3, rtol=1e-6)
