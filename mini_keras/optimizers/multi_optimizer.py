"""MultiOptimizer and OptimizerMap: different optimizers for different variables (Keras 3)."""

from __future__ import annotations

import re
from collections.abc import MutableMapping

from mini_keras import ops
from mini_keras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from mini_keras.optimizers.optimizer import Optimizer
from mini_keras.saving.serialization import deserialize_keras_object, serialize_keras_object


class OptimizerMap(MutableMapping):
    """Variable path (exact, else a regular expression matched with ``re.fullmatch``) ->
    optimizer, with a default for unmatched variables.

    Args:
        default_optimizer: the Optimizer of variables no key matches.
        optimizer_map: an initial ``{path or pattern: Optimizer}``.

    Example:
        >>> opt = OptimizerMap(default_optimizer=SGD())
        >>> opt["encoder/.*"] = Adam()
        >>> model.compile(optimizer=MultiOptimizer(opt), loss="mse")
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("OptimizerMap: default_optimizer must be an Optimizer instance. "
                            f"Received: {default_optimizer!r}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"OptimizerMap: optimizer_map must be a dict. Received: "
                            f"{optimizer_map!r}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self):
        """The optimizer of variables that no key matches."""
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(f"OptimizerMap: multiple optimizers assigned to variable {key!r} "
                             f"(patterns {matches}).")
        return self._optimizer_map[matches[0]] if matches else self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"OptimizerMap: {key!r} already maps to "
                             f"{self._optimizer_map[key]!r}; keys must not repeat.")
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: key must be a string. Received: {key!r}")  # noqa: TRY004 (Keras 3 raises ValueError)
        _check_inner(optimizer, f"OptimizerMap[{key!r}]")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        """The optimizer of ``variable`` (looked up by its path)."""
        return self[variable.path]

    def get_config(self):
        """``default_optimizer`` and ``optimizer_map``, serialized."""
        return {"default_optimizer": serialize_keras_object(self._default_optimizer),
                "optimizer_map": serialize_keras_object(self._optimizer_map)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreate from :meth:`get_config`."""
        default = deserialize_keras_object(config["default_optimizer"], custom_objects)
        mapping = {k: deserialize_keras_object(v, custom_objects)
                   for k, v in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


def _check_inner(optimizer, where):
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"{where}: expected an Optimizer instance, received {optimizer!r}.")  # noqa: TRY004 (Keras 3 raises ValueError)
    if isinstance(optimizer, (LossScaleOptimizer, MultiOptimizer)):
        raise ValueError(f"{where}: a {type(optimizer).__name__} cannot be used inside a "  # noqa: TRY004 (Keras 3 raises ValueError)
                         "MultiOptimizer.")


class MultiOptimizer(Optimizer):
    """Delegate each variable to its own optimizer.

    Args:
        optimizer_map: an :class:`OptimizerMap`, or a callable ``variable -> Optimizer``.
        loss_scale_factor: overrides the sub-optimizers' ``loss_scale_factor``.
        name: optimizer name.

    ``learning_rate`` is not defined on a MultiOptimizer (each sub-optimizer has its own);
    ``optimizers`` lists the sub-optimizers, ``variables`` holds its own iteration counter and
    learning rate, then every sub-optimizer's variables.
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor,
                         name=name)
        if not callable(optimizer_map):
            raise TypeError("MultiOptimizer: optimizer_map must be an OptimizerMap or a "
                            f"callable variable -> Optimizer. Received: {optimizer_map!r}")
        self._optimizer_map = optimizer_map
        self._inner_optimizers: list[Optimizer] = []
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        candidates.append(getattr(optimizer_map, "default_optimizer", None))
        for opt in candidates:
            if opt is not None and not any(opt is o for o in self._inner_optimizers):
                self._adopt(opt)

    def _adopt(self, opt):
        opt.loss_scale_factor = self.loss_scale_factor
        self._inner_optimizers.append(opt)

    def build(self, var_list):
        var_list = list(var_list)
        self._owner: dict[int, int] = {}
        for var in var_list:
            opt = self._optimizer_map(var)
            _check_inner(opt, f"MultiOptimizer (variable {var.path!r})")
            if not any(opt is o for o in self._inner_optimizers):
                self._adopt(opt)
            self._owner[id(var)] = next(i for i, o in enumerate(self._inner_optimizers)
                                        if o is opt)
        for i, opt in enumerate(self._inner_optimizers):
            mine = [v for v in var_list if self._owner[id(v)] == i]
            if mine and not opt.built:
                opt.build(mine)
        super().build(var_list)

    @property
    def optimizers(self) -> list[Optimizer]:
        """The sub-optimizers, in order of first use."""
        return list(self._inner_optimizers)

    @property
    def variables(self):
        """Own iteration counter and learning rate, then the sub-optimizers' variables."""
        out = list(self._variables)
        for opt in self._inner_optimizers:
            out.extend(opt.variables)
        return out

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the "
                             "learning rate on the individual sub-optimizers instead "
                             "(`optimizer.optimizers`).")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the "
                             "learning rate on the individual sub-optimizers instead.")

    @property
    def loss_scale_factor(self):
        """Scale of the loss (``None``: unscaled), shared with every sub-optimizer."""
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for opt in getattr(self, "_inner_optimizers", ()):
            opt.loss_scale_factor = value

    def apply(self, grads, trainable_variables=None) -> None:
        """Hand each sub-optimizer the gradients of its own variables, then count one step."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError("MultiOptimizer: when passing `grads` without variables, call "
                                 "`optimizer.build(trainable_variables)` first.")
            trainable_variables = self._built_for
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(f"MultiOptimizer: received {len(grads)} gradients for "
                             f"{len(trainable_variables)} variables; they must match one-to-one.")
        for i, opt in enumerate(self._inner_optimizers):
            pairs = [(g, v) for g, v in zip(grads, trainable_variables)
                     if self._owner[id(v)] == i]
            if pairs:
                opt.apply([g for g, _ in pairs], [v for _, v in pairs])
        self._iterations.assign(ops.add(self._iterations.value, 1))

    def finalize_variable_values(self, var_list) -> None:
        """Let each sub-optimizer finalize its own variables (e.g. write its EMA into them)."""
        var_list = list(var_list)
        for i, opt in enumerate(self._inner_optimizers):
            mine = [v for v in var_list if self._owner.get(id(v)) == i]
            if mine:
                opt.finalize_variable_values(mine)

    def get_config(self):
        return {"optimizer_map": serialize_keras_object(self._optimizer_map),
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["optimizer_map"] = deserialize_keras_object(config["optimizer_map"],
                                                           custom_objects)
        return cls(**config)
