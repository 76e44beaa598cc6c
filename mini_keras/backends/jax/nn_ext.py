"""Backend implementation of contract_nn_ext (see mini_keras/backends/contract_nn_ext.py)."""

__all__ = []
