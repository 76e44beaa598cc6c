"""What the jax backend is and can do. Framework-free: discovery reads this file on its own,
without importing the backend package (whose ``__init__`` imports the framework)."""

FRAMEWORK = "jax"
PIP_EXTRA = "mini_keras[jax]"
CAPABILITIES = frozenset({"float16", "bfloat16", "bfloat16_storage", "autodiff", "accelerators",
                          "jit"})
