"""Keras 3's ``Optimizer.stateless_apply``: one update as a pure function of the state."""

from __future__ import annotations

from mini_keras.core.stateless import StatelessScope
from mini_keras.core.stateless_checks import check_values


class StatelessOptimizerAPI:
    """Mixin for ``Optimizer``."""

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Apply ``grads`` to the values ``trainable_variables`` without touching any variable.

        Args:
            optimizer_variables: values for ``self.variables`` (iteration, learning rate, slots).
            grads: one gradient per trainable variable the optimizer was built for.
            trainable_variables: the current values of those variables.

        Returns:
            ``(new_trainable_variables, new_optimizer_variables)``.

        Raises:
            ValueError: the optimizer is not built, or a list has the wrong length.
        """
        if not self.built:
            raise ValueError(f"Optimizer '{self.name}': call `optimizer.build(trainable_variables)`"
                             " before stateless_apply() (model.compile + fit, or "
                             "`optimizer.build(model.trainable_variables)`).")
        targets = list(self._built_for)
        mapping = list(zip(self.variables, check_values(self, "optimizer_variables",
                                                        optimizer_variables, self.variables)))
        mapping += zip(targets, check_values(self, "trainable_variables",
                                             trainable_variables, targets))
        with StatelessScope(mapping) as scope:
            self.apply(grads, targets)
        return ([scope.value_of(v) for v in targets],
                [scope.value_of(v) for v in self.variables])
