"""Contract extension (see contract.py): functions every backend must also provide."""

# ruff: noqa: ARG001

__all__ = []
