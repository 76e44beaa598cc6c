"""numpy backend distribution hooks: one host device only; any distribution is refused.

numpy has no device model or collective communication, so data/model parallelism is left to the
framework backends (``MINI_KERAS_BACKEND=jax|torch|tensorflow``).
"""

from __future__ import annotations

import contextlib


def _refuse(what: str):
    raise ValueError(
        f"The numpy backend runs on a single CPU device and cannot {what}. Use the jax, torch or "
        "tensorflow backend for DataParallel/ModelParallel (mini_keras.config.set_backend), or "
        "call mini_keras.distribution.set_distribution(None).")


def list_devices(device_type=None) -> list[str]:
    """The one host device, ``["cpu:0"]`` (other device types: ValueError)."""
    if device_type not in (None, "cpu", "CPU"):
        raise ValueError(f"The numpy backend has only the device 'cpu:0'; received "
                         f"device_type={device_type!r}.")
    return ["cpu:0"]


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Refused: numpy has no multi-process engine."""
    _refuse("initialize multi-process training")


def num_processes() -> int:
    """Always 1."""
    return 1


def process_id() -> int:
    """Always 0."""
    return 0


def distribute_variable(value, dtype, trainable, variable, distribution):
    """Refused: a variable cannot be placed on a device mesh."""
    _refuse(f"place variable '{variable.path}' on a {type(distribution).__name__} mesh")


def distribute_data(batch, distribution):
    """Refused: a batch cannot be split over devices."""
    _refuse(f"split batches for {type(distribution).__name__}")


def compile(fn, state_variables, distribution, jit_compile=None, kind="train"):
    """Refused: no distributed step."""
    _refuse(f"run a {kind} step under {type(distribution).__name__}")


def metric_scope(variables):
    """A null context (numpy is never distributed)."""
    return contextlib.nullcontext()
