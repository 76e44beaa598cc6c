"""The Initializer base class: draw on the host in numpy, convert to the current backend."""

from __future__ import annotations

import numpy as np

from mini_keras import ops


class Initializer:
    """Base class: ``initializer(shape, dtype=None)`` returns a tensor of the current backend."""

    def __call__(self, shape, dtype=None):
        from mini_keras import config
        dtype = dtype or config.floatx()
        array = self.sample(tuple(int(d) for d in shape), dtype)
        return ops.convert_to_tensor(array, dtype=dtype)

    def sample(self, shape: tuple, dtype: str) -> np.ndarray:
        """Return the initial values as a numpy array."""
        raise NotImplementedError

    def get_config(self) -> dict:
        """Return the constructor arguments."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Recreate from :meth:`get_config`'s output."""
        return cls(**config)


def np_dtype(dtype: str):
    """The numpy dtype to draw ``dtype`` values in (bfloat16: float32, cast by the backend)."""
    if dtype == "bfloat16":
        return np.float32  # converted to bfloat16 by the backend
    return np.dtype(dtype)
