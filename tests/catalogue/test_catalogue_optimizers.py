"""Optimizers and schedules added for Keras 3 parity, on every backend: 5-step trajectories,
schedule values and configs equal Keras 3's; names resolve through serialize/deserialize."""

import numpy as np
import pytest
from catalogue_helpers import keras_numpy, ours_numpy, real_keras

import mini_keras as keras
from mini_keras.core.variable import Variable

INIT = [np.array([0.5, -1.0, 2.0], "float32"),
        np.array([[1.0, -0.3, 0.4], [0.2, 0.7, -1.1]], "float32"),
        np.linspace(-1, 1, 24).reshape(2, 3, 4).astype("float32")]


def _grads(values, step):
    return [(2.0 * v + 0.1 * (step + 1) * np.cos(np.arange(v.size)).reshape(v.shape))
            .astype("float32") for v in values]


def _trajectory(optimizer, make_variable, convert, steps=5):
    variables = [make_variable(w.copy(), f"w{i}") for i, w in enumerate(INIT)]
    out = []
    for step in range(steps):
        grads = _grads([np.asarray(v.numpy()) for v in variables], step)
        optimizer.apply_gradients(zip([convert(g) for g in grads], variables))
        out.append([np.asarray(v.numpy()) for v in variables])
    return out


CASES = [
    ("Lamb", {}), ("Lamb", {"learning_rate": 0.05, "beta_1": 0.8, "epsilon": 1e-5}),
    ("Adafactor", {}), ("Adafactor", {"learning_rate": 0.3, "relative_step": False,
                                      "clip_threshold": 0.5}),
    ("Adafactor", {"learning_rate": 0.01, "beta_2_decay": -0.5, "epsilon_2": 0.01}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{c[0]}{i}" for i, c in
                                                         enumerate(CASES)])
def test_trajectory_matches_keras(backend, name, kwargs):
    theirs_keras = real_keras()
    ours = getattr(keras.optimizers, name)(**kwargs)
    theirs = getattr(theirs_keras.optimizers, name)(**kwargs)
    got = _trajectory(ours, lambda w, n: Variable(w, name=n), keras.ops.convert_to_tensor)
    expected = _trajectory(theirs, lambda w, n: theirs_keras.Variable(w, name=n),
                           theirs_keras.ops.convert_to_tensor)
    for step, (a_step, r_step) in enumerate(zip(got, expected)):
        for a, r in zip(a_step, r_step):
            # float32 updates; five steps of a handful of ops each
            np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-6, err_msg=f"step {step}")
    ours_config, their_config = ours.get_config(), theirs.get_config()
    for key, value in ours_config.items():
        if key != "name":
            assert value == pytest.approx(their_config[key]), key
    again = keras.optimizers.deserialize(keras.optimizers.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours_config


SCHEDULES = [
    {"initial_learning_rate": 0.1, "first_decay_steps": 4},
    {"initial_learning_rate": 0.1, "first_decay_steps": 3, "t_mul": 1.0, "m_mul": 0.5},
    {"initial_learning_rate": 1.0, "first_decay_steps": 2, "t_mul": 3.0, "m_mul": 0.8,
     "alpha": 0.1},
]


@pytest.mark.parametrize("kwargs", SCHEDULES, ids=[f"sgdr{i}" for i in range(len(SCHEDULES))])
def test_cosine_decay_restarts_matches_keras(backend, kwargs):
    ours = keras.optimizers.schedules.CosineDecayRestarts(**kwargs)
    theirs = real_keras().optimizers.schedules.CosineDecayRestarts(**kwargs)
    steps = np.arange(0, 30, dtype="int64")
    got = np.array([float(ours_numpy(ours(keras.ops.convert_to_tensor(s)))) for s in steps])
    expected = np.array([float(keras_numpy(theirs(int(s)))) for s in steps])
    # float32 log/floor/cos chain; a restart boundary computed one ulp apart would show as a
    # jump of the whole rate, so the tolerance stays tight
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()
    config = real_keras().optimizers.schedules.serialize(theirs)
    assert keras.optimizers.schedules.deserialize(config).get_config() == ours.get_config()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="first_decay_steps` must be > 0"):
        keras.optimizers.schedules.CosineDecayRestarts(0.1, 0)
    with pytest.raises(ValueError, match="Unknown optimizer 'lambb'"):
        keras.optimizers.deserialize("lambb")
