"""Per-coordinate adaptive optimizers with Keras 3's update rules and defaults: Adagrad and
Adadelta."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.optimizers.optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad: ``a += g^2``; ``w -= lr * g / sqrt(a + eps)``.

    Args:
        learning_rate: the step size.
        initial_accumulator_value: starting value of ``a``.
        epsilon: numerical stability constant.
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "accumulator", self.initial_accumulator_value)

    def update_step(self, gradient, variable, learning_rate):
        acc = self.slot("accumulator", variable)
        acc.assign(ops.add(acc.value, ops.square(gradient)))
        step = ops.divide(ops.multiply(learning_rate, gradient),
                          ops.sqrt(ops.add(acc.value, self.epsilon)))
        variable.assign(ops.subtract(variable.value, step))

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon,
                "initial_accumulator_value": self.initial_accumulator_value}


class Adadelta(Optimizer):
    """Adadelta: step sizes from running averages of squared gradients and squared updates.

    ``A = rho A + (1 - rho) g^2``; ``d = -sqrt(D + eps) g / sqrt(A + eps)``;
    ``D = rho D + (1 - rho) d^2``; ``w += lr * d``.
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "accumulated_grad")
            self.add_variable_from_reference(v, "accumulated_delta_var")

    def update_step(self, gradient, variable, learning_rate):
        rho = self.rho
        acc_grad = self.slot("accumulated_grad", variable)
        acc_delta = self.slot("accumulated_delta_var", variable)

        def rms(x):
            return ops.sqrt(ops.add(x, self.epsilon))

        acc_grad.assign(ops.add(ops.multiply(rho, acc_grad.value),
                                ops.multiply(1 - rho, ops.square(gradient))))
        delta = ops.negative(ops.divide(ops.multiply(rms(acc_delta.value), gradient),
                                        rms(acc_grad.value)))
        acc_delta.assign(ops.add(ops.multiply(rho, acc_delta.value),
                                 ops.multiply(1 - rho, ops.square(delta))))
        variable.assign(ops.add(variable.value, ops.multiply(learning_rate, delta)))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
