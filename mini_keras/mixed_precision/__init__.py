"""``mini_keras.mixed_precision``: compute in float16/bfloat16, keep variables in float32.

    import mini_keras as keras
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax", dtype="float32")])
    model.compile("adam", "sparse_categorical_crossentropy")  # wraps adam in LossScaleOptimizer

Layers created under a mixed policy cast their floating inputs to the compute dtype and read
their float variables in it; the variables, their gradients, the optimizer and the loss stay in
float32. Keras users give the last layer ``dtype="float32"`` so a softmax computes in float32.
"""

from mini_keras.dtype_policies.dtype_policy import (
    DTypePolicy,
    dtype_policy,
    set_dtype_policy,
)
from mini_keras.optimizers.loss_scale_optimizer import LossScaleOptimizer

# Keras 3's legacy names.
Policy = DTypePolicy
global_policy = dtype_policy
set_global_policy = set_dtype_policy

__all__ = [
    "DTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "dtype_policy",
    "global_policy",
    "set_dtype_policy",
    "set_global_policy",
]
