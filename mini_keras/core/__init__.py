"""Framework-free core objects shared by every backend: Variable, scopes, symbolic tensors."""
