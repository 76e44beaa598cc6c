"""MLX backend distribution hooks: one device only; DataParallel/ModelParallel are refused.

MLX's mx.distributed (MPI/ring all-reduce over processes) does not match the mesh + layout
model of DataParallel/ModelParallel on one host, so data/model parallelism is left to the
framework backends (``MINI_KERAS_BACKEND=jax|torch|tensorflow``).
"""

from __future__ import annotations

import contextlib


def _refuse(what: str):
    raise ValueError(
        f"The MLX backend runs on one device (mx.distributed is not wired into mini_keras) and cannot {what}. Use the jax, torch or "
        "tensorflow backend for DataParallel/ModelParallel (mini_keras.config.set_backend), or "
        "call mini_keras.distribution.set_distribution(None).")


def list_devices(device_type=None) -> list[str]:
    """MLX's default device, ``["cpu:0"]`` or ``["gpu:0"]`` (other device types: ValueError)."""
    import mlx.core as mx

    name = "cpu" if mx.default_device().type == mx.cpu else "gpu"
    if device_type is not None and str(device_type).lower() not in (name, "cuda" if
                                                                       name == "gpu" else name):
        raise ValueError(f"The MLX backend has only the device '{name}:0'; received "
                         f"device_type={device_type!r}.")
    return [f"{name}:0"]


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Refused: not wired to mx.distributed."""
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
    """A null context (MLX is never distributed here)."""
    return contextlib.nullcontext()
