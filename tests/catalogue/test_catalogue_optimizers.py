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
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.3, "l1_regularization_strength":
              0.01, "l2_regularization_strength": 0.02,
              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.5}),
    ("Muon", {}),  # w1 (2-D) takes the Muon step, w0 and w2 AdamW
    ("Muon", {"learning_rate": 0.02, "exclude_layers": ["w1"]}),  # all AdamW
    ("Muon", {"learning_rate": 0.02, "nesterov": False, "rms_rate": None, "ns_steps": 3,
              "weight_decay": None, "adam_lr_ratio": 0.5}),
    # the base optimizer's step options, as Keras 3 applies them
    ("Adam", {"learning_rate": 0.1, "gradient_accumulation_steps": 2}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "gradient_accumulation_steps": 3}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9,
             "ema_overwrite_frequency": 2}),
    ("Adam", {"learning_rate": 0.1, "loss_scale_factor": 4.0}),
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
    _assert_trajectories_equal(got, expected)
    assert int(ours_numpy(ours.iterations)) == int(keras_numpy(theirs.iterations))
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    ours_config, their_config = ours.get_config(), theirs.get_config()
    for key, value in ours_config.items():
        if key != "name":
            assert value == pytest.approx(their_config[key]), key
    again = keras.optimizers.deserialize(keras.optimizers.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == ours_config


def _assert_trajectories_equal(got, expected):
    for step, (a_step, r_step) in enumerate(zip(got, expected)):
        for a, r in zip(a_step, r_step):
            # float32 updates; five steps of a handful of ops each
            np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-6, err_msg=f"step {step}")


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


def _multi(module, selector):
    """A MultiOptimizer of ``module`` (ours or Keras'): an OptimizerMap or a callable."""
    opt = module.optimizers
    if selector == "map":
        mapping = opt.OptimizerMap(default_optimizer=opt.Adam(0.05))
        mapping["w1"] = opt.SGD(0.1, momentum=0.9)
        mapping["w[2-9]"] = opt.Ftrl(0.2)
        return opt.MultiOptimizer(mapping)
    sgd, adam = opt.SGD(0.1), opt.Adam(0.05)
    return opt.MultiOptimizer(lambda v: sgd if v.path == "w0" else adam)


@pytest.mark.parametrize("selector", ["map", "callable"])
def test_multi_optimizer_matches_keras(backend, selector):
    theirs_keras = real_keras()
    ours, theirs = _multi(keras, selector), _multi(theirs_keras, selector)
    got = _trajectory(ours, lambda w, n: Variable(w, name=n), keras.ops.convert_to_tensor)
    expected = _trajectory(theirs, lambda w, n: theirs_keras.Variable(w, name=n),
                           theirs_keras.ops.convert_to_tensor)
    _assert_trajectories_equal(got, expected)
    assert [type(o).__name__ for o in ours.optimizers] == [
        type(o).__name__ for o in theirs.optimizers]
    assert [tuple(v.shape) for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]
    with pytest.raises(AttributeError, match="sub-optimizers"):
        ours.learning_rate  # noqa: B018  (Keras: no single learning rate)


def test_multi_optimizer_config_moves_between_keras_and_ours():
    theirs_keras = real_keras()
    config = theirs_keras.optimizers.serialize(_multi(theirs_keras, "map"))
    ours = keras.optimizers.deserialize(config)
    assert isinstance(ours, keras.optimizers.MultiOptimizer)
    mapping = ours._optimizer_map
    assert isinstance(mapping, keras.optimizers.OptimizerMap)
    assert type(mapping.default_optimizer) is keras.optimizers.Adam
    assert {k: type(v).__name__ for k, v in mapping.items()} == {"w1": "SGD", "w[2-9]": "Ftrl"}
    assert mapping["w1"].get_config()["momentum"] == 0.9
    back = theirs_keras.optimizers.deserialize(keras.optimizers.serialize(ours))
    assert {k: type(v).__name__ for k, v in back._optimizer_map.items()} == {
        "w1": "SGD", "w[2-9]": "Ftrl"}


def test_optimizer_map_lookup_and_errors():
    opt = keras.optimizers
    mapping = opt.OptimizerMap(default_optimizer=opt.SGD())
    adam = opt.Adam()
    mapping["encoder/.*"] = adam
    assert mapping["encoder/dense/kernel"] is adam
    assert mapping["decoder/dense/kernel"] is mapping.default_optimizer
    mapping["encoder/dense/.*"] = opt.RMSprop()
    with pytest.raises(ValueError, match="multiple optimizers"):
        mapping["encoder/dense/kernel"]
    with pytest.raises(ValueError, match="already maps"):
        mapping["encoder/.*"] = opt.SGD()
    with pytest.raises(ValueError, match="cannot be used inside a MultiOptimizer"):
        mapping["x"] = opt.LossScaleOptimizer(opt.SGD())
    with pytest.raises(TypeError, match="default_optimizer must be an Optimizer"):
        opt.OptimizerMap("sgd")


def _fit_weights(module, optimizer_kwargs, x, y, wrap=None):
    module.utils.set_random_seed(0)
    model = module.Sequential([module.Input((3,)), module.layers.Dense(2)])
    model.set_weights([np.linspace(-1, 1, 6).reshape(3, 2).astype("float32"),
                       np.array([0.1, -0.2], "float32")])
    optimizer = module.optimizers.SGD(**optimizer_kwargs)
    if wrap == "loss_scale":
        optimizer = module.optimizers.LossScaleOptimizer(optimizer)
    elif wrap == "multi":
        optimizer = module.optimizers.MultiOptimizer(
            module.optimizers.OptimizerMap(default_optimizer=optimizer))
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    return [np.asarray(w) for w in model.get_weights()]


@pytest.mark.parametrize("kwargs", [
    {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5},
    {"learning_rate": 0.1, "gradient_accumulation_steps": 2},
    {"learning_rate": 0.1, "loss_scale_factor": 8.0, "momentum": 0.5},
], ids=["ema", "accumulation", "loss_scale"])
def test_step_options_in_fit_match_keras(backend, kwargs):
    """fit with the step options: the final weights equal Keras 3's (EMA: fit ends by writing
    the moving averages into the weights)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    expected = _fit_weights(real_keras(), kwargs, x, y)
    for got, want in zip(_fit_weights(keras, kwargs, x, y), expected):
        # float32: 8 SGD steps on a 3x2 Dense
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("wrap", ["loss_scale", "multi"])
def test_wrappers_finalize_their_inner_ema_like_keras(backend, wrap):
    """fit ends by writing the *inner* optimizer's moving averages into the weights."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    kwargs = {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5}
    expected = _fit_weights(real_keras(), kwargs, x, y, wrap)
    for got, want in zip(_fit_weights(keras, kwargs, x, y, wrap), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)  # float32: 8 SGD steps


def test_step_options_refuse_bad_values():
    with pytest.raises(ValueError, match="gradient_accumulation_steps` must be an integer >= 2"):
        keras.optimizers.Adam(gradient_accumulation_steps=1)
    with pytest.raises(ValueError, match="ema_momentum` must be in the range"):
        keras.optimizers.Adam(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="ema_overwrite_frequency` must be an integer"):
        keras.optimizers.Adam(use_ema=True, ema_overwrite_frequency=0)
    with pytest.raises(ValueError, match="learning_rate_power` needs to be negative"):
        keras.optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength` needs to be positive"):
        keras.optimizers.Ftrl(l1_regularization_strength=-1.0)


def _schedule_free_reference(lr=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8, warmup_steps=0,
                             weight_decay=None, steps=5):
    """Schedule-free AdamW (Defazio et al., 2024) in float64 numpy, as the paper writes it.

    Keras 3 is not the reference here: on its TensorFlow and torch backends ``momentum.value``
    aliases the variable, so ``x`` is recovered from the *new* ``z`` (its JAX backend, like
    this reference and mini_keras, uses the old one).
    """
    y = [w.astype("float64") for w in INIT]
    z = [w.copy() for w in y]
    v = [np.zeros_like(w) for w in y]
    out = []
    for step in range(steps):
        grads = [g.astype("float64") for g in _grads([w.astype("float32") for w in y], step)]
        t = step + 1
        rate = lr * min(t / warmup_steps, 1.0) if warmup_steps else lr
        for i, g in enumerate(grads):
            if weight_decay:
                y[i] = y[i] - y[i] * weight_decay * lr
            z_old = z[i].copy()
            v[i] = v[i] + (g * g - v[i]) * (1 - beta_2)
            z[i] = z[i] - rate * g / (np.sqrt(v[i] / (1 - beta_2 ** t)) + epsilon)
            x = (y[i] - (1 - beta_1) * z_old) / beta_1
            x = (1 - 1 / t) * x + (1 / t) * z[i]
            y[i] = (1 - beta_1) * z[i] + beta_1 * x
        out.append([w.copy() for w in y])
    return out


@pytest.mark.parametrize("kwargs", [
    {}, {"learning_rate": 0.05, "beta_1": 0.8, "warmup_steps": 3, "weight_decay": 0.01}],
    ids=["defaults", "warmup_decay"])
def test_schedule_free_adamw_follows_the_paper(backend, kwargs):
    ours = keras.optimizers.ScheduleFreeAdamW(**kwargs)
    got = _trajectory(ours, lambda w, n: Variable(w, name=n), keras.ops.convert_to_tensor)
    _assert_trajectories_equal(got, _schedule_free_reference(
        **{"lr" if k == "learning_rate" else k: val for k, val in kwargs.items()}))
    theirs = real_keras().optimizers.ScheduleFreeAdamW(**kwargs)
    for key, value in ours.get_config().items():
        if key != "name":  # Keras stores the learning rate as float32
            assert value == pytest.approx(theirs.get_config()[key]), key
    assert theirs.name.startswith(ours.name)  # Keras numbers repeated names
