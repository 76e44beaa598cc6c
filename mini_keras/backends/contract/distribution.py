"""Backend contract, distribution hooks: what ``mini_keras.backends.<name>.distribution_lib``
provides (``mini_keras.distribution.api`` calls them). A backend that cannot distribute raises a
clear error from each; the numpy backend does.
"""

# The functions are stubs: their signatures and docstrings are the contract.

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any


def list_devices(device_type: str | None = None) -> list[str]:
    """Device names such as ``"cpu:0"``, ``"cuda:1"`` (default: the accelerators, else CPUs)."""


def initialize(job_addresses: str | None, num_processes: int | None,
               process_id: int | None) -> None:
    """Multi-process / multi-host start-up (``jax.distributed.initialize``, torchrun, TF_CONFIG)."""


def num_processes() -> int:
    """How many processes take part (1 without :func:`initialize`)."""


def process_id() -> int:
    """This process's index in ``[0, num_processes())``."""


def distribute_variable(value: Any, dtype: str, trainable: bool, variable: Any,
                        distribution: Any) -> Any:
    """Create a variable's handle placed per ``distribution.get_variable_layout(variable)``."""


def distribute_data(batch: Any, distribution: Any) -> Any:
    """Turn one *global* host batch (a nest of numpy arrays) into the backend's distributed input
    (sharded arrays, per-replica values, or this rank's slice)."""


def compile(fn: Callable, state_variables: list, distribution: Any, jit_compile: bool | None,
            kind: str) -> Callable:
    """The distributed version of the backend's ``compile``: run ``fn`` data-parallel and keep the
    state in sync. ``kind`` is "train" (gradients averaged over replicas), "test" or "predict"
    (outputs gathered into the global batch, in order)."""


def metric_scope(variables: list) -> AbstractContextManager:
    """A context in which reading the metric variables gives their values summed over every
    replica/process (a null context where they already are)."""
