"""Keras 3's step API: ``train_step(data)``, ``test_step``, ``predict_step``, ``compute_loss``,
``compute_metrics`` and ``metrics``, plus JAX's stateless ``train_step(state, data)``.

The shared loop calls the compiled function with ``(x, y, sample_weight)`` host batches; the
wrappers here pack them into the ``data`` Keras hands to the user's step. A step that takes
``(state, data)`` (Keras' JAX form) receives the state lists and returns ``(logs, state)``; the
new values are assigned back, so inside ``jax.jit`` they become the compiled function's outputs.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from mini_keras import backends, ops
from mini_keras.core.keras_tensor import flatten
from mini_keras.core.stateless import StatelessScope
from mini_keras.metrics.metric import Metric
from mini_keras.trainers.compile_metrics import CompileMetrics, flatten_logs
from mini_keras.utils.packing import pack_x_y_sample_weight, unpack_x_y_sample_weight


def _takes_state(method) -> bool:
    """True for Keras' stateless step form ``step(self, state, data)``."""
    function = getattr(method, "__func__", None)
    if function is None:  # a plain callable: no ``self`` among its parameters
        return _required_positional(method) >= 2
    return _required_positional(function) >= 3


@functools.lru_cache(maxsize=256)
def _required_positional(function) -> int:  # called every step: inspect once per function
    return len([p for p in inspect.signature(function).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                and p.default is p.empty])


@functools.lru_cache(maxsize=256)
def _has_parameter(function, name: str) -> bool:
    return name in inspect.signature(function).parameters


_UNSET = object()


def _assign_all(variables, values) -> None:
    values = list(values)
    if len(values) != len(variables):
        raise ValueError(f"A stateless step returned {len(values)} values for "
                         f"{len(variables)} variables.")
    for variable, value in zip(variables, values):
        variable.assign(value)


class StepsMixin:
    """The per-batch methods of a Model (Keras 3 signatures); mixed into ``Trainer``."""

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """Keras 3's order: the loss tracker, the compiled metrics (one ``CompileMetrics``),
        then the Metric attributes of the model (the ``loss_tracker`` pattern)."""
        out = []
        if getattr(self, "compiled", False):
            out.append(self._loss_tracker)
            if self._metric_specs:
                out.append(self._compiled_metrics_container())
        out.extend(v for k, v in vars(self).items()
                   if isinstance(v, Metric) and not k.startswith("_"))
        return out

    def _compiled_metrics_container(self) -> CompileMetrics:
        container = self.__dict__.get("_compile_metrics")
        if container is None or container._indexed is not self._metric_objects:
            container = self.__dict__["_compile_metrics"] = CompileMetrics(self._metric_objects)
        return container

    @property
    def metrics_names(self) -> list[str]:
        """Names of :attr:`metrics` (as used in the logs)."""
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self) -> list:
        """Every metric's state variables, in the order of :attr:`metrics`."""
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self) -> None:
        """Reset the loss tracker and every metric."""
        with backends.backend_scope(self._backend_name):
            for m in self.metrics:
                m.reset_state()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` of every metric in :attr:`metrics`."""
        return flatten_logs({m.name: m.result() for m in self.metrics})

    # ------------------------------------------------------------------ loss and metrics
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Total loss: weighted per-output compiled losses plus the model's ``losses``.

        Keras 3's signature; override it to change the loss (``super().compute_loss(...)``
        gives the compiled one).
        """
        total = None
        for loss_and_weight, yt, yp in zip(self._losses_per_output or [], flatten(y),
                                           flatten(y_pred)):
            if loss_and_weight is None:
                continue
            loss, weight = loss_and_weight
            value = loss(yt, yp, sample_weight)
            value = value if weight == 1.0 else ops.multiply(value, weight)
            total = value if total is None else ops.add(total, value)
        extras = self.losses
        if total is None and not extras:
            raise ValueError(f"Model '{self.name}' was compiled without a loss; pass loss= to "
                             "compile() to train or evaluate, or override compute_loss().")
        for extra in extras:
            total = extra if total is None else ops.add(total, extra)
        return total

    def _compute_loss(self, x, y, y_pred, sample_weight, training):
        """``compute_loss``, without ``training`` for an override written before Keras 3.3."""
        if _has_parameter(getattr(self.compute_loss, "__func__", self.compute_loss), "training"):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with a batch; return :meth:`get_metrics_result`."""
        if self._metric_specs:
            self._compiled_metrics_container().update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _track_loss(self, x, loss) -> None:
        first = flatten(x)[0]  # a numpy array here may hold strings, which no backend takes
        batch = first.shape[0] if isinstance(first, np.ndarray) else ops.shape(first)[0]
        self._loss_tracker.update_state(loss, sample_weight=float(batch))

    # ------------------------------------------------------------------ steps
    def train_step(self, data):
        """One optimization step on ``data`` (``x``, ``(x, y)`` or ``(x, y, sample_weight)``);
        returns the logs (metric results as tensors)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        trainable = self.trainable_variables
        assigned: list = []
        scale_loss = getattr(self.optimizer, "scale_loss", None)

        def loss_fn(values):
            with StatelessScope(zip(trainable, values)) as scope:
                y_pred = self(x, training=True)
                loss = self._compute_loss(x, y, y_pred, sample_weight, training=True)
            assigned[:] = [v for v, _ in scope.assignments()]
            # Mixed precision: differentiate the scaled loss; the LossScaleOptimizer unscales.
            scaled = scale_loss(loss) if scale_loss is not None else loss
            return scaled, (loss, y_pred, [val for _, val in scope.assignments()])

        (_, (loss, y_pred, new_values)), grads = ops.value_and_grad(loss_fn, has_aux=True)(
            [v.value for v in trainable])
        for variable, value in zip(assigned, new_values):
            variable.assign(value)
        self.optimizer.apply(grads, trainable)
        self._track_loss(x, loss)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """Compute the loss and update the metrics on ``data`` in inference mode."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x, y, y_pred, sample_weight, training=False)
        self._track_loss(x, loss)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """Forward pass in inference mode on the ``x`` of ``data``."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ------------------------------------------------------------------ what the loop compiles
    def _run_train_step(self, x, y=None, sample_weight=None):
        data = pack_x_y_sample_weight(x, y, sample_weight)
        if not _takes_state(self.train_step):
            return flatten_logs(self.train_step(data))
        groups = [self.trainable_variables, self.non_trainable_variables,
                  self.optimizer.variables, self.metrics_variables]
        logs, state = self.train_step(tuple([v.value for v in g] for g in groups), data)
        for variables, values in zip(groups, state):
            _assign_all(variables, values)
        return flatten_logs(logs)

    def _run_test_step(self, x, y=None, sample_weight=None):
        data = pack_x_y_sample_weight(x, y, sample_weight)
        if not _takes_state(self.test_step):
            return flatten_logs(self.test_step(data))
        groups = [self.trainable_variables, self.non_trainable_variables,
                  self.metrics_variables]
        logs, state = self.test_step(tuple([v.value for v in g] for g in groups), data)
        for variables, values in zip(groups, state):
            _assign_all(variables, values)
        return flatten_logs(logs)

    def _run_predict_step(self, x):
        data = pack_x_y_sample_weight(x)
        if not _takes_state(self.predict_step):
            return self.predict_step(data)
        state = ([v.value for v in self.trainable_variables],
                 [v.value for v in self.non_trainable_variables])
        outputs, non_trainable = self.predict_step(state, data)
        _assign_all(self.non_trainable_variables, non_trainable)
        return outputs

    def _logs_or_metrics(self, logs) -> dict:
        """Keras 3's epoch logs: the metric results when the step's logs name exactly the
        metrics, else the last step's own logs (a custom step returning other keys)."""
        results = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) != set(results):
            return dict(logs)
        return results

    def _without_graph(self, step, kind: str):
        """Where the backend records a graph eagerly (torch), run steps that do not differentiate
        through the variables themselves without one: test/predict, and the default train step
        (its ``value_and_grad`` enables gradients on its own leaves). A user ``train_step``
        keeps the graph, for its ``loss.backward()``."""
        if kind == "train" and type(self).train_step is not StepsMixin.train_step:
            return step
        hook = self.__dict__.get("_no_grad_hook", _UNSET)  # per model: its backend is fixed
        if hook is _UNSET:
            with backends.backend_scope(self._backend_name):
                hook = self.__dict__["_no_grad_hook"] = backends.optional_hook("no_grad_step")
        return step if hook is None else hook(step)

    def make_train_function(self):
        """Return (and cache) the compiled train step."""
        return self._cached_function("train", self._without_graph(self._run_train_step, "train"))

    def make_test_function(self):
        """Return (and cache) the compiled test step."""
        return self._cached_function("test", self._without_graph(self._run_test_step, "test"))

    def make_predict_function(self):
        """Return (and cache) the compiled predict step."""
        return self._cached_function("predict",
                                     self._without_graph(self._run_predict_step, "predict"))
