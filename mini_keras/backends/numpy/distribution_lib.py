"""numpy backend distribution hooks: one host device only; any distribution is refused.

numpy has no device model or collective communication, so data/model parallelism is left to the
framework backends (``MINI_KERAS_BACKEND=jax|torch|tensorflow``).
"""

from __future__ import annotations

from mini_keras.backends.single_device import SingleDeviceHooks

_HOOKS = SingleDeviceHooks(
    "The numpy backend runs on a single CPU device")


def list_devices(device_type=None) -> list[str]:
    """The one host device, ``["cpu:0"]`` (other device types: ValueError)."""
    if device_type not in (None, "cpu", "CPU"):
        raise ValueError(f"The numpy backend has only the device 'cpu:0'; received "
                         f"device_type={device_type!r}.")
    return ["cpu:0"]


initialize = _HOOKS.initialize
num_processes = _HOOKS.num_processes
process_id = _HOOKS.process_id
distribute_variable = _HOOKS.distribute_variable
distribute_data = _HOOKS.distribute_data
compile = _HOOKS.compile
metric_scope = _HOOKS.metric_scope
