"""ScheduleFreeAdamW (Defazio et al., 2024) with Keras 3's update rule and defaults."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.optimizers.optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW: no learning-rate schedule; the weights are an interpolation of a
    gradient sequence ``z`` (the ``momentum`` slot) and its running average ``x``.

    With ``t`` the 1-based step and ``c = 1 / t``::

        v += (g^2 - v) * (1 - beta_2)
        z -= lr * g / (sqrt(v / (1 - beta_2^t)) + epsilon)
        x  = (y - (1 - beta_1) z_old) / beta_1          # recovered from the weights y
        x  = (1 - c) x + c z
        y  = (1 - beta_1) z + beta_1 x

    Args:
        learning_rate: the step size (``0.0025`` as Keras).
        beta_1: interpolation between ``z`` and ``x``.
        beta_2: decay of the second moment.
        epsilon: numerical stability constant.
        warmup_steps: the learning rate rises linearly from 0 over this many steps.
        **kwargs: the base optimizer arguments (``weight_decay``, clipping, ``name``...).
    """

    def __init__(self, learning_rate=0.0025, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 warmup_steps=0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name,
                         **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "momentum").assign(v.value)
            self.add_variable_from_reference(v, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        t = ops.cast(ops.add(self._update_count(), 1), variable.dtype)
        if self.warmup_steps > 0:
            lr = ops.multiply(lr, ops.minimum(ops.divide(t, float(self.warmup_steps)), 1.0))
        z, v = self.slot("momentum", variable), self.slot("velocity", variable)
        z_old = ops.copy(z.value)  # a torch/TF assign is in place: keep the old z
        v.assign(ops.add(v.value, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                               1 - self.beta_2)))
        bias_correction = ops.subtract(1.0, ops.power(ops.cast(self.beta_2, variable.dtype), t))
        denominator = ops.add(ops.sqrt(ops.divide(v.value, bias_correction)), self.epsilon)
        z.assign(ops.subtract(z.value, ops.divide(ops.multiply(lr, gradient), denominator)))
        c = ops.divide(1.0, t)
        x = ops.divide(ops.subtract(variable.value, ops.multiply(1 - self.beta_1, z_old)),
                       self.beta_1)
        x = ops.add(ops.multiply(ops.subtract(1.0, c), x), ops.multiply(c, z.value))
        variable.assign(ops.add(ops.multiply(1 - self.beta_1, z.value),
                                ops.multiply(self.beta_1, x)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "warmup_steps": self.warmup_steps}
