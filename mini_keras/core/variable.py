"""Variable: a named, backend-native, mutable tensor (a layer weight, an optimizer slot, ...)."""

from __future__ import annotations

import contextvars

import numpy as np

from mini_keras import backends
from mini_keras.core import allocation_budget, stateless
from mini_keras.distribution import api as distribution_api

_name_counts: dict[str, int] = {}
# Mixed precision: while a layer with a mixed policy runs, float variables are read in its
# compute dtype (Keras 3's AutocastScope). None (the default) costs one ContextVar.get per read.
_autocast_dtype: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "mini_keras_autocast_dtype", default=None)
_FLOAT_DTYPES = frozenset(("float16", "bfloat16", "float32", "float64"))


class AutocastScope:
    """Within the block, float variables with ``autocast=True`` read as ``dtype``.

    ``Layer.__call__`` enters one when its compute dtype differs from its variable dtype (and
    ``AutocastScope(None)`` for a layer that opts out), so ``ops.matmul(x, self.kernel)`` sees
    a float16 kernel under ``mixed_float16`` while the variable itself stays float32. The cast
    is an ordinary op, so gradients flow back to the float32 variable.

    Args:
        dtype: the dtype float variables are read in, or None for no casting.
    """

    def __init__(self, dtype: str | None):
        self.dtype = dtype
        self._token = None

    def __enter__(self):
        self._token = _autocast_dtype.set(self.dtype)
        return self

    def __exit__(self, *exc) -> None:
        _autocast_dtype.reset(self._token)


def autocast_dtype() -> str | None:
    """The dtype float variables are currently read in (None outside an autocast scope)."""
    return _autocast_dtype.get()


def unique_name(base: str) -> str:
    """Return ``base`` the first time, then ``base_1``, ``base_2`` ... (Keras 3 naming)."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")


def _check_aggregation(aggregation, path):
    if aggregation not in _AGGREGATIONS:
        raise ValueError(f"Variable '{path}': aggregation must be one of {_AGGREGATIONS}, "
                         f"received {aggregation!r}.")
    return aggregation


class Variable:
    """A mutable tensor held in the native type of the backend it was created on.

    Args:
        initializer: an array-like initial value, or a callable ``(shape, dtype) -> array``.
        shape: required when ``initializer`` is callable.
        dtype: dtype name; defaults to the initial value's float type or ``config.floatx()``.
        trainable: whether optimizers update it.
        name: short name (``"kernel"``); ``path`` adds the owning layer's name.
        backend: backend name; defaults to the current backend.
        aggregation: how replicas combine it under a distribution: "none", "mean", "sum" (metric
            state: summed over replicas when read) or "only_first_replica".
        autocast: whether reads inside an :class:`AutocastScope` (a mixed-precision layer's
            call) give the value in the scope's compute dtype (float variables only).

    Attributes:
        value: the current value as a backend tensor.
        shape, dtype, trainable, name, path.
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name="variable",
                 backend=None, path=None, aggregation="none", autocast=True):
        from mini_keras import config

        self._backend = backends.get(backend or backends.current_name())
        if callable(initializer):
            if shape is None:
                raise ValueError(f"Variable '{name}': a callable initializer needs a shape.")
            dtype = dtype or config.floatx()
            allocation_budget.charge(shape, dtype, path or name)  # before allocating
            with backends.backend_scope(self._backend.name):
                initial = initializer(tuple(shape), dtype=dtype)
        else:
            initial = initializer
        if dtype is None:
            probe = np.asarray(initial) if not self._backend.is_tensor(initial) else None
            if probe is not None:
                dtype = config.floatx() if probe.dtype.kind == "f" else str(probe.dtype)
            else:
                dtype = self._backend.dtype(initial)
        self.trainable = bool(trainable)
        self.name = name
        self.path = path or name
        self._dtype = str(dtype)
        self.aggregation = _check_aggregation(aggregation, self.path)
        active = distribution_api.distribution()
        if active is None:
            self._handle = self._backend.variable_create(initial, self._dtype, self.trainable)
        else:  # placed per the distribution's layout by the backend's own engine
            self._shape = tuple(int(d) for d in self._backend.shape(initial))
            self._handle = distribution_api.backend_lib(self._backend.name).distribute_variable(
                initial, self._dtype, self.trainable, self, active)
        expose = getattr(self._backend, "expose_native_variable", None)  # tf.GradientTape
        if expose is not None:
            expose(self, self._handle)
        # The backend may store a narrower dtype (JAX without x64 keeps int64 as int32).
        self._dtype = self._backend.dtype(self._read_handle())
        self._shape = tuple(int(d) for d in self._backend.shape(self._read_handle()))
        self._autocast = bool(autocast) and self._dtype in _FLOAT_DTYPES
        if shape is not None and tuple(shape) != self._shape:
            raise ValueError(
                f"Variable '{self.path}': initial value has shape {self._shape}, "
                f"expected {tuple(shape)}.")

    # -- value access -------------------------------------------------------------------------
    def _read_handle(self):
        return self._backend.variable_read(self._handle)

    @property
    def value(self):
        """The current value (inside a StatelessScope: the value the scope maps it to; inside an
        AutocastScope: cast to its dtype when the variable is a float one)."""
        value = self._stored_value()
        if self._autocast:
            dtype = _autocast_dtype.get()
            if dtype is not None and dtype != self._dtype:
                return self._backend.cast(value, dtype)
        return value

    def _stored_value(self):
        """The value in the variable's own dtype (no autocast)."""
        scope = stateless.current_scope()
        if scope is not None:
            found, value = scope.lookup(self)
            if found:
                return value
        return self._backend.variable_read(self._handle)

    @property
    def autocast(self) -> bool:
        """Whether reads inside a mixed-precision layer's call are cast to its compute dtype."""
        return self._autocast

    def assign(self, value):
        """Set a new value (same shape); inside a StatelessScope the scope records it instead."""
        value = self._backend.cast(self._backend.convert_to_tensor(value), self._dtype)
        new_shape = tuple(self._backend.shape(value))
        if new_shape != self._shape:
            raise ValueError(
                f"Variable '{self.path}'.assign: expected shape {self._shape}, "
                f"received {new_shape}.")
        scope = stateless.current_scope()
        if scope is not None:
            scope.assign(self, value)
        else:
            self._handle = self._backend.variable_assign(self._handle, value)
        return value

    def _direct_assign(self, value) -> None:
        """Store a backend tensor without scope lookup or checks (used by compiled steps)."""
        self._handle = self._backend.variable_assign(self._handle, value)

    def assign_add(self, delta):
        """``self.assign(self.value + delta)``."""
        return self.assign(self._backend.add(self._stored_value(), delta))

    def assign_sub(self, delta):
        """``self.assign(self.value - delta)``."""
        return self.assign(self._backend.subtract(self._stored_value(), delta))

    def numpy(self) -> np.ndarray:
        """Return the current value as a numpy array (a copy)."""
        return np.array(self._backend.convert_to_numpy(self.value))

    # -- metadata -----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """Shape as a tuple of ints."""
        return self._shape

    @property
    def dtype(self) -> str:
        """Dtype name, e.g. ``"float32"``."""
        return self._dtype

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._shape)

    @property
    def backend(self) -> str:
        """Name of the backend that holds the value."""
        return self._backend.name

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self._shape}, dtype={self._dtype}, "
                f"trainable={self.trainable}, backend={self._backend.name}>")

    # -- array protocol and arithmetic (so `v * 2` works like Keras 3) -------------------------
    # numpy must not turn `ndarray * variable` into a plain product (that would bypass the
    # numpy backend's autodiff): with __array_ufunc__ = None it calls our __rmul__ instead.
    __array_ufunc__ = None

    def __jax_array__(self):
        """Let ``jax_array * variable`` read the current value (also inside jax.jit)."""
        return self.value

    def __array__(self, dtype=None, copy=None):
        out = np.asarray(self._backend.convert_to_numpy(self.value))
        return out.astype(dtype) if dtype is not None else out

    def _op(name, reverse=False):
        def method(self, other):
            fn = getattr(self._backend, name)
            other = other.value if isinstance(other, Variable) else other
            return fn(other, self.value) if reverse else fn(self.value, other)
        method.__name__ = f"__{'r' if reverse else ''}{name}__"
        return method

    __add__, __radd__ = _op("add"), _op("add", True)
    __sub__, __rsub__ = _op("subtract"), _op("subtract", True)
    __mul__, __rmul__ = _op("multiply"), _op("multiply", True)
    __truediv__, __rtruediv__ = _op("divide"), _op("divide", True)
    __pow__, __rpow__ = _op("power"), _op("power", True)
    __matmul__, __rmatmul__ = _op("matmul"), _op("matmul", True)
    __lt__, __le__ = _op("less"), _op("less_equal")
    __gt__, __ge__ = _op("greater"), _op("greater_equal")
    del _op

    def __neg__(self):
        return self._backend.negative(self.value)

    def __getitem__(self, key):
        return self._backend.getitem(self.value, key)

    __hash__ = object.__hash__
