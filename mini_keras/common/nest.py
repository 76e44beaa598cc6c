"""Nest utilities: flatten and map nested lists/tuples/dicts (the structure of model inputs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["flatten", "map_structure"]


def flatten(structure: Any) -> list:
    """Flatten nested lists/tuples/dicts (dicts in key order) into a list of leaves."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure, key=str) for leaf in flatten(structure[key])]
    return [structure]


def map_structure(fn: Callable, structure: Any) -> Any:
    """Apply ``fn`` to every leaf of nested lists/tuples/dicts, keeping the structure."""
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)
