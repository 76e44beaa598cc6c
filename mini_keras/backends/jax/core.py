"""JAX backend core: devices, conversion, variables, creation, random, scan, autodiff, compile.

JAX arrays are immutable, so a Variable's handle *is* its current array and ``variable_assign``
returns the new array. ``compile`` turns stateful code into a pure function of the variables'
values with :class:`~mini_keras.core.stateless.StatelessScope` and ``jax.jit``-compiles it.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np

from mini_keras.common import hooks
from mini_keras.common import settings as config
from mini_keras.common.stateless import StatelessScope

# ---------------------------------------------------------------------------- tensors & devices


def device():
    """Return the device tensors are placed on: "cpu", or "cuda:0" / "tpu:0" style."""
    first = jax.devices()[0]
    if first.platform == "cpu":
        return "cpu"
    platform = "cuda" if first.platform == "gpu" else first.platform
    return f"{platform}:{first.id}"


def _unwrap(x):
    """Return a Variable's current value; anything else unchanged."""
    return x.value if hooks.is_variable(x) else x


def _canonical(dtype):
    """The dtype JAX actually uses: 64-bit names become 32-bit while x64 is disabled (silently)."""
    return jax.dtypes.canonicalize_dtype(jnp.dtype(dtype))


def is_tensor(x):
    """Return True if ``x`` is a JAX array (tracers included)."""
    return isinstance(x, jax.Array)


def convert_to_tensor(x, dtype=None):
    """Convert ``x`` to a JAX array; Python floats become ``floatx()``, ints ``int32``."""
    x = _unwrap(x)
    if dtype is not None:
        dtype = _canonical(dtype)
        if is_tensor(x) and x.dtype == dtype:
            return x
        return jnp.asarray(x, dtype=dtype)
    if is_tensor(x):
        return x
    if not isinstance(x, np.ndarray | np.generic):
        probe = np.asarray(x) if isinstance(x, float | int | bool | list | tuple) else None
        if probe is not None and probe.dtype.kind == "f":
            return jnp.asarray(x, dtype=_float_or(None))
        if probe is not None and probe.dtype.kind in "iu":
            return jnp.asarray(x, dtype="int32")
    return jnp.asarray(x)


def convert_to_numpy(x):
    """Return ``x`` as a numpy array (a host copy)."""
    return np.array(_unwrap(x))


def convert_step_input(x):
    """A host batch for a step: numpy arrays pass through, since ``jax.jit`` transfers them in
    its C++ dispatch faster than ``jnp.asarray`` would (64-bit dtypes narrow as usual)."""
    return x if isinstance(x, np.ndarray) else convert_to_tensor(x)


def shape(x):
    """Return the static shape of ``x`` as a tuple of Python ints."""
    return tuple(int(d) for d in jnp.shape(_unwrap(x)))


def dtype(x):
    """Return the canonical dtype name of ``x`` (e.g. "float32")."""
    x = _unwrap(x)
    if is_tensor(x):
        return str(x.dtype)
    if isinstance(x, np.ndarray | np.generic):
        return str(jax.dtypes.canonicalize_dtype(x.dtype))
    return str(convert_to_tensor(x).dtype)


def cast(x, dtype):
    """Return ``x`` converted to ``dtype`` (no copy when already that dtype)."""
    x, dtype = convert_to_tensor(x), _canonical(dtype)
    return x if x.dtype == dtype else x.astype(dtype)


def stop_gradient(x):
    """Return ``x`` treated as a constant by differentiation."""
    return jax.lax.stop_gradient(convert_to_tensor(x))


# ---------------------------------------------------------------------------- variables


def variable_create(value, dtype, trainable):
    """Return a fresh JAX array (a copy of ``value`` cast to ``dtype``): the variable's handle."""
    return jnp.array(_unwrap(value), dtype=_canonical(dtype), copy=True)


def variable_read(handle):
    """Return the variable's array."""
    return handle


def variable_assign(handle, value):
    """Return ``value`` as the variable's new array (JAX arrays are immutable)."""
    return jnp.asarray(value, dtype=handle.dtype)


# ---------------------------------------------------------------------------- creation


def _float_or(dtype):
    """``dtype`` (``floatx()`` when None), as JAX will store it."""
    return _canonical(dtype or config.floatx())


def zeros(shape, dtype=None):
    """Tensor of zeros (``floatx()`` by default)."""
    return jnp.zeros(shape, dtype=_float_or(dtype))


def ones(shape, dtype=None):
    """Tensor of ones (``floatx()`` by default)."""
    return jnp.ones(shape, dtype=_float_or(dtype))


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value`` (``floatx()`` by default)."""
    return jnp.full(shape, _unwrap(fill_value), dtype=_float_or(dtype))


def _is_integer(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | np.integer):
        return True
    return hasattr(v, "dtype") and np.dtype(v.dtype).kind in "iu"


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (int32 for int arguments, else floatx)."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(_is_integer(v) for v in (start, stop, step))
        dtype = "int32" if ints else config.floatx()
    return jnp.arange(start, stop, step, dtype=_canonical(dtype))


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the ``k``-th diagonal."""
    return jnp.eye(N, M, k, dtype=_float_or(dtype))


# ---------------------------------------------------------------------------- random

_unseeded = itertools.count()


def _key(seed):
    """A JAX key from ``seed`` = (seed, counter), or a fresh one from a module counter."""
    if seed is None:
        return jax.random.fold_in(jax.random.key(0), next(_unseeded))
    seed = _unwrap(seed)
    return jax.random.fold_in(jax.random.key(seed[0]), seed[1])


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``."""
    return jax.random.uniform(_key(seed), tuple(shape), dtype=_float_or(dtype),
                              minval=minval, maxval=maxval)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples with the given ``mean`` and ``stddev``."""
    dtype = _float_or(dtype)
    sample = jax.random.normal(_key(seed), tuple(shape), dtype=dtype)
    return (sample * stddev + mean).astype(dtype)


# ---------------------------------------------------------------------------- control flow


def scan(f, init, xs=None, length=None, reverse=False):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs`` via ``jax.lax.scan``."""
    init = jax.tree_util.tree_map(convert_to_tensor, init)
    if xs is not None:
        xs = jax.tree_util.tree_map(convert_to_tensor, xs)
    return jax.lax.scan(f, init, xs, length=length, reverse=reverse)


# ---------------------------------------------------------------------------- autodiff


def value_and_grad(fn, has_aux=False):
    """Return ``g(values) -> (value, grads)`` (``((value, aux), grads)`` with ``has_aux``)."""

    def scalar_fn(values):
        out = fn(list(values))
        loss = out[0] if has_aux else out
        if jnp.shape(loss) != ():
            raise ValueError(
                "value_and_grad: fn must return a scalar, received a value of shape "
                f"{tuple(jnp.shape(loss))}.")
        return out

    differentiate = jax.value_and_grad(scalar_fn, has_aux=has_aux, allow_int=True)

    def call(values):
        values = [convert_to_tensor(v) for v in values]
        value, grads = differentiate(values)
        # Integer inputs get float0 gradients from JAX; the contract wants zeros of their dtype.
        grads = [jnp.zeros_like(v) if g.dtype == jax.dtypes.float0 else g
                 for v, g in zip(values, grads)]
        return value, grads

    return call


# ---------------------------------------------------------------------------- compilation


def compile(fn, state_variables, jit_compile=None):
    """Return ``fn`` as a ``jax.jit``-compiled pure function of ``state_variables``' values.

    The variables' new values are written back after each call; on accelerators the old
    values are donated so XLA can update them in place. ``jit_compile=False`` skips jit.
    """
    return compile_stateful(fn, state_variables, jit_compile)


def compile_stateful(fn, state_variables, jit_compile=None, state_shardings=None):
    """:func:`compile`, optionally keeping each state variable on a given sharding.

    Args:
        fn: the stateful step.
        state_variables: every variable ``fn`` reads or assigns.
        jit_compile: False runs the pure function eagerly.
        state_shardings: None, or one ``jax.sharding.Sharding`` per state variable (the
            distribution's layouts): the new values are constrained to it inside the step, so a
            sharded kernel stays sharded after an update (``distribution_lib.compile``).
    """
    state_variables = list(state_variables)
    # Donated inputs are invalidated, so on accelerators every state value comes back; on CPU
    # only the assigned ones do (a predict step returns no state at all: less to dispatch).
    donate = jit_compile is not False and jax.devices()[0].platform != "cpu"

    def pure(values, *args, **kwargs):
        with StatelessScope(zip(state_variables, values)) as scope:
            out = fn(*args, **kwargs)
        assigned = {id(v) for v, _ in scope.assignments()}
        new_values = {i: scope.value_of(v) for i, v in enumerate(state_variables)
                      if donate or id(v) in assigned}
        if state_shardings is not None:
            new_values = {i: jax.lax.with_sharding_constraint(value, state_shardings[i])
                          for i, value in new_values.items()}
        return new_values, out

    step = pure if jit_compile is False else jax.jit(pure, donate_argnums=(0,) if donate else ())

    def call(*args, **kwargs):
        new_values, out = step([v.value for v in state_variables], *args, **kwargs)
        for i, value in new_values.items():
            # already the variable's dtype: assign() cast it in the step
            state_variables[i]._handle = value
        return out

    return call
