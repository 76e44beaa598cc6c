"""Seeding: one host random stream that makes initial weights identical on every backend."""

from __future__ import annotations

import random as _py_random

import numpy as np

_state = {"seed": None, "rng": None}


def set_random_seed(seed: int) -> None:
    """Seed every source of randomness mini_keras uses.

    Initial weights are drawn from one host (numpy) stream, so the same seed gives bit-identical
    initial weights on numpy, torch, jax and tensorflow. Dropout, noise and shuffling draw from
    seeds derived from the same value, so they are reproducible on each backend.

    Args:
        seed: a non-negative int.
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_random_seed: expected a non-negative int, received {seed!r}")
    _state["seed"] = int(seed)
    _state["rng"] = np.random.default_rng(int(seed))
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


def host_rng() -> np.random.Generator:
    """Return the global host random generator (seeded by :func:`set_random_seed`)."""
    if _state["rng"] is None:
        _state["rng"] = np.random.default_rng()
    return _state["rng"]


def draw_seed() -> int:
    """Draw a fresh int seed from the global host stream (for layers created without a seed)."""
    return int(host_rng().integers(0, 2**31 - 1))
