"""Muon (Jordan et al., 2024; Liu et al., 2025): orthogonalized momentum for 2-D weights,
AdamW for everything else, with Keras 3's update rules and defaults."""

from __future__ import annotations

import re

from mini_keras import ops
from mini_keras.optimizers.optimizer import Optimizer


class Muon(Optimizer):
    """Momentum whose update is orthogonalized by a quintic Newton-Schulz iteration.

    A variable takes the AdamW step instead when it is not 2-D, when
    ``exclude_embeddings`` and its path contains "embedding", or when its path matches one
    of the regular expressions in ``exclude_layers``. The Muon step::

        m += g + (momentum - 1) m            # m = momentum * m + g
        u  = g + momentum * m   (nesterov)   else  m
        w -= lr * NS5(u) * sqrt(max(rows, cols)) * rms_rate

    Args:
        learning_rate: the step size.
        adam_beta_1, adam_beta_2, epsilon: the AdamW step's moments and stability constant.
        adam_weight_decay: weight decay of the variables taking the AdamW step
            (``weight_decay`` is the Muon variables').
        exclude_layers: regular expressions of variable paths that take the AdamW step.
        exclude_embeddings: embeddings take the AdamW step.
        muon_a, muon_b, muon_c: the Newton-Schulz polynomial's coefficients.
        adam_lr_ratio: the AdamW step's learning rate relative to ``learning_rate``.
        momentum: the Muon momentum.
        ns_steps: Newton-Schulz iterations.
        nesterov: Nesterov-style momentum.
        rms_rate: scales the update by ``sqrt(max(rows, cols)) * rms_rate`` (Moonlight);
            ``None`` disables it.
        **kwargs: the base optimizer arguments (clipping, ``name``...).
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999,
                 adam_weight_decay=0.004, epsilon=1e-7, weight_decay=0.004, name=None,
                 exclude_layers=None, exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750,
                 muon_c=2.0315, adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True,
                 rms_rate=0.2, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         name=name, **kwargs)
        self.adam_beta_1, self.adam_beta_2, self.epsilon = adam_beta_1, adam_beta_2, epsilon
        self.adam_weight_decay = adam_weight_decay
        self.exclude_layers = exclude_layers or []
        self.exclude_embeddings = exclude_embeddings
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio, self.momentum = adam_lr_ratio, momentum
        self.ns_steps, self.nesterov, self.rms_rate = ns_steps, nesterov, rms_rate

    def _should_use_adamw(self, variable) -> bool:
        if len(variable.shape) != 2:
            return True
        if self.exclude_embeddings and "embedding" in variable.path.lower():
            return True
        return any(re.search(pattern, variable.path) for pattern in self.exclude_layers)

    def build(self, var_list):
        super().build(var_list)
        for v in var_list:
            self.add_variable_from_reference(v, "momentum")
            if self._should_use_adamw(v):
                self.add_variable_from_reference(v, "velocity")

    def update_step(self, gradient, variable, learning_rate):
        m = self.slot("momentum", variable)
        if self._should_use_adamw(variable):
            self._adamw_step(gradient, variable, ops.multiply(learning_rate, self.adam_lr_ratio),
                             m, self.slot("velocity", variable))
        else:
            self._muon_step(gradient, variable, learning_rate, m)

    def _muon_step(self, gradient, variable, lr, m):
        m.assign(ops.add(m.value, ops.add(gradient, ops.multiply(m.value, self.momentum - 1))))
        direction = ops.add(gradient, ops.multiply(self.momentum, m.value)) if self.nesterov \
            else m.value
        update = ops.multiply(lr, self.zeropower_via_newtonschulz5(direction, self.ns_steps))
        if self.rms_rate is not None:
            rows, cols = update.shape[0], update.shape[1]
            update = ops.multiply(update, float(max(rows, cols)) ** 0.5 * self.rms_rate)
        variable.assign(ops.subtract(variable.value, update))

    def _adamw_step(self, gradient, variable, lr, m, v):
        lr = ops.cast(lr, variable.dtype)
        t = ops.cast(ops.add(self._update_count(), 1), variable.dtype)
        beta_1_power = ops.power(ops.cast(self.adam_beta_1, variable.dtype), t)
        beta_2_power = ops.power(ops.cast(self.adam_beta_2, variable.dtype), t)
        alpha = ops.divide(ops.multiply(lr, ops.sqrt(ops.subtract(1.0, beta_2_power))),
                           ops.subtract(1.0, beta_1_power))
        m.assign(ops.add(m.value, ops.multiply(ops.subtract(gradient, m.value),
                                               1 - self.adam_beta_1)))
        v.assign(ops.add(v.value, ops.multiply(ops.subtract(ops.square(gradient), v.value),
                                               1 - self.adam_beta_2)))
        variable.assign(ops.subtract(variable.value, ops.divide(
            ops.multiply(m.value, alpha), ops.add(ops.sqrt(v.value), self.epsilon))))

    def zeropower_via_newtonschulz5(self, x, steps: int):
        """Approximately orthogonalize ``x`` (``U S' V^T`` from its SVD ``U S V^T``) with
        ``steps`` quintic Newton-Schulz iterations ``X <- a X + (b A + c A A) X``,
        ``A = X X^T``, on the wide orientation of ``x``."""
        shape = tuple(x.shape)
        if len(shape) < 2:
            raise ValueError("Muon: expected the gradient or momentum to have at least 2 "
                             f"dimensions. Received: shape={shape}")
        tall = shape[-2] > shape[-1]
        if tall:
            x = ops.swapaxes(x, -1, -2)
        x = ops.divide(x, ops.add(ops.norm(x, axis=(-2, -1), keepdims=True), 1e-7))
        for _ in range(steps):
            a = ops.matmul(x, ops.swapaxes(x, -1, -2))
            b = ops.add(ops.multiply(self.muon_b, a), ops.multiply(self.muon_c, ops.matmul(a, a)))
            x = ops.add(ops.multiply(self.muon_a, x), ops.matmul(b, x))
        return ops.swapaxes(x, -1, -2) if tall else x

    def _apply_weight_decay(self, variables, lr) -> None:
        for v in variables:
            if not self._use_weight_decay(v):
                continue
            rate = self.adam_weight_decay if self._should_use_adamw(v) else self.weight_decay
            if rate is None:
                continue
            v.assign(ops.subtract(v.value, ops.multiply(ops.multiply(v.value, rate), lr)))

    def get_config(self):
        return {**super().get_config(), "adam_beta_1": self.adam_beta_1,
                "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                "exclude_layers": self.exclude_layers, "muon_a": self.muon_a,
                "muon_b": self.muon_b, "muon_c": self.muon_c,
                "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                "exclude_embeddings": self.exclude_embeddings,
                "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate}
