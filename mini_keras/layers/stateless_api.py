"""Keras 3's stateless layer API: ``Layer.stateless_call`` (what JAX training loops use)."""

from __future__ import annotations

from mini_keras.core.stateless import StatelessScope
from mini_keras.core.stateless_checks import check_values


class StatelessLayerAPI:
    """Mixin for ``Layer``: run the layer as a pure function of its variables' values."""

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses: bool = False, **kwargs):
        """Call the layer with the given variable values, without touching the variables.

        Args:
            trainable_variables: values for ``self.trainable_variables``, in order.
            non_trainable_variables: values for ``self.non_trainable_variables``, in order.
            *args, **kwargs: the call's arguments (``training=True``...).
            return_losses: also return the losses (``self.losses``) of this call.

        Returns:
            ``(outputs, non_trainable_variables)`` with the updated non-trainable values
            (BatchNorm statistics, seeds), plus ``losses`` when ``return_losses``.
        """
        trainable = self.trainable_variables
        non_trainable = self.non_trainable_variables
        mapping = list(zip(trainable, check_values(self, "trainable_variables",
                                                   trainable_variables, trainable)))
        mapping += zip(non_trainable, check_values(self, "non_trainable_variables",
                                                   non_trainable_variables, non_trainable))
        with StatelessScope(mapping) as scope:
            outputs = self(*args, **kwargs)
            losses = list(self.losses) if return_losses else None
        new_non_trainable = [scope.value_of(v) for v in non_trainable]
        if return_losses:
            return outputs, new_non_trainable, losses
        return outputs, new_non_trainable
