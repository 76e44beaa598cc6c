"""Keras 3's default object names: ``to_snake_case`` of the class name."""

from __future__ import annotations

import re


def to_snake_case(name: str) -> str:
    """``"Conv2DTranspose"`` -> ``"conv2d_transpose"``, ``"MeanIoU"`` -> ``"mean_io_u"``,
    ``"RMSprop"`` -> ``"rm_sprop"`` (Keras' default layer, metric and optimizer names)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
