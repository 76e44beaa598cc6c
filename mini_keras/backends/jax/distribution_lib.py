"""JAX backend distribution hooks: ``jax.sharding`` meshes and named shardings.

A :class:`~mini_keras.distribution.DeviceMesh` becomes a ``jax.sharding.Mesh`` and a
``TensorLayout`` a ``NamedSharding(mesh, PartitionSpec(*layout.axes))``. Variables and batches
are *global* ``jax.Array`` s placed with those shardings, and the step is the ordinary
``jax.jit``-compiled pure function (:func:`core.compile_stateful`): XLA's SPMD partitioner
splits the work, so the loss is the global-batch mean, gradients are averaged over replicas and
metric totals are global sums without any explicit collective in our code. The state's new
values are constrained to their layouts, so a sharded kernel stays sharded after an update.
"""

from __future__ import annotations

import contextlib
import os
import weakref

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from mini_keras.backends.jax import core
from mini_keras.common.nest import map_structure

_PLATFORMS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu", "rocm": "gpu", "tpu": "tpu"}
_meshes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # DeviceMesh -> jax Mesh


# ---------------------------------------------------------------------------- devices & processes


def _platform(device_type) -> str | None:
    if device_type is None:
        return None
    platform = _PLATFORMS.get(str(device_type).lower())
    if platform is None:
        raise ValueError(f"list_devices: unknown device_type {device_type!r}; expected one of "
                         f"{sorted(_PLATFORMS)} or None.")
    return platform


def _device_name(device) -> str:
    return f"{device.platform}:{device.id}"


def list_devices(device_type=None) -> list[str]:
    """Names of every device of every process, e.g. ``["cpu:0", "cpu:1"]`` or ``["gpu:0"]``.

    Args:
        device_type: "cpu", "gpu" (or "cuda") or "tpu"; default: JAX's default backend (the
            accelerators when there are any).
    """
    platform = _platform(device_type)
    try:
        devices = jax.devices(platform)
    except RuntimeError as error:  # the platform is not available in this process
        raise ValueError(f"list_devices: JAX has no {device_type!r} devices ({error}).") from None
    return [_device_name(d) for d in devices]


def _device(name: str):
    """The ``jax.Device`` called ``name`` ("cpu:0", "gpu:1"; "cuda:1" is accepted)."""
    platform, _, index = str(name).partition(":")
    platform = _PLATFORMS.get(platform.lower())
    try:
        devices = jax.devices(platform) if platform else []
    except RuntimeError:
        devices = []
    for device in devices:
        if index.isdigit() and device.id == int(index):
            return device
    raise ValueError(f"DeviceMesh: {name!r} is not a JAX device; available devices: "
                     f"{list_devices()}.")


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Start multi-process JAX with ``jax.distributed.initialize``.

    Arguments left None are read from ``KERAS_DISTRIBUTION_JOB_ADDRESSES``,
    ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and ``KERAS_DISTRIBUTION_PROCESS_ID`` (Keras 3's names);
    when still None, JAX detects the cluster itself (SLURM, Cloud TPU, ...).

    Args:
        job_addresses: comma-separated ``host:port`` list; the first is the coordinator.
        num_processes: total number of processes (default: the number of addresses, when several).
        process_id: this process's index in ``[0, num_processes)``.

    Raises:
        ValueError: when ``num_processes`` disagrees with the address list or ``process_id`` is
            out of range.
    """
    env = os.environ
    job_addresses = job_addresses or env.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if num_processes is None and env.get("KERAS_DISTRIBUTION_NUM_PROCESSES"):
        num_processes = int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and env.get("KERAS_DISTRIBUTION_PROCESS_ID"):
        process_id = int(env["KERAS_DISTRIBUTION_PROCESS_ID"])
    coordinator = None
    if job_addresses:
        addresses = [a.strip() for a in str(job_addresses).split(",") if a.strip()]
        coordinator = addresses[0]
        if len(addresses) > 1:
            if num_processes is not None and num_processes != len(addresses):
                raise ValueError(f"initialize: num_processes={num_processes} but job_addresses "
                                 f"lists {len(addresses)} hosts: {addresses}.")
            num_processes = len(addresses)
    if num_processes is not None and process_id is not None \
            and not 0 <= process_id < num_processes:
        raise ValueError(f"initialize: process_id={process_id} is not in "
                         f"[0, num_processes={num_processes}).")
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes,
                               process_id=process_id)


def num_processes() -> int:
    """Number of JAX processes (``jax.process_count()``)."""
    return jax.process_count()


def process_id() -> int:
    """This process's index (``jax.process_index()``)."""
    return jax.process_index()


# ---------------------------------------------------------------------------- placement


def _mesh(device_mesh) -> Mesh:
    """The ``jax.sharding.Mesh`` of a DeviceMesh (built once per DeviceMesh)."""
    mesh = _meshes.get(device_mesh)
    if mesh is None:
        devices = np.array([_device(n) for n in device_mesh.devices], dtype=object)
        mesh = Mesh(devices.reshape(device_mesh.shape), device_mesh.axis_names)
        _meshes[device_mesh] = mesh
    return mesh


def _sharding(layout) -> NamedSharding:
    return NamedSharding(_mesh(layout.device_mesh), PartitionSpec(*layout.axes))


def _place(value, sharding):
    """``value`` as a global array with ``sharding`` (itself when it already is one).

    With several processes every process holds the whole value (same on all), and each one
    fills the shards of its own devices.
    """
    if isinstance(value, jax.Array) and value.sharding == sharding:
        return value
    if jax.process_count() == 1:
        return jax.device_put(value, sharding)
    host = np.asarray(value)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def distribute_variable(value, dtype, trainable, variable, distribution):
    """Create ``variable``'s array placed per ``distribution.get_variable_layout(variable)``.

    Replicated under DataParallel; under ModelParallel per the LayoutMap (its ``check_shape``
    raises when a sharded dimension does not split evenly).
    """
    layout = distribution.get_variable_layout(variable)
    value, dtype = core._unwrap(value), core._canonical(dtype)
    value = value.astype(dtype) if isinstance(value, jax.Array) else np.asarray(value, dtype)
    return _place(value, _sharding(layout))


def distribute_data(batch, distribution):
    """Split one global host batch (a nest of arrays, None allowed) over the batch axis.

    Every process passes the same global batch; with several processes the global array is
    built from it with ``jax.make_array_from_process_local_data``.

    Raises:
        ValueError: when an array's first dimension does not split over the batch axis.
    """

    def put(array):
        if array is None:
            return None
        array = np.asarray(array)
        layout = distribution.get_data_layout(array.shape)
        layout.check_shape(array.shape, f"input batch of shape {array.shape}")
        sharding = _sharding(layout)
        if jax.process_count() > 1:
            return jax.make_array_from_process_local_data(sharding, array, array.shape)
        return jax.device_put(array, sharding)

    return map_structure(put, batch)


# ---------------------------------------------------------------------------- steps & metrics


def compile(fn, state_variables, distribution, jit_compile=None, kind="train"):
    """``core.compile`` with every state variable kept on its layout's sharding.

    The inputs are global arrays from :func:`distribute_data`, so jit partitions the step over
    the mesh: the loss and its gradients are those of the global batch and metric totals are
    global sums. A variable whose array was replaced outside the step (``reset_metrics``,
    ``assign``) is put back on its sharding first, so the step compiles once. "predict"
    outputs are the global batch (gathered to every process when there are several).
    """
    state_variables = list(state_variables)
    shardings = [_sharding(distribution.get_variable_layout(v)) for v in state_variables]
    step = core.compile_stateful(fn, state_variables, jit_compile, state_shardings=shardings)
    gather = kind == "predict" and jax.process_count() > 1

    def call(*args, **kwargs):
        for variable, sharding in zip(state_variables, shardings):
            variable._handle = _place(variable._handle, sharding)
        out = step(*args, **kwargs)
        if gather:
            from jax.experimental import multihost_utils

            out = multihost_utils.process_allgather(out, tiled=True)
        return out

    return call


def metric_scope(variables):
    """A null context: metric state is a global array that already holds the global sums."""
    return contextlib.nullcontext()
