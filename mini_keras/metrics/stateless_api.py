"""Keras 3's stateless metric API: update, read and reset a metric as pure functions."""

from __future__ import annotations

from mini_keras.core.stateless import StatelessScope
from mini_keras.core.stateless_checks import check_values


class StatelessMetricAPI:
    """Mixin for ``Metric``: ``stateless_update_state``, ``stateless_result``,
    ``stateless_reset_state`` (the metric's variables are never touched)."""

    def _scope(self, metric_variables):
        variables = self.variables
        return StatelessScope(zip(variables, check_values(self, "metric_variables",
                                                          metric_variables, variables)))

    def stateless_update_state(self, metric_variables, *args, **kwargs) -> list:
        """Return the state values after ``update_state(*args, **kwargs)`` from
        ``metric_variables`` (values for ``self.variables``, in order)."""
        with self._scope(metric_variables) as scope:
            self.update_state(*args, **kwargs)
        return [scope.value_of(v) for v in self.variables]

    def stateless_result(self, metric_variables):
        """Return ``result()`` computed from the state values ``metric_variables``."""
        with self._scope(metric_variables):
            return self.result()

    def stateless_reset_state(self) -> list:
        """Return the state values ``reset_state()`` would set."""
        with StatelessScope() as scope:
            self.reset_state()
        return [scope.value_of(v) for v in self.variables]
