"""The one training loop shared by every backend: compile, fit, evaluate, predict.

A backend contributes exactly two things, both from the contract: ``value_and_grad`` (how to get
gradients) and ``compile`` (how to compile a step: jax.jit, tf.function, or nothing). The step
itself is written once, statefully, with Variables; StatelessScope substitutes differentiable
leaves for the trainable variables so every backend differentiates the same Python code.
"""

from __future__ import annotations

import warnings

import numpy as np

from mini_keras import backends, config_flags, ops, optimizers
from mini_keras import losses as losses_mod
from mini_keras import metrics as metrics_mod
from mini_keras.callbacks import CallbackList
from mini_keras.common.tracebacks import filter_traceback
from mini_keras.core.keras_tensor import flatten, map_structure
from mini_keras.core.stateless import StatelessScope
from mini_keras.distribution import api as distribution_api
from mini_keras.trainers import data as data_mod
from mini_keras.trainers import fit_data, value_checks
from mini_keras.trainers.executions import check_steps_per_execution, executions
from mini_keras.trainers.steps import StepsMixin
from mini_keras.utils.packing import unpack_x_y_sample_weight
from mini_keras.utils.progbar import Progbar, format_logs


class Trainer(StepsMixin):
    """Mixin giving a Model ``compile``/``fit``/``evaluate``/``predict`` (Keras 3 signatures)."""

    def _init_trainer(self):
        self.compiled = False
        self.optimizer = None
        self.history = None
        self.stop_training = False
        self._train_fn = self._test_fn = self._predict_fn = None
        self._metrics_built = False
        self.run_eagerly = False
        self.jit_compile = "auto"
        self.steps_per_execution = 1

    # ------------------------------------------------------------------ compile
    @filter_traceback
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configure the model for training.

        Args:
            optimizer: name ("adam", "sgd", "rmsprop") or Optimizer instance.
            loss: name, Loss, callable; a list/dict for several outputs.
            loss_weights: list/dict of per-output loss weights.
            metrics: list of names ("accuracy", "mae", ...), Metric instances or functions.
            run_eagerly: skip compilation (debugging).
            jit_compile: "auto" (compile with jax.jit / tf.function), True (also XLA on TF,
                torch.compile on torch) or False (eager).
            steps_per_execution: number of batches run per execution; batch-level callbacks
                are called once per execution (a positive int).
            auto_scale_loss: when the model's dtype policy is "mixed_float16", wrap the
                optimizer in a ``LossScaleOptimizer`` (dynamic loss scaling), as Keras 3.
        """
        check_steps_per_execution(steps_per_execution)
        with backends.backend_scope(self._backend_name):
            self.optimizer = optimizers.get(optimizer)
            if (auto_scale_loss and self.dtype_policy.name == "mixed_float16"
                    and not isinstance(self.optimizer, optimizers.LossScaleOptimizer)):
                self.optimizer = optimizers.LossScaleOptimizer(self.optimizer,
                                                               name="loss_scale_optimizer")
            self._loss_spec, self._loss_weights = loss, loss_weights
            for spec in flatten(loss):  # fail at compile time on an unknown name
                if spec is not None:
                    losses_mod.get(spec)
            self._metric_specs = list(metrics or []) + list(weighted_metrics or [])
            self._losses_per_output = None
            self._metric_objects: list = []
            self._metrics_built = False
            self._loss_tracker = metrics_mod.Mean(name="loss")
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile
        self.steps_per_execution = steps_per_execution
        self._train_fn = self._test_fn = self._predict_fn = None
        self.compiled = True

    def _assert_compiled(self, method: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"You must call compile() on model '{self.name}' before {method}().")

    def _build_for_data(self, x, y) -> None:
        """Build weights, per-output losses, metrics and optimizer state from a sample batch."""
        if (self._losses_per_output is not None and (self._metrics_built or y is None)
                and self.optimizer.built):
            return  # already built by an earlier fit/evaluate: no eager forward pass again
        sample_x = data_mod.take(x, slice(0, 2))
        map_structure(self._host_text, sample_x)  # text only for a model with text layers
        with backends.backend_scope(self._backend_name), StatelessScope():
            y_pred = self(sample_x, training=False)
            pred_shapes = [tuple(ops.shape(p)) for p in flatten(y_pred)]
        if self._losses_per_output is None:
            self._losses_per_output = self._resolve_losses(len(pred_shapes))
        if not self._metrics_built and y is not None:
            true_shapes = [a.shape for a in flatten(y)]
            self._metric_objects = self._resolve_metrics(true_shapes, pred_shapes)
            self._metrics_built = True
        if not self.optimizer.built:
            with backends.backend_scope(self._backend_name):
                self.optimizer.build(self.trainable_variables)

    def _resolve_losses(self, n_outputs: int) -> list:
        spec, weights = self._loss_spec, self._loss_weights
        if spec is None:
            return [None] * n_outputs
        names = self._output_names()
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError(f"compile(loss=...): unknown output names {sorted(unknown)}; "
                                 f"the model's outputs are {names}")
            spec = [spec.get(n) for n in names]
        elif not isinstance(spec, (list, tuple)):
            spec = [spec] * n_outputs
        if len(spec) != n_outputs:
            raise ValueError(f"compile(loss=...): received {len(spec)} losses for a model with "
                             f"{n_outputs} outputs {names}")
        if isinstance(weights, dict):
            weights = [weights.get(n, 1.0) for n in names]
        weights = list(weights) if weights is not None else [1.0] * n_outputs
        with backends.backend_scope(self._backend_name):
            return [(losses_mod.get(s), float(w)) if s is not None else None
                    for s, w in zip(spec, weights)]

    def _output_names(self) -> list[str]:
        outputs = getattr(self, "outputs", None)
        if outputs:
            return [t.node.layer.name if t.node is not None else t.name for t in outputs]
        return ["output"]

    def _resolve_metrics(self, true_shapes, pred_shapes) -> list:
        names = self._output_names() if len(pred_shapes) > 1 else [None]
        objects = []
        with backends.backend_scope(self._backend_name):
            for i, (ts, ps) in enumerate(zip(true_shapes, pred_shapes)):
                loss = self._losses_per_output[i][0] if self._losses_per_output[i] else None
                for spec in self._metric_specs:
                    m = metrics_mod.get(spec, loss=loss, y_true_shape=ts, y_pred_shape=ps)
                    if names[i] is not None:
                        m.name = f"{names[i]}_{m.name}"
                    objects.append((i, m))
        return objects

    # ------------------------------------------------------------------ compiled functions
    def _state_variables(self) -> list:
        state = self.variables + self.optimizer.variables if self.optimizer else self.variables
        for m in self.metrics:
            state = state + m.variables
        seen, out = set(), []
        for v in state:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def _compile_fn(self, fn, kind):
        jit = True if self.jit_compile is True else None
        dist = distribution_api.distribution()
        if dist is not None:  # the framework's own data-parallel engine runs the step
            lib = distribution_api.backend_lib(self._backend_name)
            return lib.compile(fn, self._state_variables(), dist, jit_compile=jit, kind=kind)
        if (self.run_eagerly or self.jit_compile is False or value_checks.value_checks_enabled()
                or data_mod.has_host_layers(self)):
            return fn  # host (string) preprocessing layers cannot run inside a jit
        return backends.get(self._backend_name).compile(fn, self._state_variables(),
                                                        jit_compile=jit)

    def _cached_function(self, kind, step):
        # Recompile when the active distribution (or the value-check switch) changed since.
        key = f"_{kind}_fn"
        dist = (distribution_api.distribution(), value_checks.value_checks_enabled())
        if getattr(self, key) is None or self.__dict__.get(f"{key}_distribution") != dist:
            setattr(self, key, self._compile_fn(step, kind))
            self.__dict__[f"{key}_distribution"] = dist
        return getattr(self, key)

    def _to_backend(self, structure, distribute=True):
        """One host batch -> backend tensors (split over the devices under a distribution)."""
        dist = distribution_api.distribution() if distribute else None
        if dist is not None:
            return distribution_api.backend_lib(self._backend_name).distribute_data(structure,
                                                                                    dist)
        b = backends.get(self._backend_name)
        return map_structure(lambda a: a if a is None or self._host_text(a)
                             else b.convert_step_input(a), structure)

    def _host_text(self, array) -> bool:
        """Whether ``array`` is text that the model's host (text/lookup) layers take; text for a
        model without such layers is refused here, before any backend sees it."""
        if not data_mod.is_string_array(array):
            return False
        if not data_mod.has_host_layers(self):
            raise TypeError(f"Model '{self.name}': expected a numeric array, received dtype "
                            f"{array.dtype} (strings). Only a model with text or lookup "
                            "preprocessing layers (TextVectorization, StringLookup...) takes "
                            "strings; encode them first or add such a layer.")
        return True

    def _check_distribution(self, data, method: str):
        """Under a distribution: every batch must split evenly; a LayoutMap must be used."""
        dist = distribution_api.distribution()
        if dist is None:
            return
        if data.num_samples is not None:  # a source that makes its own batches: checked per step
            dist.check_batch(data.batch_size, data.num_samples, method)
        layout_map = getattr(dist, "layout_map", None)
        if layout_map is not None:
            layout_map.check_all_used([v.path for v in self.variables])

    # ------------------------------------------------------------------ fit / evaluate / predict
    @filter_traceback
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` epochs; returns a History whose ``.history`` maps names to lists.

        Args mirror Keras 3. ``x``: arrays (numpy, lists, pandas, tensors; lists/dicts for
        several inputs) with ``y``/``sample_weight``, or a generator, ``PyDataset``,
        ``tf.data.Dataset`` or ``DataLoader`` (then no ``y``/``sample_weight``/``batch_size``;
        ``shuffle`` is ignored). See ``trainers/fit_data.py`` for every argument's rules.
        """
        self._assert_compiled("fit")
        value_checks.check_epochs(epochs, initial_epoch, verbose)
        train, validation = fit_data.fit_iterators(
            x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps_per_epoch,
            shuffle=shuffle, class_weight=class_weight, validation_split=validation_split,
            validation_data=validation_data, validation_steps=validation_steps,
            validation_batch_size=validation_batch_size, validation_freq=validation_freq)
        try:
            return self._fit_loop(train, validation, epochs, verbose, callbacks, initial_epoch,
                                  validation_freq)
        finally:
            train.close()
            if validation is not None:
                validation.close()

    def _fit_loop(self, train, validation, epochs, verbose, callbacks, initial_epoch,
                  validation_freq):
        value_checks.check_fit_data(self, train.adapter, validation and validation.adapter)
        self._build_for_data(*unpack_x_y_sample_weight(train.first_batch())[:2])
        self._check_distribution(train.adapter, "fit()")
        train_fn = self.make_train_function()
        epochs = _capped_epochs(epochs)
        verbose = 1 if verbose == "auto" else verbose
        cbs = CallbackList(callbacks, model=self, add_history=True, add_progbar=bool(verbose),
                           params={"epochs": epochs, "steps": train.num_batches,
                                   "verbose": verbose})
        self.stop_training = False
        cbs.on_train_begin()
        # A callback (BackupAndRestore) may resume from a later epoch.
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        epoch_logs: dict = {}
        logs = None
        with backends.backend_scope(self._backend_name):
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                with train.annotate_errors(epoch):
                    for begin, end, batches in executions(train, self.steps_per_execution):
                        cbs.on_train_batch_begin(begin)
                        for data in batches:
                            logs = train_fn(*self._to_backend(data))
                        if cbs.needs_batch_logs:
                            cbs.on_train_batch_end(end, _to_floats(logs))
                        if self.stop_training:
                            break
                if train.exhausted:
                    break
                epoch_logs = self._metric_results(logs)
                if validation is not None and fit_data.should_validate(epoch, validation_freq):
                    val = self.evaluate(verbose=0, callbacks=cbs, return_dict=True,
                                        _from_fit=True, _iterator=validation)
                    epoch_logs.update({f"val_{k}": v for k, v in val.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        if self.optimizer is not None:
            with backends.backend_scope(self._backend_name):
                self.optimizer.finalize_variable_values(self.trainable_variables)
        cbs.on_train_end(epoch_logs)
        return cbs.history

    def _metric_results(self, logs=None) -> dict:
        """Epoch-level results; under a distribution, over every replica's data (per-batch logs
        stay this replica's own: a collective there would deadlock when only rank 0 logs)."""
        with backends.backend_scope(self._backend_name):
            if distribution_api.distribution() is None:
                return _to_floats(self._logs_or_metrics(logs))
            lib = distribution_api.backend_lib(self._backend_name)
            with lib.metric_scope(self.metrics_variables):
                return _to_floats(self.get_metrics_result())


    @filter_traceback
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        """Return the loss and metrics on the data (a list, or a dict with ``return_dict``).

        ``x`` takes every source ``fit`` takes; ``steps`` limits the number of batches (needed
        for an infinite source).
        """
        self._assert_compiled("evaluate")
        from_fit, data = fit_data.evaluate_kwargs(kwargs)
        data = data or fit_data.eval_iterator(x, y, sample_weight, batch_size, steps)
        if not from_fit:
            value_checks.check_fit_data(self, data.adapter, method="evaluate")
        try:
            return self._evaluate_loop(data, verbose, callbacks, return_dict, from_fit)
        finally:
            if not from_fit:
                data.close()

    def _evaluate_loop(self, data, verbose, callbacks, return_dict, from_fit):
        if not from_fit:
            self._build_for_data(*unpack_x_y_sample_weight(data.first_batch())[:2])
            self._check_distribution(data.adapter, "evaluate()")
        test_fn = self.make_test_function()
        cbs = callbacks if isinstance(callbacks, CallbackList) else CallbackList(
            callbacks, model=self, params={"steps": data.num_batches})  # fit's own, or new
        cbs.on_test_begin()
        logs = None
        with backends.backend_scope(self._backend_name):
            self.reset_metrics()
            with data.annotate_errors():
                for begin, end, batches in executions(data, self.steps_per_execution):
                    cbs.on_test_batch_begin(begin)
                    for batch in batches:
                        logs = test_fn(*self._to_backend(batch))
                    if cbs.needs_batch_logs:
                        cbs.on_test_batch_end(end, _to_floats(logs))
        results = self._metric_results(logs)
        cbs.on_test_end(results)
        if verbose and verbose != "auto" or (verbose == "auto" and not from_fit):
            config_flags.print_msg(format_logs(results))
        return _format_results(results, return_dict)

    @filter_traceback
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Return the model's outputs on ``x`` as numpy arrays, computed batch by batch.

        ``x`` takes every source ``fit`` takes (a source's targets are ignored); ``steps``
        limits the number of batches; ``callbacks`` get ``on_predict_*`` calls, the batch hook
        with ``{"outputs": ...}``; ``verbose`` 1 shows a progress bar.
        """
        b = backends.get(self._backend_name)
        dist = distribution_api.distribution()
        if isinstance(x, (np.ndarray, list, tuple, dict)):
            value_checks.check_inputs(self, x, "predict(x)")
        if dist is None and self.built and fit_data.one_small_batch(x, batch_size, steps,
                                                                    callbacks, verbose):
            with backends.backend_scope(self._backend_name):  # fast path: one step, no batching
                out = self.make_predict_function()(b.convert_step_input(x))
                return map_structure(b.convert_to_numpy, out)
        data = fit_data.predict_iterator(x, batch_size, steps)
        try:
            return self._predict_loop(data, b, dist, verbose, callbacks)
        finally:
            data.close()

    def _predict_loop(self, data, b, dist, verbose, callbacks):
        replicas = dist.num_replicas if dist is not None else 1
        outputs = []
        cbs = CallbackList(callbacks, model=self, params={"steps": data.num_batches,
                                                          "verbose": verbose})
        bar = Progbar(data.num_batches) if verbose not in (0, "auto") else None
        with backends.backend_scope(self._backend_name):
            if not self.built:  # build the weights with a small eager call
                sample = data_mod.take(data.first_batch()[0], slice(0, 1))
                with StatelessScope():
                    self(self._to_backend(sample, distribute=False), training=False)
            predict_fn = self.make_predict_function()
            cbs.on_predict_begin()
            with data.annotate_errors():
                for begin, end, batches in executions(data, self.steps_per_execution):
                    cbs.on_predict_batch_begin(begin)
                    for batch in batches:
                        xb, n = fit_data.pad_to_replicas(batch[0], replicas)
                        out = map_structure(b.convert_to_numpy, predict_fn(self._to_backend(xb)))
                        out = data_mod.take(out, slice(0, n)) if len(flatten(xb)[0]) != n else out
                        outputs.append(out)
                    cbs.on_predict_batch_end(end, {"outputs": fit_data.concatenate_outputs(
                        outputs[-len(batches):])})
                    if bar is not None:
                        bar.update(min(end + 1, data.num_batches or end + 1))
            cbs.on_predict_end()
        if bar is not None:
            bar.update(len(outputs), finalize=True)
        if not outputs:
            raise ValueError(f"predict(x): {data.adapter.kind} gave no batch.")
        return fit_data.concatenate_outputs(outputs)

    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """Run one train step on exactly this batch; return loss (and metrics).

        ``class_weight`` (``{class: weight}`` or a list) becomes the batch's sample weights.
        """
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError("train_on_batch(): `sample_weight` and `class_weight` cannot be "
                                 "specified at the same time.")
            x, y, sample_weight = fit_data.class_weighted(x, y, class_weight, "train_on_batch")
        return self._on_batch("train_on_batch", self.make_train_function, x, y, sample_weight,
                              return_dict)

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Evaluate on exactly this batch; return loss (and metrics)."""
        return self._on_batch("test_on_batch", self.make_test_function, x, y, sample_weight,
                              return_dict)

    def _on_batch(self, method, make_function, x, y, sample_weight, return_dict):
        self._assert_compiled(method)
        x, y, sample_weight = fit_data.batch_arrays(x, y, sample_weight, method)
        self._build_for_data(x, y)
        self._check_distribution(fit_data.whole_batch(x, y, sample_weight), f"{method}()")
        with backends.backend_scope(self._backend_name):
            self.reset_metrics()
            logs = make_function()(*self._to_backend((x, y, sample_weight)))
        return _format_results(self._metric_results(logs), return_dict)

    @filter_traceback
    def predict_on_batch(self, x):
        """Return the model's outputs on exactly this batch, as numpy."""
        x = fit_data.batch_arrays(x, None, None, "predict_on_batch")[0]
        return self.predict(x, batch_size=data_mod.num_samples(x), verbose=0)


def _capped_epochs(epochs: int) -> int:
    """``epochs``, capped by ``keras.config.set_max_epochs`` (with Keras 3's warning)."""
    cap = config_flags.max_epochs()
    if cap and cap < epochs:
        warnings.warn(f"Limiting epochs to {cap}", stacklevel=3)
        return cap
    return epochs


def _format_results(results: dict, return_dict: bool):
    """Keras' evaluate-style return: the dict, or a scalar loss / list of values."""
    if return_dict:
        return results
    values = list(results.values())
    return values[0] if len(values) == 1 else values


def _to_floats(logs: dict) -> dict:
    """Logs as Python floats (array-valued metrics, e.g. per-class F1, stay numpy arrays)."""
    out = {}
    for k, v in logs.items():
        value = np.asarray(ops.convert_to_numpy(v))
        out[k] = float(value) if value.size == 1 else value
    return out
