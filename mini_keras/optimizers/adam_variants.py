"""Adam's relatives with Keras 3's update rules and defaults: AdamW, Adamax, Nadam, Lion."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.optimizers.basic import Adam
from mini_keras.optimizers.optimizer import Optimizer


class AdamW(Adam):
    """Adam with decoupled weight decay: ``w -= w * weight_decay * lr`` before each Adam step.

    Args:
        learning_rate, beta_1, beta_2, epsilon, amsgrad: as :class:`Adam`.
        weight_decay: the decay rate (required; Keras' default 0.004).
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: `weight_decay` must be a float, received weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name,
                         weight_decay=weight_decay, **kwargs)


class Adamax(Optimizer):
    """Adam with the infinity norm.

    ``m += (g - m)(1 - b1)``; ``u = max(b2 * u, |g|)``; ``w -= lr * m / ((1 - b1^t)(u + eps))``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "momentum")
            self.add_variable_from_reference(v, "norm")

    def update_step(self, gradient, variable, learning_rate):
        t = ops.cast(ops.add(self._update_count(), 1), "float32")
        m, u = self.slot("momentum", variable), self.slot("norm", variable)
        m.assign(ops.add(m.value, ops.multiply(ops.subtract(gradient, m.value), 1 - self.beta_1)))
        u.assign(ops.maximum(ops.multiply(self.beta_2, u.value), ops.abs(gradient)))
        denominator = ops.multiply(ops.subtract(1.0, ops.power(self.beta_1, t)),
                                   ops.add(u.value, self.epsilon))
        variable.assign(ops.subtract(variable.value,
                                     ops.divide(ops.multiply(learning_rate, m.value), denominator)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras' momentum schedule ``u_t = b1 (1 - 0.5 * 0.96^t)``.

    ``m_hat = u_{t+1} m / (1 - prod u_{..t+1}) + (1 - u_t) g / (1 - prod u_{..t})``;
    ``v_hat = v / (1 - b2^t)``; ``w -= lr * m_hat / (sqrt(v_hat) + eps)``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "momentum")
            self.add_variable_from_reference(v, "velocity")
        self._u_product = self._add(np.array(1.0, dtype="float32"), "u_product",
                                    self._backend_name)

    def _f32(self, value):
        # Keras casts the betas to the variable dtype before computing 1 - beta; matching that
        # keeps (1 - beta_2) and beta_2 ** t consistently rounded, as in Keras.
        return ops.cast(ops.convert_to_tensor(value), "float32")

    def _u(self, step):
        decay = ops.power(self._f32(0.96), step)
        return ops.multiply(self._f32(self.beta_1), ops.subtract(1.0, ops.multiply(0.5, decay)))

    def _update_all(self, grads, trainable_variables, learning_rate):
        t = ops.cast(ops.add(self._update_count(), 1), "float32")
        self._u_product.assign(ops.multiply(self._u_product.value, self._u(t)))
        super()._update_all(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        beta_1, beta_2 = self._f32(self.beta_1), self._f32(self.beta_2)
        t = ops.cast(ops.add(self._update_count(), 1), "float32")
        u_t, u_next = self._u(t), self._u(ops.add(t, 1.0))
        u_product = self._u_product.value
        u_product_next = ops.multiply(u_product, u_next)
        m, v = self.slot("momentum", variable), self.slot("velocity", variable)
        m.assign(ops.add(m.value, ops.multiply(ops.subtract(gradient, m.value),
                                               ops.subtract(1.0, beta_1))))
        v.assign(ops.add(v.value, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                               ops.subtract(1.0, beta_2))))
        m_next = ops.divide(ops.multiply(u_next, m.value), ops.subtract(1.0, u_product_next))
        g_now = ops.divide(ops.multiply(ops.subtract(1.0, u_t), gradient),
                           ops.subtract(1.0, u_product))
        m_hat = ops.add(m_next, g_now)
        v_hat = ops.divide(v.value, ops.subtract(1.0, ops.power(beta_2, t)))
        update = ops.divide(ops.multiply(m_hat, learning_rate),
                            ops.add(ops.sqrt(v_hat), self.epsilon))
        variable.assign(ops.subtract(variable.value, update))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Lion(Optimizer):
    """Lion: the sign of an interpolated momentum.

    ``w -= lr * sign(b1 * m + (1 - b1) g)``; then ``m = b2 * m + (1 - b2) g``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Lion: `beta_1` must be in (0, 1] (otherwise Lion degenerates to "
                             f"SignSGD), received beta_1={beta_1}")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "momentum")

    def update_step(self, gradient, variable, learning_rate):
        m = self.slot("momentum", variable)
        direction = ops.sign(ops.add(ops.multiply(m.value, self.beta_1),
                                     ops.multiply(gradient, 1.0 - self.beta_1)))
        variable.assign(ops.subtract(variable.value, ops.multiply(learning_rate, direction)))
        m.assign(ops.add(ops.multiply(m.value, self.beta_2),
                         ops.multiply(gradient, 1.0 - self.beta_2)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
