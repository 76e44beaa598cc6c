"""Device meshes, tensor layouts and the two distributions (data- and model-parallel).

Each backend provides ``mini_keras.backends.<name>.distribution_lib`` with the functions in
:data:`BACKEND_LIB_FUNCTIONS` (``tests/distribution/test_api.py`` checks all four):

- ``list_devices(device_type=None) -> list[str]``: device names such as ``"cpu:0"``, ``"cuda:1"``.
- ``initialize(job_addresses, num_processes, process_id)``: multi-process/multi-host start-up.
- ``num_processes() -> int`` and ``process_id() -> int``.
- ``distribute_variable(value, dtype, trainable, variable, distribution) -> handle``: create a
  variable's handle placed per ``distribution.get_variable_layout(variable)``.
- ``distribute_data(batch, distribution)``: turn one *global* host batch (a nest of numpy arrays)
  into the backend's distributed input (sharded arrays, per-replica values, or this rank's slice).
- ``compile(fn, state_variables, distribution, jit_compile, kind)``: the distributed version of
  the backend's ``compile``: a step that runs ``fn`` data-parallel and keeps the state in sync.
  ``kind`` is "train" (gradients are averaged over replicas), "test" or "predict" (the outputs
  are gathered into the global batch, in order).
- ``metric_scope(variables)``: a context manager in which reading the metric variables gives
  their values summed over every replica/process (a null context where they already are).
"""

from __future__ import annotations

import importlib

from mini_keras import backends
from mini_keras.backends import contract
from mini_keras.common import distribution as _descriptors
from mini_keras.common.distribution import (  # noqa: F401  (the public descriptors)
    DataParallel,
    DeviceMesh,
    Distribution,
    LayoutMap,
    ModelParallel,
    TensorLayout,
    distribution,
    set_distribution,
)

BACKEND_LIB_FUNCTIONS = tuple(contract.distribution_functions())  # declared once, as stubs


def backend_lib(backend_name: str | None = None):
    """Return the ``distribution_lib`` module of ``backend_name`` (default: current backend)."""
    name = backend_name or backends.current_name()
    backends.get(name)  # clear ImportError when the framework is missing
    return importlib.import_module(f"mini_keras.backends.{name}.distribution_lib")


def list_devices(device_type=None) -> list[str]:
    """Return the devices the current backend can use, e.g. ``["cpu:0", "cpu:1"]``.

    Args:
        device_type: "cpu", "gpu"/"cuda" or "tpu"; default: the accelerators if any, else CPUs.
    """
    return list(backend_lib().list_devices(device_type))


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Start multi-process training (call once per process, before building the model).

    JAX: ``jax.distributed.initialize``; PyTorch: ``torch.distributed.init_process_group`` (reads
    ``MASTER_ADDR``/``RANK``/``WORLD_SIZE`` set by ``torchrun`` when the arguments are None);
    TensorFlow: sets ``TF_CONFIG`` for ``MultiWorkerMirroredStrategy``.

    Args:
        job_addresses: comma-separated ``host:port`` list; the first is the coordinator.
        num_processes: total number of processes.
        process_id: this process's index in ``[0, num_processes)``.
    """
    backend_lib().initialize(job_addresses, num_processes, process_id)


_descriptors.set_device_lister(list_devices)
