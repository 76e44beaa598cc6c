"""Distribution hooks for a backend that runs on one device: every distribution is refused.

The numpy and MLX backends have no mesh + layout engine, so their ``distribution_lib`` modules
bind these hooks with their own refusal text and keep only ``list_devices``.
"""

from __future__ import annotations

import contextlib


class SingleDeviceHooks:
    """The ``distribution_lib`` hooks of a one-device backend; ``reason`` opens every refusal."""

    def __init__(self, reason: str):
        self.reason = reason

    def refuse(self, what: str):
        """Raise the ValueError that says what cannot be done and what to use instead."""
        raise ValueError(
            f"{self.reason} and cannot {what}. Use the jax, torch or tensorflow backend for "
            "DataParallel/ModelParallel (mini_keras.config.set_backend), or call "
            "mini_keras.distribution.set_distribution(None).")

    def initialize(self, job_addresses=None, num_processes=None, process_id=None) -> None:
        """Refused: no multi-process engine."""
        self.refuse("initialize multi-process training")

    def num_processes(self) -> int:
        """Always 1."""
        return 1

    def process_id(self) -> int:
        """Always 0."""
        return 0

    def distribute_variable(self, value, dtype, trainable, variable, distribution):
        """Refused: a variable cannot be placed on a device mesh."""
        self.refuse(f"place variable '{variable.path}' on a {type(distribution).__name__} mesh")

    def distribute_data(self, batch, distribution):
        """Refused: a batch cannot be split over devices."""
        self.refuse(f"split batches for {type(distribution).__name__}")

    def compile(self, fn, state_variables, distribution, jit_compile=None, kind="train"):
        """Refused: no distributed step."""
        self.refuse(f"run a {kind} step under {type(distribution).__name__}")

    def metric_scope(self, variables):
        """A null context (the backend is never distributed)."""
        return contextlib.nullcontext()
