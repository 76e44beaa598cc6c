"""Argument checks shared by the stateless APIs of layers, optimizers and metrics."""

from __future__ import annotations


def check_values(owner, label: str, values, variables) -> list:
    """``values`` as a list matching ``variables`` one to one (ValueError naming the mismatch)."""
    values = list(values)
    if len(values) != len(variables):
        raise ValueError(f"Argument `{label}` must be a list of tensors corresponding 1:1 to "
                         f"{type(owner).__name__}().{label}. Received list with length "
                         f"{len(values)}, but expected {len(variables)} variables.")
    return values
