"""Keras 3's custom-training patterns, run unchanged on mini_keras and compared with Keras 3.

The programs live in ``custom_step_programs.py``; each runs here on mini_keras and, in one
subprocess per Keras backend, on Keras 3 (the reference). Keras 3 cannot train on numpy (nor
has an MLX backend), and on JAX it only accepts stateless ``(state, data)`` steps, so
backend-agnostic programs take their reference from Keras on torch there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mini_keras as keras
from tests.conftest import ALL_BACKENDS
from tests.trainers import custom_step_programs as programs

FRAMEWORK_STEPS = {"tf_gradient_tape_train_step": "tensorflow",
                   "torch_backward_train_step": "torch",
                   "jax_stateless_train_step": "jax"}
RAW_LOOPS = {"tf_gradient_tape_loop": "tensorflow", "torch_optim_loop": "torch",
             "jax_stateless_loop": "jax"}
AGNOSTIC = ["custom_test_step", "compute_loss_override", "loss_tracker_metrics"]
AGNOSTIC_BACKENDS = list(ALL_BACKENDS)
KERAS3_BACKENDS = ("torch", "jax", "tensorflow")  # those Keras 3 trains on
# float32 programs of a few dozen ops: agreement to ~1e-6 relative; 1e-5 is the bound.
RTOL, ATOL = 1e-5, 1e-6


def _keras_backend_for(program: str, backend: str) -> str:
    if backend not in KERAS3_BACKENDS or (backend == "jax" and program == "custom_test_step"):
        return "torch"
    return backend


def _needed() -> dict:
    needed: dict = {}
    for program, backend in {**FRAMEWORK_STEPS, **RAW_LOOPS}.items():
        needed.setdefault(backend, set()).add(program)
    for program in AGNOSTIC:
        for backend in AGNOSTIC_BACKENDS:
            needed.setdefault(_keras_backend_for(program, backend), set()).add(program)
    return needed


_CACHE: dict = {}


def keras3_result(program: str, keras_backend: str) -> dict:
    """``program`` run by Keras 3 on ``keras_backend`` (every program that backend needs runs
    in one subprocess, the first time one is asked for)."""
    if keras_backend not in _CACHE:
        pytest.importorskip("keras")
        names = sorted(_needed()[keras_backend])
        env = {**os.environ, "KERAS_BACKEND": keras_backend, "TF_CPP_MIN_LOG_LEVEL": "2"}
        out = subprocess.run([sys.executable, str(Path(programs.__file__)), *names],
                             check=False, capture_output=True, text=True, env=env,
                             timeout=600)
        if out.returncode:
            raise AssertionError(f"Keras 3 ({keras_backend}) failed:\n{out.stderr[-3000:]}")
        _CACHE[keras_backend] = json.loads(out.stdout.strip().splitlines()[-1])
    return _CACHE[keras_backend][program]


def _assert_same(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for key, value in ours.items():
        if isinstance(value, dict):
            assert value.keys() == theirs[key].keys(), key
            for name, numbers in value.items():
                np.testing.assert_allclose(numbers, theirs[key][name], rtol=RTOL, atol=ATOL,
                                           err_msg=f"{key}/{name}")
        else:
            for mine, ref in zip(value, theirs[key], strict=True):
                np.testing.assert_allclose(mine, ref, rtol=RTOL, atol=ATOL, err_msg=key)


@pytest.mark.parametrize("program", list(FRAMEWORK_STEPS))
def test_framework_train_step_matches_keras3(program, use_backend):
    """A train_step written with the framework's own autodiff (tape / backward / jax.grad)."""
    backend = FRAMEWORK_STEPS[program]
    use_backend(backend)
    _assert_same(programs.PROGRAMS[program](keras), keras3_result(program, backend))


@pytest.mark.parametrize("backend", AGNOSTIC_BACKENDS)
@pytest.mark.parametrize("program", AGNOSTIC)
def test_backend_agnostic_pattern_matches_keras3(program, backend, use_backend):
    """custom test_step, compute_loss override, loss_tracker + custom Metric, on every backend."""
    use_backend(backend)
    _assert_same(programs.PROGRAMS[program](keras),
                 keras3_result(program, _keras_backend_for(program, backend)))


@pytest.mark.parametrize("program", list(RAW_LOOPS))
def test_raw_loop_matches_fit_and_keras3(program, use_backend):
    """A loop from scratch in the framework trains like ``fit`` (same final weights) and gives
    Keras 3's per-batch losses and weights."""
    backend = RAW_LOOPS[program]
    use_backend(backend)
    ours = programs.PROGRAMS[program](keras)
    fitted = programs.fit_reference(keras)["weights"]
    for mine, ref in zip(ours["weights"], fitted, strict=True):
        np.testing.assert_allclose(mine, ref, rtol=RTOL, atol=ATOL)
    _assert_same(ours, keras3_result(program, backend))


def test_metrics_property_lists_keras3_entries(use_backend):
    """``model.metrics`` is [loss tracker, compile_metrics] after compile, as in Keras 3, and
    the logs flatten the container's dict."""
    use_backend("numpy")
    model = programs.functional(keras, keras.Model)
    model.compile(optimizer="sgd", loss="mse", metrics=["mae", "mse"])
    x, y = programs.data()
    logs = model.train_on_batch(x, y, return_dict=True)
    assert [m.name for m in model.metrics] == ["loss", "compile_metrics"]
    assert set(logs) == {"loss", "mae", "mse"}
    container = model.metrics[1]
    assert [m.name for m in container.metrics] == ["mae", "mse"]
    assert len(container.variables) == 4
    np.testing.assert_allclose(float(container.result()["mae"]), logs["mae"], rtol=1e-6)


def test_stateless_step_returning_wrong_state_raises(use_backend):
    """A ``train_step(state, data)`` whose state lists do not match the model's is refused."""
    use_backend("numpy")

    class BadModel(keras.Model):
        def train_step(self, state, data):
            trainable, non_trainable, optimizer_vars, metric_vars = state
            return {}, (trainable[:1], non_trainable, optimizer_vars, metric_vars)

    model = programs.functional(keras, BadModel)
    model.compile(optimizer="sgd", loss="mse")
    x, y = programs.data()
    with pytest.raises(ValueError, match="returned 1 values for 4 variables"):
        model.fit(x, y, epochs=1, verbose=0)
