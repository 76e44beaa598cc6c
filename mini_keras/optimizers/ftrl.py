"""Ftrl: "Follow The Regularized Leader" (McMahan et al., 2013) with Keras 3's update rule,
defaults and argument checks."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.optimizers.optimizer import Optimizer


class Ftrl(Optimizer):
    """FTRL-proximal, with L1/L2 and shrinkage regularization.

    With ``p = -learning_rate_power``, per coordinate::

        n' = n + g^2
        z += (g + 2 * l2_shrinkage * w) - (n'^p - n^p) / lr * w
        w  = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 * (l2 + beta / (2 lr)))

    Args:
        learning_rate: the step size.
        learning_rate_power: ``<= 0``; how the step shrinks as gradients accumulate
            (``-0.5``: AdaGrad-like).
        initial_accumulator_value: ``>= 0``; starting value of ``n``.
        l1_regularization_strength: ``>= 0``.
        l2_regularization_strength: ``>= 0``.
        l2_shrinkage_regularization_strength: ``>= 0``; an L2 penalty on the gradient, not
            the loss.
        beta: added to the denominator as ``beta / (2 lr)`` (the "beta" of the paper).
        **kwargs: the base optimizer arguments (``weight_decay``, clipping, ``name``...).
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        for arg, value in (("initial_accumulator_value", initial_accumulator_value),
                           ("l1_regularization_strength", l1_regularization_strength),
                           ("l2_regularization_strength", l2_regularization_strength),
                           ("l2_shrinkage_regularization_strength",
                            l2_shrinkage_regularization_strength)):
            if value < 0.0:
                raise ValueError(f"Ftrl: `{arg}` needs to be positive or zero. "
                                 f"Received: {arg}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError("Ftrl: `learning_rate_power` needs to be negative or zero. "
                             f"Received: learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "accumulator", self.initial_accumulator_value)
            self.add_variable_from_reference(v, "linear")

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        n, z = self.slot("accumulator", variable), self.slot("linear", variable)
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = ops.add(self.l2_regularization_strength, ops.divide(self.beta, ops.multiply(2.0, lr)))
        w = variable.value
        shrunk_gradient = ops.add(gradient,
                                  ops.multiply(2 * self.l2_shrinkage_regularization_strength, w))
        new_n = ops.add(n.value, ops.square(gradient))
        sigma = ops.divide(ops.subtract(ops.power(new_n, power), ops.power(n.value, power)), lr)
        z.assign(ops.add(z.value, ops.subtract(shrunk_gradient, ops.multiply(sigma, w))))
        quadratic = ops.add(ops.divide(ops.power(new_n, power), lr), ops.multiply(2.0, l2))
        variable.assign(ops.divide(ops.subtract(ops.clip(z.value, -l1, l1), z.value), quadratic))
        n.assign(new_n)

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
