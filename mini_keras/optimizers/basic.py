"""SGD, Adam and RMSprop with Keras 3's update rules and defaults."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.optimizers.optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    ``m = momentum * m - lr * g``; ``w += m`` (Nesterov: ``w += momentum * m - lr * g``);
    without momentum ``w -= lr * g``.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1], received {momentum}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build(self, var_list):
        super().build(var_list)
        if self.momentum:
            for v in var_list:
                self.add_variable_from_reference(v, "momentum")

    def _update_all(self, grads, trainable_variables, learning_rate):
        """Eagerly, one fused backend hook (``sgd_update``) runs ``update_step``'s math for every
        variable; inside a StatelessScope (compiled steps) each variable runs ``update_step``."""
        sgd_update = self._fused_hook("sgd_update", trainable_variables, SGD.update_step)
        if sgd_update is None:
            return super()._update_all(grads, trainable_variables, learning_rate)
        state = [trainable_variables]
        if self.momentum:
            state.append([self.slot("momentum", v) for v in trainable_variables])
        # The stored values themselves (not .value, which an AutocastScope may cast).
        old = [[v._read_handle() for v in variables] for variables in state]
        new = sgd_update(old[0], grads, old[1] if self.momentum else None, learning_rate,
                         self.momentum, self.nesterov)
        for variables, old_values, new_values in zip(state, old, new):
            self._store_fused(variables, old_values, new_values)

    def update_step(self, gradient, variable, learning_rate):
        step = ops.multiply(learning_rate, gradient)
        if not self.momentum:
            variable.assign(ops.subtract(variable.value, step))
            return
        m = self.slot("momentum", variable)
        m_new = ops.subtract(ops.multiply(self.momentum, m.value), step)
        m.assign(m_new)
        if self.nesterov:
            look_ahead = ops.subtract(ops.multiply(self.momentum, m_new), step)
            variable.assign(ops.add(variable.value, look_ahead))
        else:
            variable.assign(ops.add(variable.value, m_new))

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: bias-corrected first and second moment estimates.

    ``m += (g - m)(1 - b1)``; ``v += (g^2 - v)(1 - b2)``;
    ``w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``.
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:  # Keras 3's order (the .keras file's optimizer/vars/N)
            self.add_variable_from_reference(v, "momentum")
            self.add_variable_from_reference(v, "velocity")
        if self.amsgrad:
            for v in var_list:
                self.add_variable_from_reference(v, "velocity_hat")

    def _step_size(self, learning_rate):
        """``alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`` at step ``t = iterations + 1``."""
        t = ops.cast(ops.add(self._update_count(), 1), "float32")
        correction_2 = ops.sqrt(ops.subtract(1.0, ops.power(self.beta_2, t)))
        return ops.divide(ops.multiply(learning_rate, correction_2),
                          ops.subtract(1.0, ops.power(self.beta_1, t)))

    def _update_all(self, grads, trainable_variables, learning_rate):
        """Eagerly, one fused backend hook (``adam_update``) runs ``update_step``'s math for every
        variable; inside a StatelessScope (compiled steps) each variable runs ``update_step``."""
        adam_update = self._fused_hook("adam_update", trainable_variables, Adam.update_step)
        if adam_update is None:
            return super()._update_all(grads, trainable_variables, learning_rate)
        slots = [[self.slot(name, v) for v in trainable_variables]
                 for name in ("momentum", "velocity", "velocity_hat")[:3 if self.amsgrad else 2]]
        state = [trainable_variables, *slots]
        # The stored values themselves (not .value, which an AutocastScope may cast).
        old = [[v._read_handle() for v in variables] for variables in state]
        new = adam_update(old[0], grads, old[1], old[2], old[3] if self.amsgrad else None,
                          self._step_size(learning_rate), self.beta_1, self.beta_2, self.epsilon)
        for variables, old_values, new_values in zip(state, old, new):
            self._store_fused(variables, old_values, new_values)

    def update_step(self, gradient, variable, learning_rate):
        alpha = self._step_size(learning_rate)
        m, v = self.slot("momentum", variable), self.slot("velocity", variable)
        m.assign(ops.add(m.value, ops.multiply(ops.subtract(gradient, m.value), 1 - self.beta_1)))
        v.assign(ops.add(v.value, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                               1 - self.beta_2)))
        v_used = v.value
        if self.amsgrad:
            v_hat = self.slot("velocity_hat", variable)
            v_hat.assign(ops.maximum(v_hat.value, v.value))
            v_used = v_hat.value
        update = ops.divide(ops.multiply(m.value, alpha), ops.add(ops.sqrt(v_used), self.epsilon))
        variable.assign(ops.subtract(variable.value, update))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running RMS of recent gradients.

    ``s = rho * s + (1 - rho) g^2``; ``w -= lr * g / sqrt(s + eps)`` (centered: ``s - mean_g^2``).
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, var_list):
        super().build(var_list)
        slots = ["velocity"] + ["momentum"] * bool(self.momentum) + (
            ["average_gradient"] * bool(self.centered))
        for slot in slots:  # Keras 3's order: every variable's velocity, then momentum, ...
            for v in var_list:
                self.add_variable_from_reference(v, slot)

    def update_step(self, gradient, variable, learning_rate):
        s = self.slot("velocity", variable)
        s.assign(ops.add(ops.multiply(self.rho, s.value),
                         ops.multiply(1 - self.rho, ops.square(gradient))))
        denominator = s.value
        if self.centered:
            ag = self.slot("average_gradient", variable)
            ag.assign(ops.add(ops.multiply(self.rho, ag.value),
                              ops.multiply(1 - self.rho, gradient)))
            denominator = ops.subtract(denominator, ops.square(ag.value))
        increment = ops.divide(ops.multiply(learning_rate, gradient),
                               ops.sqrt(ops.add(denominator, self.epsilon)))
        if self.momentum:
            mom = self.slot("momentum", variable)
            mom.assign(ops.add(ops.multiply(self.momentum, mom.value), increment))
            increment = mom.value
        variable.assign(ops.subtract(variable.value, increment))

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
