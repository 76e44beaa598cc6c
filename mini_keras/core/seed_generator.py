"""SeedGenerator: a seed stream whose state is a Variable, so compiled steps can advance it."""

from __future__ import annotations

import numpy as np

from mini_keras.core.variable import Variable, unique_name
from mini_keras.utils.rng import draw_seed

_NEXT = np.array([0, 1], dtype="int32")  # one step of the counter


class SeedGenerator:
    """Produce a new ``(seed, counter)`` pair on every :meth:`next` call.

    The state lives in a non-trainable int32 Variable, so JAX's jitted steps thread it through
    like any other state and dropout masks differ from step to step yet stay reproducible.

    Args:
        seed: int, or None to draw one from the global stream (see ``set_random_seed``).
        name: variable name prefix.
    """

    def __init__(self, seed=None, name=None, backend=None):
        self.initial_seed = draw_seed() if seed is None else int(seed)
        self.name = name or unique_name("seed_generator")
        self.state = Variable(np.array([self.initial_seed % 2**31, 0], dtype="int32"),
                              dtype="int32", trainable=False, name=f"{self.name}_state",
                              backend=backend)

    def next(self):
        """Return the current ``(seed, counter)`` state and advance the counter."""
        value = self.state.value
        self.state.assign_add(_NEXT)
        return value
