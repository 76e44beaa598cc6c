"""What the torch backend is and can do. Framework-free: discovery reads this file on its own,
without importing the backend package (whose ``__init__`` imports the framework)."""

FRAMEWORK = "torch"
PIP_EXTRA = "mini_keras[torch]"
CAPABILITIES = frozenset({"float64", "float16", "bfloat16", "bfloat16_storage", "autodiff",
                          "accelerators"})
