"""``JaxLayer`` and ``FlaxLayer``: a pure JAX function, or a Flax module, as a Keras layer
(JAX backend; Keras 3's classes and argument conventions)."""

from __future__ import annotations

import inspect

import numpy as np

from mini_keras import ops
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.core.variable import Variable
from mini_keras.layers.interop.hooks import framework_hooks
from mini_keras.layers.layer import Layer
from mini_keras.utils.rng import draw_seed

__all__ = ["FlaxLayer", "JaxLayer"]

_HOOKS = ("tree_flatten", "tree_unflatten", "rng_key")
_FLOAT_KINDS = "f"


def _arguments(fn, fn_name, allowed, required) -> list:
    names = list(inspect.signature(fn).parameters)
    for name in required:
        if name not in names:
            raise ValueError(f"Missing required argument in `{fn_name}`: `{name}`")
    for name in names:
        if name not in allowed:
            raise ValueError(f"Unsupported argument in `{fn_name}`: `{name}`, supported "
                             f"arguments are `{'`, `'.join(sorted(allowed))}`")
    return names


class JaxLayer(Layer):
    """A layer computed by a pure JAX function ``call_fn`` (Keras 3's ``JaxLayer``).

    ``call_fn`` takes, by name, any of ``params`` (the trainable pytree), ``state`` (the
    non-trainable pytree, then ``call_fn`` returns ``(outputs, new_state)``), ``rng`` (a JAX key,
    given in training), ``inputs`` (required) and ``training``. Every array leaf of ``params`` and
    ``state`` becomes a weight (float leaves in the layer's dtype policy); other leaves stay as
    configuration. ``init_fn(rng, inputs, training)`` creates ``params`` (and ``state``) at build
    time from ones of the input shape, unless they are given.

    Args:
        call_fn: the function computing the layer.
        init_fn: the function creating the initial ``params`` (or ``(params, state)``).
        params: initial trainable pytree (instead of ``init_fn``).
        state: initial non-trainable pytree.
        seed: seed of the ``rng`` keys passed to ``call_fn``.
        native_serialization_platforms: Keras' jax2tf option for the TensorFlow backend, which
            this library does not run ``JaxLayer`` on; must be None.
    """

    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None,
                 native_serialization_platforms=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self._hooks = framework_hooks(cls, self._backend_name, _HOOKS, "jax")
        if native_serialization_platforms is not None:
            raise ValueError(f"{cls}: `native_serialization_platforms` configures jax2tf on the "
                             "TensorFlow backend; on the jax backend it must be None, received "
                             f"{native_serialization_platforms!r}.")
        self.jax2tf_native_serialization_platforms = None
        self.call_fn, self.init_fn = call_fn, init_fn
        self.call_fn_arguments = _arguments(call_fn, "call_fn",
                                            {"params", "state", "rng", "inputs", "training"},
                                            {"inputs"})
        self.call_fn_has_params = "params" in self.call_fn_arguments
        self.call_fn_has_state = "state" in self.call_fn_arguments
        if (init_fn is None and params is None and state is None
                and (self.call_fn_has_params or self.call_fn_has_state)):
            raise ValueError("`init_fn`, `params` and `state` cannot all be `None` when "
                             "`call_fn` takes a `params` or a `state` argument.")
        self.init_fn_arguments = (_arguments(init_fn, "init_fn", {"rng", "inputs", "training"},
                                             {"inputs"}) if init_fn else [])
        self.seed_generator = (SeedGenerator(seed, backend=self._backend_name)
                               if "rng" in self.call_fn_arguments else None)
        self.params = self._create_variables(params, trainable=True)
        self.state = self._create_variables(state, trainable=False)
        if params is not None or state is not None:
            self.built = True

    # -- variables ------------------------------------------------------------------------
    def _create_variables(self, values, trainable):
        if values is None:
            return None
        leaves, treedef = self._hooks["tree_flatten"](values)
        return self._hooks["tree_unflatten"](treedef, [self._leaf_variable(v, trainable)
                                                       for v in leaves])

    def _leaf_variable(self, value, trainable):
        if isinstance(value, (bool, int, float)) and not isinstance(value, np.generic):
            value = np.asarray(value)
        elif not (ops.is_tensor(value) or isinstance(value, (np.ndarray, np.generic))):
            return value  # configuration, not a weight
        dtype = ops.dtype(value) if ops.is_tensor(value) else str(np.asarray(value).dtype)
        if np.dtype(dtype).kind in _FLOAT_KINDS:
            dtype = self.variable_dtype
        index = len(self._trainable_variables) + len(self._non_trainable_variables)
        variable = Variable(value, dtype=dtype, trainable=trainable, backend=self._backend_name,
                            name=f"variable_{index}", path=f"{self.name}/variable_{index}")
        (self._trainable_variables if trainable else self._non_trainable_variables).append(
            variable)
        return variable

    def _values(self, tree):
        leaves, treedef = self._hooks["tree_flatten"](tree)
        return self._hooks["tree_unflatten"](
            treedef, [v.value if isinstance(v, Variable) else v for v in leaves])

    # -- random keys (overridable as in Keras) --------------------------------------------
    def _get_init_seed(self):
        return np.array([draw_seed() % 2**31, 0], dtype="int32")

    def _get_init_rng(self):
        return self._get_init_seed()

    def _get_call_seed(self):
        return self.seed_generator.next()

    def _get_call_rng(self, training):
        return self._get_call_seed() if training else None

    def _keys(self, seeds):
        if seeds is None:
            return None
        leaves, treedef = self._hooks["tree_flatten"](seeds)
        return self._hooks["tree_unflatten"](
            treedef, [None if s is None else self._hooks["rng_key"](s) for s in leaves])

    # -- build and call -------------------------------------------------------------------
    def build(self, input_shape):
        if self.params is None and self.state is None and (self.call_fn_has_params
                                                           or self.call_fn_has_state):
            def ones(shape):
                return ops.ones(tuple(1 if d is None else d for d in shape))
            inputs = (ones(input_shape) if not isinstance(input_shape, (list, dict))
                      else _map_shapes(ones, input_shape))
            given = {"rng": lambda: self._keys(self._get_init_rng()), "inputs": lambda: inputs,
                     "training": lambda: True}
            result = self.init_fn(*[given[name]() for name in self.init_fn_arguments])
            params, state = result if self.call_fn_has_state else (result, None)
            self.params = self._create_variables(params, trainable=True)
            self.state = self._create_variables(state, trainable=False)
        self.built = True

    def call(self, inputs, training=False):
        given = {"params": lambda: self._values(self.params),
                 "state": lambda: self._values(self.state),
                 "rng": lambda: self._keys(self._get_call_rng(training)),
                 "inputs": lambda: inputs, "training": lambda: training}
        result = self.call_fn(*[given[name]() for name in self.call_fn_arguments])
        if not self.call_fn_has_state:
            return result
        outputs, new_state = result
        new_leaves, _ = self._hooks["tree_flatten"](new_state)
        old_leaves, _ = self._hooks["tree_flatten"](self.state)
        if len(new_leaves) != len(old_leaves):
            raise ValueError(f"{self.name}: the structure of the state returned by `call_fn` "
                             f"({len(new_leaves)} leaves) does not match the state at "
                             f"initialization ({len(old_leaves)} leaves).")
        for variable, value in zip(old_leaves, new_leaves):
            if isinstance(variable, Variable):
                variable.assign(value)
        return outputs

    # -- config ---------------------------------------------------------------------------
    def get_config(self):
        from mini_keras.saving.serialization import serialize_keras_object
        return {**super().get_config(), "call_fn": serialize_keras_object(self.call_fn),
                "init_fn": serialize_keras_object(self.init_fn),
                "native_serialization_platforms": None}

    @classmethod
    def from_config(cls, config):
        from mini_keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        for key in ("call_fn", "init_fn"):
            config[key] = deserialize_keras_object(config.get(key))
        return super().from_config(config)


def _map_shapes(fn, shapes):
    if isinstance(shapes, dict):
        return {k: fn(v) for k, v in shapes.items()}
    return [fn(s) for s in shapes]


class FlaxLayer(JaxLayer):
    """A Flax ``linen`` module as a Keras layer (Keras 3's ``FlaxLayer``, JAX backend).

    The module's ``params`` collection becomes the trainable weights and every other collection
    (``batch_stats``...) the non-trainable state, updated by each call. The ``dropout`` rng is
    passed in training; ``training`` is passed when the method takes it.

    Args:
        module: a ``flax.linen.Module`` instance.
        method: the module method to call (default ``__call__``), or its name.
        variables: the module's initial variables (``module.init(...)``), else created at build.
    """

    def __init__(self, module, method=None, variables=None, **kwargs):
        self.module, self.method = module, method
        takes_training = "training" in inspect.signature(method or module.__call__).parameters

        def mutable(state):
            return [name for name in (state or {})]

        def apply(params, state, rng, inputs, training=None):
            extra = {"training": training} if takes_training else {}
            return module.apply({**(params or {}), **(state or {})}, inputs, rngs=rng,
                                method=method, mutable=mutable(state), **extra)

        def init(rng, inputs, training=None):
            extra = {"training": training} if takes_training else {}
            return self._variables_to_params_and_state(
                module.init(rng, inputs, method=method, **extra))

        if takes_training:
            def call_fn(params, state, rng, inputs, training):
                return apply(params, state, rng, inputs, training)

            def init_fn(rng, inputs, training):
                return init(rng, inputs, training)
        else:
            def call_fn(params, state, rng, inputs):
                return apply(params, state, rng, inputs)

            def init_fn(rng, inputs):
                return init(rng, inputs)
        params, state = self._variables_to_params_and_state(variables)
        super().__init__(call_fn=call_fn, init_fn=init_fn, params=params, state=state, **kwargs)

    @staticmethod
    def _variables_to_params_and_state(variables):
        if variables is None:
            return None, None
        if "params" not in variables:
            return {}, dict(variables)
        params = {"params": variables["params"]}
        return params, {k: v for k, v in variables.items() if k != "params"}

    def _get_init_rng(self):
        return {"params": self._get_init_seed(), "dropout": self._get_init_seed()}

    def _get_call_rng(self, training):
        return {"dropout": self._get_call_seed()} if training else {}

    def get_config(self):
        from mini_keras.saving.serialization import serialize_keras_object
        method = self.method
        if getattr(method, "__self__", None) is self.module:
            method = method.__name__  # a method bound to the module, by name
        config = super().get_config()
        for key in ("call_fn", "init_fn"):
            config.pop(key)
        return {**config, "module": serialize_keras_object(self.module),
                "method": serialize_keras_object(method)}

    @classmethod
    def from_config(cls, config):
        from mini_keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        module = deserialize_keras_object(config["module"])
        method = config.get("method")
        method = getattr(module, method) if isinstance(method, str) else \
            deserialize_keras_object(method)
        config.update(module=module, method=method)
        return Layer.from_config.__func__(cls, config)
