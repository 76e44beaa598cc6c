"""Optimizers that scale steps per layer or per factored second moment, with Keras 3's update
rules and defaults: Lamb and Adafactor."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.optimizers.optimizer import Optimizer


class Lamb(Optimizer):
    """Adam's step rescaled per variable by ``||w|| / ||step||`` (You et al., 2019).

    Args:
        learning_rate: the step size.
        beta_1: decay of the first moment.
        beta_2: decay of the second moment.
        epsilon: numerical stability constant.
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

    def update_step(self, gradient, variable, learning_rate):
        t = ops.cast(ops.add(self._update_count(), 1), variable.dtype)
        m, v = self.slot("momentum", variable), self.slot("velocity", variable)
        m.assign(ops.add(m.value, ops.multiply(ops.subtract(gradient, m.value), 1 - self.beta_1)))
        v.assign(ops.add(v.value, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                               1 - self.beta_2)))
        m_hat = ops.divide(m.value, ops.subtract(1.0, ops.power(self.beta_1, t)))
        v_sqrt = ops.add(ops.sqrt(ops.divide(v.value, ops.subtract(1.0, ops.power(self.beta_2,
                                                                                   t)))),
                         self.epsilon)
        update = ops.divide(m_hat, v_sqrt)
        w_norm = ops.sqrt(ops.sum(ops.square(variable.value)))
        g_norm = ops.sqrt(ops.sum(ops.square(update)))
        ratio = ops.where(ops.logical_and(ops.greater(w_norm, 0.0), ops.greater(g_norm, 0.0)),
                          ops.divide(w_norm, ops.where(ops.greater(g_norm, 0.0), g_norm, 1.0)),
                          1.0)
        variable.assign(ops.subtract(variable.value,
                                     ops.multiply(ops.multiply(ratio, learning_rate), update)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018): the second moment of a matrix is factored into row
    and column means of its last two axes; steps are relative to the variable's RMS.

    Args:
        learning_rate: the step size (capped at ``1 / sqrt(t)`` with ``relative_step``).
        beta_2_decay: the second moment decays with ``1 - t ** beta_2_decay``.
        epsilon_1: added to squared gradients.
        epsilon_2: the floor of the variable's RMS in the relative step.
        clip_threshold: the RMS above which an update is scaled down.
        relative_step: cap a constant learning rate at ``1 / sqrt(t)``.
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def build(self, var_list):
        super().build(var_list)
        for var in var_list:
            shape = tuple(var.shape)
            for name, slot_shape in (("r", shape[:-1]), ("c", shape[:-2] + shape[-1:])):
                # factor the last two axes; below 2-D, an unused int32 scalar holds the place
                # (as Keras 3, so the optimizer's variables line up with Keras' in files)
                initial = np.zeros(slot_shape, dtype=var.dtype) if len(shape) >= 2 \
                    else np.zeros((), dtype="int32")
                slot = self._add(initial, f"{var.path.replace('/', '_')}_{name}", var.backend)
                self._slots[(name, id(var))] = slot
            self.add_variable_from_reference(var, "velocity")

    @staticmethod
    def _rms(x):
        return ops.sqrt(ops.mean(ops.square(x)))

    def update_step(self, gradient, variable, learning_rate):
        t = ops.cast(ops.add(self._update_count(), 1), variable.dtype)
        lr = ops.cast(learning_rate, variable.dtype)
        inv_sqrt_t = ops.divide(1.0, ops.sqrt(t))
        if self._schedule is None and self.relative_step:
            lr = ops.minimum(lr, inv_sqrt_t)
        alpha_t = ops.multiply(ops.maximum(self.epsilon_2, self._rms(variable.value)),
                               ops.minimum(lr, inv_sqrt_t))
        grad_sq = ops.add(ops.square(gradient), self.epsilon_1)
        beta_2_t = ops.subtract(1.0, ops.power(t, self.beta_2_decay))
        v = self.slot("velocity", variable)

        def decayed(old, new):
            return ops.add(ops.multiply(beta_2_t, old), ops.multiply(ops.subtract(1.0, beta_2_t),
                                                                     new))

        if len(variable.shape) >= 2:
            r, c = self.slot("r", variable), self.slot("c", variable)
            r.assign(decayed(r.value, ops.mean(grad_sq, axis=-1)))
            c.assign(decayed(c.value, ops.mean(grad_sq, axis=-2)))
            row = ops.divide(r.value, ops.mean(r.value, axis=-1, keepdims=True))
            v.assign(ops.multiply(ops.expand_dims(row, -1), ops.expand_dims(c.value, -2)))
        else:
            v.assign(decayed(v.value, grad_sq))
        u = ops.divide(gradient, ops.sqrt(v.value))
        u = ops.divide(u, ops.maximum(1.0, ops.divide(self._rms(u), self.clip_threshold)))
        variable.assign(ops.subtract(variable.value, ops.multiply(alpha_t, u)))

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}
