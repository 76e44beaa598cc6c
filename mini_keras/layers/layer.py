"""Layer: the base class of every layer and model (weights, lazy build, calls, config)."""

from __future__ import annotations

import contextvars
import functools
import inspect
import math

import numpy as np

from mini_keras import backends, dtype_policies, initializers, ops
from mini_keras.common import tracebacks
from mini_keras.common.naming import to_snake_case
from mini_keras.core import variable as variable_mod
from mini_keras.core.keras_tensor import KerasTensor, Node, flatten, is_symbolic, map_structure
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.core.variable import Variable, unique_name
from mini_keras.dtype_policies.dtype_policy import is_float_dtype
from mini_keras.layers.layer_dtypes import DTypePolicyMixin
from mini_keras.layers.layer_symbolic import SymbolicCallMixin, shape_of
from mini_keras.layers.stateless_api import StatelessLayerAPI
from mini_keras.layers.torch_api import TorchModuleAPI

_training_ctx: contextvars.ContextVar = contextvars.ContextVar("mini_keras_training", default=None)
_in_call: contextvars.ContextVar = contextvars.ContextVar("mini_keras_in_call", default=False)
_autocast_dtype = variable_mod._autocast_dtype  # read on every call: keep the lookup local
_CONTEXT_ARGS = frozenset(("training", "mask"))  # never cast by mixed precision


class Layer(DTypePolicyMixin, SymbolicCallMixin, StatelessLayerAPI, TorchModuleAPI):
    """Base class for layers: owns weights, builds lazily on first call, and runs ``call``.

    Subclasses implement ``build(input_shape)`` (create weights with :meth:`add_weight`) and
    ``call(inputs, ...)`` (the math, written with ``mini_keras.ops``). A layer keeps the backend
    that was current when it was created; its calls run on that backend whatever the default.

    Mixed precision (Keras 3 semantics): the layer's :class:`DTypePolicy` gives a compute
    dtype and a variable dtype. Weights are created in the variable dtype; a call casts its
    floating inputs to the compute dtype and, while it runs, reads float weights in the
    compute dtype (the cast is differentiable, so gradients come back in float32).

    Args:
        trainable: whether its weights are updated by training.
        name: unique name; defaults to the snake-cased class name.
        dtype: a policy name (``"float32"``, ``"mixed_float16"``, ``"mixed_bfloat16"``...) or
            a :class:`DTypePolicy`; default: the global policy
            (``mixed_precision.dtype_policy()``, ``config.floatx()`` unless set).
        autocast: whether to cast inputs and weights to the compute dtype (default True).
        input_shape: (Sequential convenience) shape of one sample, without the batch.
    """

    # Normalization layers set this: under float16/bfloat16 policies they take float32 inputs,
    # read their weights in float32 and cast their outputs to the compute dtype (Keras 3's
    # BatchNormalization/LayerNormalization compute their statistics in float32).
    _compute_in_float32 = False
    # Functional and Sequential models set this to False: their own inputs keep their dtype
    # (each inner layer casts for itself), as Keras 3's Functional does.
    _convert_input_args = True
    # Text/lookup preprocessing layers and models set this: numpy string arrays pass through
    # `_to_tensor` unchanged (no backend has string tensors; they are handled on the host).
    _string_inputs = False

    def __init_subclass__(cls, **kwargs):
        # Like Keras 3: calling `layer.build(shape)` directly marks the layer built and creates
        # its weights on the layer's backend, so a later call does not build a second time.
        super().__init_subclass__(**kwargs)
        original = cls.__dict__.get("build")
        if original is None or getattr(original, "_wraps_build", False):
            return

        @functools.wraps(original)
        def build(self, *args, **kw):
            with backends.backend_scope(self._backend_name):
                original(self, *args, **kw)
            self.built = True

        build._wraps_build = True
        cls.build = build

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, **kwargs):
        if kwargs.pop("input_dim", None) is not None and input_shape is None:
            input_shape = (kwargs.get("input_dim"),)
        autocast = kwargs.pop("autocast", True)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}: unrecognized keyword arguments: {sorted(kwargs)}")
        object.__setattr__(self, "_layers", [])
        self._backend_name = backends.current_name()
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        object.__setattr__(self, "_autocast", bool(autocast))
        self.dtype_policy = dtype
        self.built = False
        self.input_spec = None
        self._trainable_variables: list[Variable] = []
        self._non_trainable_variables: list[Variable] = []
        self._seed_generators: list[SeedGenerator] = []
        self._losses: list = []
        self._inbound_nodes: list[Node] = []
        self._build_shapes = None
        self._input_shape_arg = tuple(input_shape) if input_shape is not None else None
        self._call_has_training = "training" in inspect.signature(self.call).parameters
        self._call_has_mask = "mask" in inspect.signature(self.call).parameters

    # ------------------------------------------------------------------ attribute tracking
    def __setattr__(self, name, value):
        if isinstance(value, Layer) and name != "_parent":
            if value not in self._layers:
                self._layers.append(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Layer) for v in value):
            for v in value:
                if v not in self._layers:
                    self._layers.append(v)
        elif isinstance(value, SeedGenerator):
            self.__dict__.setdefault("_seed_generators", []).append(value)
        object.__setattr__(self, name, value)

    @property
    def backend(self) -> str:
        """Name of the backend this layer computes on."""
        return self._backend_name

    # ------------------------------------------------------------------ weights
    def add_weight(self, shape=None, initializer="glorot_uniform", dtype=None, trainable=True,
                   name=None, regularizer=None, constraint=None, autocast=True):
        """Create a weight Variable owned by this layer.

        Args:
            shape: tuple of ints.
            initializer: name, Initializer or callable ``(shape, dtype)``.
            dtype: defaults to the layer's variable dtype.
            trainable: trainable or non-trainable weight.
            name: short name, e.g. "kernel".
            regularizer: callable ``weight -> scalar`` added to the model loss.
            constraint: callable ``weight -> weight`` applied after each optimizer update.
            autocast: whether the layer's call reads the weight in its compute dtype (mixed
                precision); False keeps it in its own dtype.
        """
        shape = tuple(int(d) for d in (shape or ()))
        init = initializers.get(initializer)
        name = name or f"variable_{len(self.weights)}"
        var = Variable(init, shape=shape, dtype=dtype or self.variable_dtype,
                       trainable=trainable, name=name, backend=self._backend_name,
                       path=f"{self.name}/{name}", autocast=autocast)
        var.regularizer = regularizer
        var.constraint = constraint
        (self._trainable_variables if trainable else self._non_trainable_variables).append(var)
        return var

    @property
    def weights(self) -> list[Variable]:
        """All weights: own trainable, own non-trainable, then each sub-layer's (Keras 3 order)."""
        out, seen = [], set()
        for v in self._trainable_variables + self._non_trainable_variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        for layer in self._layers:
            for v in layer.weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self) -> list[Variable]:
        """Weights updated by training (empty when the layer is frozen)."""
        if not self.trainable:
            return []
        out = list(self._trainable_variables)
        for layer in self._layers:
            out.extend(v for v in layer.trainable_weights if v not in out)
        return out

    @property
    def non_trainable_weights(self) -> list[Variable]:
        """Weights not updated by gradients (moving statistics, frozen weights)."""
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v in self.weights if id(v) not in trainable]

    trainable_variables = trainable_weights
    non_trainable_variables = property(lambda self: self.non_trainable_weights +
                                       [g.state for g in self._all_seed_generators()],
                                       doc="Non-trainable weights plus random-seed states.")

    def _all_seed_generators(self) -> list[SeedGenerator]:
        gens = list(self._seed_generators)
        for layer in self._layers:
            gens.extend(g for g in layer._all_seed_generators() if g not in gens)
        return gens

    @property
    def variables(self) -> list[Variable]:
        """Weights plus seed-generator states (everything a compiled step must thread)."""
        return self.weights + [g.state for g in self._all_seed_generators()]

    @property
    def losses(self) -> list:
        """Regularization losses of this layer and its sub-layers (computed from current weights)."""
        out = list(self._losses)
        for v in self._trainable_variables + self._non_trainable_variables:
            if getattr(v, "regularizer", None) is not None:
                out.append(v.regularizer(v.value))
        for layer in self._layers:
            out.extend(layer.losses)
        return out

    def add_loss(self, loss) -> None:
        """Add a loss tensor (e.g. an activity regularization term) computed in ``call``."""
        self._losses.append(loss)

    def get_weights(self) -> list[np.ndarray]:
        """Return the weights as numpy arrays, in :attr:`weights` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from numpy arrays (same count and shapes as :attr:`weights`)."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' set_weights: expected {len(own)} arrays "
                f"({[v.path for v in own]}), received {len(weights)}.")
        for v, w in zip(own, weights):
            w = np.asarray(w)
            if tuple(w.shape) != v.shape:
                raise ValueError(
                    f"Layer '{self.name}' set_weights: weight '{v.path}' expects shape {v.shape}, "
                    f"received {tuple(w.shape)}.")
            v.assign(w)

    def count_params(self) -> int:
        """Number of scalars in all weights."""
        if not self.built:
            raise ValueError(f"Layer '{self.name}' is not built yet: call it on data or build() it "
                             "before count_params().")
        return int(sum(math.prod(v.shape) for v in self.weights))

    # ------------------------------------------------------------------ build & call
    def build(self, input_shape) -> None:
        """Create the weights for inputs of ``input_shape`` (override in subclasses)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation (override in subclasses)."""
        return inputs

    def _maybe_build(self, input_shape) -> None:
        if self.built:
            return
        with backends.backend_scope(self._backend_name):
            self.build(input_shape)
        self.built = True
        self._build_shapes = input_shape

    def __call__(self, *args, **kwargs):
        if not args:
            raise TypeError(f"Layer '{self.name}' must be called with at least one input.")
        # Hot path: one plain tensor plus flags needs no walk over the arguments.
        simple = (len(args) == 1 and not isinstance(args[0], (KerasTensor, list, tuple, dict))
                  and kwargs.keys() <= _CONTEXT_ARGS
                  and not isinstance(kwargs.get("mask"), KerasTensor))
        outermost = not _in_call.get()
        try:
            if not simple and is_symbolic((args, kwargs)):
                return self._symbolic_call(args, kwargs)
            if outermost:  # a new top-level call: forget losses added by the previous one
                self._clear_losses()
            call_token = _in_call.set(True)
            try:
                return self._call_on_backend(args, kwargs)
            finally:
                _in_call.reset(call_token)
        except Exception as error:
            if not (outermost and tracebacks.active()):
                raise
            raise tracebacks.with_filtered_traceback(error)  # the user sees their own frames

    def _clear_losses(self) -> None:
        stack = [self]
        while stack:
            layer = stack.pop()
            layer._losses.clear()
            stack.extend(layer._layers)

    def _call_on_backend(self, args, kwargs):
        if backends.scoped_name() == self._backend_name:  # already inside our backend's scope
            return self._call_in_scope(args, kwargs)
        with backends.backend_scope(self._backend_name):
            return self._call_in_scope(args, kwargs)

    def _call_in_scope(self, args, kwargs):
        inputs = map_structure(self._to_tensor, args[0])
        if self._input_cast is not None and (len(args) > 1 or kwargs.keys() - _CONTEXT_ARGS):
            args, kwargs = self._cast_extra_args(args, kwargs)
        args = (inputs,) + args[1:]
        if not self.built:
            self._maybe_build(shape_of(inputs))
        self._check_input(inputs)
        # Mixed precision: float weights read in the compute dtype while `call` runs.
        autocast = self._autocast_target
        autocast_token = (_autocast_dtype.set(autocast)
                          if _autocast_dtype.get() != autocast else None)
        try:
            outputs = self._call_with_training(args, kwargs)
        finally:
            if autocast_token is not None:
                _autocast_dtype.reset(autocast_token)
        if self._output_cast is not None:
            outputs = map_structure(self._cast_output, outputs)
        return outputs

    def _call_with_training(self, args, kwargs):
        if self._call_has_training:
            if kwargs.get("training") is None:
                kwargs["training"] = _training_ctx.get()
            token = _training_ctx.set(kwargs["training"])
            try:
                return self.call(*args, **kwargs)
            finally:
                _training_ctx.reset(token)
        kwargs.pop("training", None)
        return self.call(*args, **kwargs)

    def _cast_extra_args(self, args, kwargs):
        """Cast floating backend tensors among the other arguments to the input dtype."""
        target = self._input_cast

        def cast(x):
            if isinstance(x, Variable):
                x = x.value
            if ops.is_tensor(x) and not isinstance(x, np.ndarray):
                dtype = ops.dtype(x)
                if dtype != target and is_float_dtype(dtype):
                    return ops.cast(x, target)
            return x
        args = (args[0],) + tuple(map_structure(cast, a) for a in args[1:])
        kwargs = {k: v if k in _CONTEXT_ARGS else map_structure(cast, v)
                  for k, v in kwargs.items()}
        return args, kwargs

    def _cast_output(self, x):
        if ops.is_tensor(x) and is_float_dtype(ops.dtype(x)) and ops.dtype(x) != self._output_cast:
            return ops.cast(x, self._output_cast)
        return x

    def _to_tensor(self, x):
        target = self._input_cast
        if isinstance(x, Variable):
            x = x.value
        if not isinstance(x, np.ndarray) and ops.is_tensor(x):
            if target is not None:
                dtype = ops.dtype(x)
                if dtype != target and is_float_dtype(dtype):
                    return ops.cast(x, target)
            return x
        if x is None or isinstance(x, (bool, str)):
            return x
        array = np.asarray(x)
        kind = array.dtype.kind
        if kind not in "fiub":
            if self._string_inputs and kind in "OSU":
                return array  # strings stay on the host (preprocessing layers, models)
            raise TypeError(
                f"Layer '{self.name}': expected a numeric array, received dtype {array.dtype}.")
        target = target or self.variable_dtype
        if kind == "f" and _dtype_name(array.dtype) != target:
            if target == "bfloat16":  # numpy has no bfloat16 name: let the backend cast
                return ops.cast(ops.convert_to_tensor(array), target)
            array = array.astype(target)
        return ops.convert_to_tensor(array)

    def _check_input(self, inputs) -> None:
        if self.input_spec is None:
            return
        first = flatten(inputs)[0] if isinstance(inputs, (list, tuple, dict)) else inputs
        self.input_spec.check(self.name, tuple(shape_of(first)))

    # ------------------------------------------------------------------ masking
    supports_masking = False

    def compute_mask(self, inputs, mask=None):
        """Mask of the outputs (Keras semantics): passed through when ``supports_masking``.

        Sequential and functional models carry masks from layer to layer with this method and
        pass them as ``mask=`` to the next layer whose ``call`` accepts it.
        """
        return mask if self.supports_masking else None

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        """Constructor arguments needed to recreate the layer (without weights)."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policies.serialize(self.dtype_policy)}
        if self._input_shape_arg is not None:
            config["batch_input_shape"] = (None,) + self._input_shape_arg
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Create a layer from :meth:`get_config`'s output."""
        from mini_keras.saving.serialization import _KERAS_ONLY_DEFAULTS
        accepted = inspect.signature(cls.__init__).parameters
        config = {k: v for k, v in config.items()  # Keras-only keys at their defaults
                  if not (k in _KERAS_ONLY_DEFAULTS and k not in accepted
                          and v == _KERAS_ONLY_DEFAULTS[k])}
        batch_shape = config.pop("batch_input_shape", None) or config.pop("batch_shape", None)
        if batch_shape is not None:
            config["input_shape"] = tuple(batch_shape[1:])
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name", "float32")
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


@functools.cache
def _dtype_name(dtype: np.dtype) -> str:
    """``str(dtype)``, remembered (``str`` of a numpy dtype costs microseconds per call)."""
    return str(dtype)
