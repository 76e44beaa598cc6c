"""Backend implementation of contract_numpy_ext (see mini_keras/backends/contract_numpy_ext.py)."""

__all__ = []
