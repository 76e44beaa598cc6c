"""What the numpy backend is and can do. Framework-free: discovery reads this file on its own,
without importing the backend package (whose ``__init__`` imports the framework)."""

FRAMEWORK = "numpy"
PIP_EXTRA = "mini_keras"
CAPABILITIES = frozenset({"float64", "float16", "bfloat16_storage", "autodiff"})
