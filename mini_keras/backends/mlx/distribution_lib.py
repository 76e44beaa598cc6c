"""MLX backend distribution hooks: one device only; DataParallel/ModelParallel are refused.

MLX's mx.distributed (MPI/ring all-reduce over processes) does not match the mesh + layout
model of DataParallel/ModelParallel on one host, so data/model parallelism is left to the
framework backends (``MINI_KERAS_BACKEND=jax|torch|tensorflow``).
"""

from __future__ import annotations

from mini_keras.backends.single_device import SingleDeviceHooks

_HOOKS = SingleDeviceHooks(
    "The MLX backend runs on one device (mx.distributed is not wired into mini_keras)")


def list_devices(device_type=None) -> list[str]:
    """MLX's default device, ``["cpu:0"]`` or ``["gpu:0"]`` (other device types: ValueError)."""
    import mlx.core as mx

    name = "cpu" if mx.default_device().type == mx.cpu else "gpu"
    if device_type is not None and str(device_type).lower() not in (name, "cuda" if
                                                                       name == "gpu" else name):
        raise ValueError(f"The MLX backend has only the device '{name}:0'; received "
                         f"device_type={device_type!r}.")
    return [f"{name}:0"]


initialize = _HOOKS.initialize
num_processes = _HOOKS.num_processes
process_id = _HOOKS.process_id
distribute_variable = _HOOKS.distribute_variable
distribute_data = _HOOKS.distribute_data
compile = _HOOKS.compile
metric_scope = _HOOKS.metric_scope
