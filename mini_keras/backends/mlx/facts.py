"""What the mlx backend is and can do. Framework-free: discovery reads this file on its own,
without importing the backend package (whose ``__init__`` imports the framework)."""

FRAMEWORK = "mlx"
PIP_EXTRA = "mini_keras[mlx]"
CAPABILITIES = frozenset({"float64", "float16", "bfloat16", "bfloat16_storage", "autodiff",
                          "accelerators"})
