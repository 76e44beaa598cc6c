"""Public ops of the numpy_ext family (dispatch wrappers; see ops/__init__.py)."""

__all__ = []
