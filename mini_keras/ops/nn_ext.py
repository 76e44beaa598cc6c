"""Public ops of the nn_ext family (dispatch wrappers; see ops/__init__.py)."""

__all__ = []
