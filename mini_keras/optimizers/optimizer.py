"""Optimizer base: state variables, gradient clipping, learning-rate schedules, one ``apply``.

Updates are written with backend ops on Variables (``assign``), so the same code runs eagerly
(numpy, torch), inside ``tf.function`` and, via StatelessScope, inside ``jax.jit``. Outside a
StatelessScope, Adam(W) and SGD hand every variable to one fused backend call instead
(``adam_update``/``sgd_update``: torch updates in place with ``_foreach`` ops), which computes
``update_step``'s formulas term by term, so both paths give the same numbers.
"""

from __future__ import annotations

import inspect

import numpy as np

from mini_keras import backends, ops
from mini_keras.common.naming import to_snake_case
from mini_keras.core import stateless
from mini_keras.core.variable import Variable, unique_name
from mini_keras.optimizers import step_options
from mini_keras.optimizers.schedules import LearningRateSchedule
from mini_keras.optimizers.stateless_api import StatelessOptimizerAPI


class Optimizer(StatelessOptimizerAPI):
    """Base class of all optimizers.

    Args:
        learning_rate: float or a schedule (callable of the iteration count).
        weight_decay: decoupled weight decay rate: before each update, ``var -= var * wd * lr``
            (Keras 3 order: clip gradients, decay every variable, then ``update_step``).
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient elementwise to ``[-clipvalue, clipvalue]``.
        global_clipnorm: clip all gradients jointly to this global norm.
        use_ema: keep an exponential moving average of the trainable variables
            (``average = m * average + (1 - m) * variable`` after each step, ``m = 0`` on the
            first); ``fit`` ends by writing the averages into the variables
            (:meth:`finalize_variable_values`).
        ema_momentum: ``m`` above, in ``[0, 1]``.
        ema_overwrite_frequency: with ``use_ema``, also write the averages into the variables
            every this many steps (``None``: only at the end of ``fit``).
        loss_scale_factor: the train step differentiates ``loss * loss_scale_factor``
            (:meth:`scale_loss`) and :meth:`apply` divides the gradients by it again.
        gradient_accumulation_steps: ``>= 2``: sum gradients over this many calls of
            :meth:`apply` and update the variables on every last one with their mean;
            ``iterations`` counts those updates.
        name: optimizer name.
    """

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unrecognized arguments {sorted(kwargs)}")
        if sum(x is not None for x in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of clipnorm, clipvalue and global_clipnorm can be set.")
        step_options.check_step_options(type(self).__name__, use_ema, ema_momentum, ema_overwrite_frequency,
                                        gradient_accumulation_steps)
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._schedule = learning_rate if callable(learning_rate) else None
        self._initial_lr = None if callable(learning_rate) else float(learning_rate)
        self.weight_decay, self.clipnorm = weight_decay, clipnorm
        self.clipvalue, self.global_clipnorm = clipvalue, global_clipnorm
        self.built = False
        self._exclude_ids: set[int] = set()
        self._exclude_names: tuple[str, ...] = ()
        self._variables: list[Variable] = []
        self._slots: dict[tuple[str, int], Variable] = {}

    def __init_subclass__(cls, **kwargs):
        """Give a subclass's ``__init__`` the full signature Keras 3 shows: its own parameters,
        then the base ones it forwards through ``**kwargs`` (for ``help``, ``inspect``, IDEs)."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None:
            init.__signature__ = merged_signature(init, Optimizer.__init__)

    # ------------------------------------------------------------------ state
    def build(self, var_list) -> None:
        """Create the iteration counter, learning rate and per-variable slots for ``var_list``."""
        backend = var_list[0].backend if var_list else backends.current_name()
        self._backend_name = backend
        self._iterations = self._add(np.array(0, dtype="int64"), "iteration", backend)
        lr = self._initial_lr if self._schedule is None else 0.0
        self._learning_rate = self._add(np.array(lr, dtype="float32"), "learning_rate", backend)
        for v in var_list if self.use_ema else ():
            self.add_variable_from_reference(v, "average")
        for v in var_list if self.gradient_accumulation_steps else ():
            self.add_variable_from_reference(v, "gradient_accumulator")
        self._var_index = {id(v): i for i, v in enumerate(var_list)}
        self._built_for = list(var_list)  # what stateless_apply updates
        self.built = True

    def _add(self, initial, name, backend):
        var = Variable(initial, trainable=False, name=name, backend=backend,
                       path=f"{self.name}/{name}", dtype=str(initial.dtype))
        self._variables.append(var)
        return var

    def add_variable_from_reference(self, reference: Variable, name: str,
                                    initial_value: float = 0.0) -> Variable:
        """Create a slot shaped like ``reference`` (e.g. Adam's ``m``), filled with ``initial_value``."""
        slot = self._add(np.full(reference.shape, initial_value, dtype=reference.dtype),
                         f"{reference.path.replace('/', '_')}_{name}", reference.backend)
        self._slots[(name, id(reference))] = slot
        return slot

    def slot(self, name: str, variable: Variable) -> Variable:
        """Return the slot ``name`` created for ``variable``."""
        return self._slots[(name, id(variable))]

    @property
    def iterations(self):
        """The number of updates so far (a Variable; with ``gradient_accumulation_steps``, a
        tensor: the calls of :meth:`apply` divided by the steps, as Keras)."""
        if self.gradient_accumulation_steps:
            return self._update_count()
        return self._iterations

    def _update_count(self):
        """The number of updates so far, as a tensor (what ``update_step`` counts steps by)."""
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations.value, self.gradient_accumulation_steps)
        return self._iterations.value

    @property
    def variables(self) -> list[Variable]:
        """All optimizer state (iteration count, learning rate, slots)."""
        return list(self._variables)

    @property
    def learning_rate(self):
        """Current learning rate (settable with a float)."""
        if self._schedule is not None:
            if not isinstance(self._schedule, LearningRateSchedule):
                return self._schedule()  # Keras calls a plain callable without arguments
            if not self.built:
                return self._schedule(0)
            with backends.backend_scope(self._backend_name):
                return self._schedule(self._update_count())
        if not self.built:
            return self._initial_lr
        return self._learning_rate.value

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        if callable(value):
            self._schedule = value
            return
        self._schedule = None
        self._initial_lr = float(value)
        if self.built:
            self._learning_rate.assign(np.array(value, dtype="float32"))

    # ------------------------------------------------------------------ updates
    def apply(self, grads, trainable_variables) -> None:
        """Apply one update step, in Keras 3's order: clip the gradients, decay the weights,
        ``update_step`` per variable, apply constraints, increment ``iterations``."""
        trainable_variables = list(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if backends.scoped_name() == self._backend_name:
            return self._apply(list(grads), trainable_variables)
        with backends.backend_scope(self._backend_name):  # the ops below run on our backend
            return self._apply(list(grads), trainable_variables)

    def _apply(self, grads, trainable_variables) -> None:
        if self.loss_scale_factor is not None:
            grads = [ops.divide(g, self.loss_scale_factor) for g in grads]
        if self.gradient_accumulation_steps:
            step_options.accumulate_and_update(self, grads, trainable_variables)
        else:
            self._update(grads, trainable_variables)
        if self.use_ema:
            step_options.update_moving_averages(self, trainable_variables)
        self._iterations.assign(ops.add(self._iterations.value, 1))

    def _update(self, grads, trainable_variables) -> None:
        """Clip, decay, ``update_step`` every variable, apply constraints."""
        grads = self._clip(grads)
        lr = ops.cast(ops.convert_to_tensor(self.learning_rate), "float32")
        self._apply_weight_decay(trainable_variables, lr)
        self._update_all(grads, trainable_variables, lr)
        for v in trainable_variables:
            if getattr(v, "constraint", None) is not None:
                v.assign(v.constraint(v.value))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` (the loss itself when that is None)."""
        if self.loss_scale_factor is None:
            return loss
        return ops.multiply(loss, ops.cast(self.loss_scale_factor, ops.dtype(loss)))

    def finalize_variable_values(self, var_list) -> None:
        """End of training: with ``use_ema``, write the moving averages into ``var_list``."""
        if self.use_ema and self.built:
            step_options.overwrite_with_averages(self, list(var_list))

    def _update_all(self, grads, trainable_variables, learning_rate) -> None:
        """Run ``update_step`` on every variable (Nadam overrides it to update shared state;
        Adam and SGD to call their backend's fused update when :meth:`_fused_hook` gives one)."""
        for g, v in zip(grads, trainable_variables):
            self.update_step(g, v, learning_rate)

    # Fused updates: one backend call updates every variable (in place where the backend can).
    # Set False on an instance to force the per-variable ``update_step`` path.
    _fused_updates = True

    def _fused_hook(self, hook_name, variables, generic_update_step):
        """The backend's fused update ``hook_name`` if it may replace ``update_step``, else None.

        A backend may provide it (an optional hook: ``adam_update``, ``sgd_update``); it is
        used outside a StatelessScope only (jax.jit steps, the numpy tape: assigns must go to
        the scope), not when a subclass overrides ``update_step`` (``generic_update_step`` is
        the method the fused update reproduces), and only for float32/float64 variables.
        """
        if not (self._fused_updates and stateless.current_scope() is None
                and not self.gradient_accumulation_steps
                and type(self).update_step is generic_update_step
                and all(v.dtype in ("float32", "float64") for v in variables)):
            return None
        return backends.optional_hook(hook_name)

    @staticmethod
    def _store_fused(variables, old_values, new_values) -> None:
        """Store what a fused update returned (nothing to do for storage updated in place)."""
        for variable, old, new in zip(variables, old_values, new_values):
            if new is not old:
                variable._direct_assign(new)

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Exclude variables from weight decay (call before the optimizer is built).

        Args:
            var_list: Variables to exclude.
            var_names: substrings; a variable whose name contains one of them is excluded
                (e.g. ``["bias"]``).
        """
        if self.built:
            raise ValueError(f"Optimizer '{self.name}': exclude_from_weight_decay() can only be "
                             "configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_names = tuple(var_names or ())

    def _use_weight_decay(self, variable) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        return not any(name in variable.name for name in self._exclude_names)

    def _apply_weight_decay(self, variables, lr) -> None:
        if not self.weight_decay:
            return
        for v in variables:
            if self._use_weight_decay(v):
                decay = ops.multiply(ops.multiply(v.value, self.weight_decay), lr)
                v.assign(ops.subtract(v.value, decay))

    def apply_gradients(self, grads_and_vars) -> None:
        """Keras' ``apply_gradients([(grad, var), ...])``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def _clip(self, grads):
        if self.clipvalue is not None:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            return [self._scale_to_norm(g, ops.sqrt(ops.sum(ops.square(g))), self.clipnorm)
                    for g in grads]
        if self.global_clipnorm is not None:
            norm = ops.sqrt(sum_tensors([ops.sum(ops.square(g)) for g in grads]))
            return [self._scale_to_norm(g, norm, self.global_clipnorm) for g in grads]
        return grads

    def _scale_to_norm(self, g, norm, max_norm):
        scale = ops.divide(max_norm, ops.maximum(norm, max_norm))
        return ops.multiply(g, scale)

    def update_step(self, gradient, variable, learning_rate) -> None:
        """Update one variable from its gradient (implemented by subclasses)."""
        raise NotImplementedError

    def get_config(self) -> dict:
        """Constructor arguments."""
        lr = self._initial_lr if self._schedule is None else self._schedule
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config):
        """Recreate from :meth:`get_config`."""
        return cls(**config)


def merged_signature(init, base_init) -> inspect.Signature:
    """``init``'s signature with the ``base_init`` parameters it forwards through ``**kwargs``
    written out: its own parameters, the base ones it does not name, ``name``, ``**kwargs``
    (Keras 3's order)."""
    own = inspect.signature(init)
    params = [p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD]
    if len(params) == len(own.parameters):  # no **kwargs: nothing is forwarded
        return own
    names = {p.name for p in params}
    extra = [p for p in inspect.signature(base_init).parameters.values()
             if p.name not in names and p.name != "self" and p.kind is not p.VAR_KEYWORD]
    tail = [p for p in params if p.name == "name"]
    params = [p for p in params if p.name != "name"]
    if params and params[-1].kind is inspect.Parameter.KEYWORD_ONLY:  # keep the order valid
        extra = [p.replace(kind=p.KEYWORD_ONLY) for p in extra]
    return own.replace(parameters=params + extra + tail
                       + [inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD)])


def sum_tensors(tensors):
    """Sum a list of tensors with backend ops."""
    total = tensors[0]
    for t in tensors[1:]:
        total = ops.add(total, t)
    return total
