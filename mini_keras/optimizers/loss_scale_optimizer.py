"""LossScaleOptimizer: dynamic loss scaling for float16 training (Keras 3's algorithm)."""

from __future__ import annotations

import numpy as np

from mini_keras import backends, ops
from mini_keras.core.stateless import StatelessScope
from mini_keras.optimizers.optimizer import Optimizer

# Base-optimizer arguments Keras 3 writes into old LossScaleOptimizer configs; accepted at
# their defaults so such files load, refused otherwise (they belong on the inner optimizer).
_INNER_ONLY_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                        "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                        "ema_overwrite_frequency": None, "loss_scale_factor": None,
                        "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """Wrap an optimizer with dynamic loss scaling, so float16 gradients do not underflow.

    The train step multiplies the loss by :attr:`dynamic_scale` before differentiating
    (:meth:`scale_loss`); :meth:`apply` divides the gradients by it again and then:

    - if any gradient is inf/NaN, skips the update (variables and the inner optimizer's state,
      its ``iterations`` included, are left untouched), halves the scale and resets the
      counter of good steps;
    - otherwise applies the inner optimizer and, after ``dynamic_growth_steps`` consecutive
      finite steps, doubles the scale.

    The decision is taken with ``where`` on tensors, not Python ``if``, so the same code runs
    eagerly and inside ``jax.jit`` / ``tf.function``.

    Args:
        inner_optimizer: the Optimizer to wrap.
        initial_scale: the starting loss scale (2**15, as Keras 3).
        dynamic_growth_steps: double the scale after this many consecutive finite steps.
        name: optimizer name.

    Example:
        >>> opt = LossScaleOptimizer(mini_keras.optimizers.Adam(1e-3))
        >>> model.compile(opt, "mse")   # compile() does this itself under "mixed_float16"
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False` (Keras 3): "
                             "set `loss_scale_factor` on the inner optimizer instead.")
        for arg, default in _INNER_ONLY_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`; set it on the "
                                 "`inner_optimizer` instead.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: {sorted(kwargs)}")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError("LossScaleOptimizer: inner_optimizer must be an Optimizer instance, "
                            f"received {inner_optimizer!r}")
        if isinstance(inner_optimizer, LossScaleOptimizer):
            raise TypeError("LossScaleOptimizer: inner_optimizer is already a "
                            "LossScaleOptimizer; wrap the plain optimizer once.")
        if not float(initial_scale) > 0:
            raise ValueError("LossScaleOptimizer: initial_scale must be a positive number, "
                             f"received {initial_scale!r}")
        if int(dynamic_growth_steps) != dynamic_growth_steps or dynamic_growth_steps < 1:
            raise ValueError("LossScaleOptimizer: dynamic_growth_steps must be a positive int, "
                             f"received {dynamic_growth_steps!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)

    # ------------------------------------------------------------------ state
    def build(self, var_list) -> None:
        """Create ``step_counter`` and ``dynamic_scale`` and build the inner optimizer."""
        var_list = list(var_list)
        backend = var_list[0].backend if var_list else backends.current_name()
        self._backend_name = backend
        # Keras 3's order of the own variables (its base class adds an unused iteration count
        # and learning rate), so .keras files exchange optimizer state with Keras 3.
        self._add(np.array(0, dtype="int64"), "iteration", backend)
        self._add(np.array(0.0, dtype="float32"), "learning_rate", backend)
        self.step_counter = self._add(np.array(0, dtype="int64"), "step_counter", backend)
        self.dynamic_scale = self._add(np.array(self.initial_scale, dtype="float32"),
                                       "dynamic_scale", backend)
        if not self.inner_optimizer.built:
            with backends.backend_scope(backend):
                self.inner_optimizer.build(var_list)
        self.built = True

    @property
    def variables(self) -> list:
        """Own state (unused iteration and learning rate, step counter, scale), then the inner
        optimizer's (Keras 3's order)."""
        return list(self._variables) + list(self.inner_optimizer.variables)

    def finalize_variable_values(self, var_list) -> None:
        """The inner optimizer's (e.g. writing its EMA into the variables)."""
        self.inner_optimizer.finalize_variable_values(var_list)

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate (settable)."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        """The inner optimizer's step count (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    # ------------------------------------------------------------------ scaling
    def scale_loss(self, loss):
        """Return ``loss * dynamic_scale`` (``initial_scale`` before the optimizer is built)."""
        scale = self.dynamic_scale.value if self.built else self.initial_scale
        return ops.multiply(loss, ops.cast(scale, ops.dtype(loss)))

    def check_finite(self, grads):
        """A scalar bool tensor: True when every gradient is free of inf and NaN."""
        finite = None
        for g in grads:
            if g is None:
                continue
            ok = ops.all(ops.isfinite(g))
            finite = ok if finite is None else ops.logical_and(finite, ok)
        return ops.convert_to_tensor(True) if finite is None else finite

    def _apply(self, grads, trainable_variables) -> None:
        """Unscale ``grads`` and apply them with the inner optimizer, or skip the step when any
        is non-finite; then update the loss scale (see the class docstring)."""
        finite = self.check_finite(grads)
        scale = self.dynamic_scale.value
        unscaled = [None if g is None else ops.divide(g, ops.cast(scale, ops.dtype(g)))
                    for g in grads]
        # Run the inner update as a pure function, then keep its results only if finite.
        with StatelessScope() as scope:
            self.inner_optimizer.apply(unscaled, trainable_variables)
        for variable, new_value in scope.assignments():
            variable.assign(ops.where(finite, new_value, variable.value))
        counter = self.step_counter.value
        grow = ops.logical_and(finite, ops.equal(counter, self.dynamic_growth_steps - 1))
        zero = ops.zeros((), dtype=self.step_counter.dtype)
        self.step_counter.assign(ops.where(finite, ops.where(grow, zero, ops.add(counter, 1)),
                                           zero))
        factor = ops.where(grow, ops.full((), 2.0, "float32"),
                           ops.where(finite, ops.full((), 1.0, "float32"),
                                     ops.full((), 0.5, "float32")))
        self.dynamic_scale.assign(ops.multiply(scale, factor))

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Forwarded to the inner optimizer."""
        self.inner_optimizer.exclude_from_weight_decay(var_list=var_list, var_names=var_names)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """``name``, the serialized ``inner_optimizer``, ``initial_scale``,
        ``dynamic_growth_steps`` (Keras 3's schema)."""
        from mini_keras.saving.serialization import serialize_keras_object
        return {"name": self.name, "inner_optimizer": serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreate from :meth:`get_config` (a Keras 3 config loads too)."""
        from mini_keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        inner = config.pop("inner_optimizer")
        if isinstance(inner, dict):
            inner = deserialize_keras_object(inner, custom_objects=custom_objects)
        return cls(inner, **config)
