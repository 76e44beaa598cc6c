"""TensorFlow backend core: devices, conversion, dtype promotion, variables, creation, random,
scan, autodiff and compilation."""

from __future__ import annotations

import builtins
import math as pymath

import numpy as np
import tensorflow as tf

from mini_keras.common import hooks
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- tensors & devices


def device() -> str:
    """Return "gpu:0" when TensorFlow sees a GPU, else "cpu"."""
    return "gpu:0" if tf.config.list_physical_devices("GPU") else "cpu"


def _is_weak_scalar(x) -> bool:
    """Python scalars (bool/int/float, incl. np.float64 which subclasses float) adopt the
    dtype of the tensor they are combined with, as in numpy 2 / JAX / Keras 3."""
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.integer)


def convert_to_tensor(x, dtype=None):
    """Convert ``x`` to a ``tf.Tensor`` (floats -> floatx, ints -> int32), optionally casting."""
    if isinstance(x, tf.Variable):
        x = x.value()
    if tf.is_tensor(x):
        return x if dtype is None else cast(x, dtype)
    if dtype is not None:
        try:
            return tf.convert_to_tensor(x, dtype=dtype)
        except (TypeError, ValueError):
            return tf.cast(tf.convert_to_tensor(x), dtype)
    if isinstance(x, (np.ndarray, np.generic)):
        return tf.convert_to_tensor(x)
    if isinstance(x, float) or (isinstance(x, (list, tuple)) and _has_float(x)):
        return tf.convert_to_tensor(x, dtype=config.floatx())
    if isinstance(x, int) and not isinstance(x, bool) and not -2**31 <= x < 2**31:
        return tf.convert_to_tensor(x, dtype=tf.int64)
    return tf.convert_to_tensor(x)


def _has_float(seq) -> bool:
    for item in seq:
        if isinstance(item, (list, tuple)):
            if _has_float(item):
                return True
        elif isinstance(item, float):
            return True
    return False


def convert_to_numpy(x) -> np.ndarray:
    """Return ``x`` as a numpy array (host copy)."""
    if isinstance(x, (tf.Tensor, tf.Variable)):
        return np.array(x.numpy())
    return np.asarray(x)


def convert_step_input(x):
    """A host batch for a step: a ``tf.Tensor``."""
    return convert_to_tensor(x)


def is_tensor(x) -> bool:
    """Return True for ``tf.Tensor`` and ``tf.Variable``."""
    return isinstance(x, (tf.Tensor, tf.Variable))


def shape(x) -> tuple:
    """Static shape as a tuple (``None`` for dimensions unknown while tracing)."""
    if not is_tensor(x):
        return tuple(np.shape(x))
    return tuple(None if d is None else int(d) for d in x.shape)


def dtype(x) -> str:
    """Canonical dtype name of ``x``."""
    if not is_tensor(x):
        x = convert_to_tensor(x)
    return tf.as_dtype(x.dtype).name


def cast(x, dtype):
    """Return ``x`` as ``dtype`` (``x`` itself when already that dtype)."""
    if isinstance(x, tf.Variable):
        x = x.value()
    elif not tf.is_tensor(x):
        return convert_to_tensor(x, dtype)
    return x if x.dtype == tf.as_dtype(dtype) else tf.cast(x, dtype)


def stop_gradient(x):
    """Return ``x`` treated as a constant by differentiation."""
    return tf.stop_gradient(convert_to_tensor(x))


# ---------------------------------------------------------------------------- dtype promotion

def result_dtype(d1: tf.DType, d2: tf.DType) -> tf.DType:
    """Common dtype of two tensors: numpy's rules, except int + float -> that float (Keras 3)."""
    if d1 == d2:
        return d1
    if d1 == tf.bool or d2 == tf.bool:
        return d2 if d1 == tf.bool else d1
    if d1.is_floating or d2.is_floating:
        if d1.is_floating and d2.is_floating:
            if {d1, d2} == {tf.float16, tf.bfloat16}:
                return tf.float32
            return d1 if d1.size >= d2.size else d2
        return d1 if d1.is_floating else d2
    if d1.is_unsigned == d2.is_unsigned:
        return d1 if d1.size >= d2.size else d2
    unsigned, signed = (d1, d2) if d1.is_unsigned else (d2, d1)
    if signed.size > unsigned.size:
        return signed
    return {1: tf.int16, 2: tf.int32}.get(unsigned.size, tf.int64)


def promote(*xs) -> list:
    """Convert operands to tensors of one common dtype.

    Tensors and arrays promote like numpy (int32 + float32 -> float32); Python scalars are weak:
    they take the tensors' dtype (a Python float next to an int tensor gives floatx).
    """
    strong = [convert_to_tensor(x) for x in xs if not _is_weak_scalar(x)]
    weak = [x for x in xs if _is_weak_scalar(x)]
    if strong:
        common = strong[0].dtype
        for t in strong[1:]:
            common = result_dtype(common, t.dtype)
        if builtins.any(isinstance(w, float) for w in weak) and not common.is_floating:
            common = tf.as_dtype(config.floatx())
        elif common == tf.bool and builtins.any(not isinstance(w, bool) for w in weak):
            common = tf.int32
    else:
        tensors = [convert_to_tensor(w) for w in weak]
        common = tensors[0].dtype
        for t in tensors[1:]:
            common = result_dtype(common, t.dtype)
    return [convert_to_tensor(x, common) for x in xs]


def to_float(x):
    """Convert ``x`` to a tensor, casting ints/bools to floatx (for float-only math)."""
    x = convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, config.floatx())


def normalize_axis(axis):
    """tf wants lists, not tuples, for multi-axis arguments."""
    return list(axis) if isinstance(axis, tuple) else axis


# ---------------------------------------------------------------------------- variables

def variable_create(value, dtype, trainable):
    """Create a ``tf.Variable`` holding ``value`` cast to ``dtype``."""
    return tf.Variable(convert_to_tensor(value, dtype), trainable=trainable)


def variable_read(handle):
    """Return the ``tf.Variable`` itself, so tapes and ``tf.function`` track the read."""
    return handle


def variable_assign(handle, value):
    """Assign ``value`` in place; return the same ``tf.Variable``."""
    handle.assign(cast(value, handle.dtype))
    return handle


# ---------------------------------------------------------------------------- creation

def _shape_arg(shape):
    return (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)


def zeros(shape, dtype=None):
    """Tensor of zeros (floatx by default)."""
    return tf.zeros(_shape_arg(shape), dtype=dtype or config.floatx())


def ones(shape, dtype=None):
    """Tensor of ones (floatx by default)."""
    return tf.ones(_shape_arg(shape), dtype=dtype or config.floatx())


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value`` (floatx by default, as Keras 3)."""
    fill_value = convert_to_tensor(fill_value, dtype or config.floatx())
    return tf.broadcast_to(fill_value, _shape_arg(shape))


def arange(start, stop=None, step=1, dtype=None):
    """Values ``start, start + step, ...`` below ``stop`` (int32 for ints, else floatx)."""
    if stop is None:
        start, stop = 0, start
    args = (start, stop, step)
    if builtins.any(is_tensor(a) for a in args):
        integral = builtins.all(not is_tensor(a) or a.dtype.is_integer for a in args)
        dtype = dtype or ("int32" if integral else config.floatx())
        start, stop, step = (cast(a, dtype) for a in args)
        return tf.range(start, stop, step, dtype=dtype)
    integral = builtins.all(isinstance(a, (int, np.integer)) for a in args)
    dtype = dtype or ("int32" if integral else config.floatx())
    count = builtins.max(pymath.ceil((stop - start) / step), 0)
    return convert_to_tensor(start + np.arange(count) * step, dtype)


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the ``k``-th diagonal."""
    M = N if M is None else M
    rows = tf.range(N)[:, None]
    cols = tf.range(M)[None, :]
    return tf.cast(tf.equal(rows + k, cols), dtype or config.floatx())


# ---------------------------------------------------------------------------- random

def _stateless_seed(seed):
    if isinstance(seed, (list, tuple)):
        parts = [tf.cast(convert_to_tensor(s), tf.int32) for s in seed]
        return tf.stack(parts)
    seed = tf.cast(convert_to_tensor(seed), tf.int32)
    if seed.shape.rank == 0:
        seed = tf.stack([seed, tf.zeros((), tf.int32)])
    return seed


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``; ``seed`` (seed, counter) makes them stateless."""
    dtype = dtype or config.floatx()
    shape = _shape_arg(shape)
    if seed is None:
        return tf.random.uniform(shape, minval, maxval, dtype=dtype)
    return tf.random.stateless_uniform(shape, seed=_stateless_seed(seed), minval=minval,
                                       maxval=maxval, dtype=dtype)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples; ``seed`` (seed, counter) makes them stateless."""
    dtype = dtype or config.floatx()
    shape = _shape_arg(shape)
    if seed is None:
        return tf.random.normal(shape, mean, stddev, dtype=dtype)
    return tf.random.stateless_normal(shape, seed=_stateless_seed(seed), mean=mean,
                                      stddev=stddev, dtype=dtype)


# ---------------------------------------------------------------------------- scan

def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def scan(f, init, xs=None, length=None, reverse=False):
    """``carry, y = f(carry, x)`` along the leading axis; returns ``(carry, stacked ys)``.

    Runs as a ``tf.while_loop`` writing ``y`` into TensorArrays (differentiable, graph-friendly).
    The first step runs outside the loop to learn the structure and dtypes of ``y``.
    """
    xs_is_list = isinstance(xs, (list, tuple))
    xs_list = [] if xs is None else [convert_to_tensor(x) for x in _as_list(xs)]
    if xs_list:
        n = xs_list[0].shape[0]
        if n is None:
            n = tf.shape(xs_list[0])[0]
        if length is not None and isinstance(n, int) and n != length:
            raise ValueError(f"scan: length={length} but xs have leading size {n}.")
    elif length is None:
        raise ValueError("scan: pass `xs` or `length`.")
    else:
        n = length
    if isinstance(n, int) and n == 0:
        raise ValueError("scan: cannot scan over zero steps.")
    if reverse:
        xs_list = [tf.reverse(x, [0]) for x in xs_list]

    def x_at(i):
        if xs is None:
            return None
        items = [x[i] for x in xs_list]
        return items if xs_is_list else items[0]

    carry_is_list = isinstance(init, (list, tuple))

    def pack_carry(carry):
        return [convert_to_tensor(c) for c in _as_list(carry)]

    def unpack_carry(carry):
        return list(carry) if carry_is_list else carry[0]

    carry, y0 = f(unpack_carry(pack_carry(init)), x_at(0))
    carry = pack_carry(carry)
    y_is_list = isinstance(y0, (list, tuple))
    y0 = [] if y0 is None else [convert_to_tensor(y) for y in _as_list(y0)]
    arrays = [tf.TensorArray(y.dtype, size=n, element_shape=y.shape).write(0, y) for y in y0]

    def body(i, carry, arrays):
        new_carry, y = f(unpack_carry(carry), x_at(i))
        y = [] if y is None else _as_list(y)
        arrays = [a.write(i, tf.cast(v, a.dtype)) for a, v in zip(arrays, y)]
        new_carry = [tf.cast(c, old.dtype) for c, old in zip(pack_carry(new_carry), carry)]
        return i + 1, new_carry, arrays

    _, carry, arrays = tf.while_loop(lambda i, *_: i < n, body, (tf.constant(1), carry, arrays))
    ys = [a.stack() for a in arrays]
    if reverse:
        ys = [tf.reverse(y, [0]) for y in ys]
    if not y0:
        ys = None
    elif not y_is_list:
        ys = ys[0]
    return unpack_carry(list(carry)), ys


# ---------------------------------------------------------------------------- autodiff, compile

def _stop_nested(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_stop_nested(v) for v in x)
    if isinstance(x, dict):
        return {k: _stop_nested(v) for k, v in x.items()}
    if is_tensor(x):
        return tf.stop_gradient(x)
    return x


def value_and_grad(fn, has_aux=False):
    """Return ``g(values) -> (value, grads)`` (``((value, aux), grads)`` with ``has_aux``)."""

    def wrapped(values):
        values = [convert_to_tensor(v) for v in values]
        with tf.GradientTape() as tape:
            tape.watch(values)
            out = fn(values)
            loss, aux = out if has_aux else (out, None)
            loss = convert_to_tensor(loss)
        if loss.shape.rank != 0:
            raise ValueError(
                f"value_and_grad: fn must return a scalar loss, received shape {shape(loss)}.")
        grads = tape.gradient(loss, values, unconnected_gradients=tf.UnconnectedGradients.ZERO)
        grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
                 for g in grads]
        replica = tf.distribute.get_replica_context()
        if replica is not None and replica.num_replicas_in_sync > 1:
            # A data-parallel step (distribution_lib.compile): each replica's loss is the mean
            # over its equal share of the batch, so the mean of the gradients is the gradient of
            # the global-batch loss, and every replica applies the same update.
            grads = replica.all_reduce(tf.distribute.ReduceOp.MEAN, grads)
        loss = tf.stop_gradient(loss)
        if has_aux:
            return (loss, _stop_nested(aux)), grads
        return loss, grads

    return wrapped


# Ops whose XLA:CPU kernels are slower than TF's own oneDNN kernels (measured in benchmarks/:
# the CNN runs ~2x slower under XLA on CPU, while the MLP gains ~15% from fusion).
_SLOW_ON_XLA_CPU = frozenset((
    "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "Conv3D",
    "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
    "DepthwiseConv2dNativeBackpropFilter", "MaxPoolGrad", "AvgPoolGrad"))


def compile(fn, state_variables, jit_compile=None):
    """Wrap ``fn`` in ``tf.function`` (variables are tf.Variables).

    ``jit_compile=True``/``False`` forces XLA on/off. ``None`` ("auto") decides on the first call
    from the traced graph: XLA, unless the device is a CPU and the graph holds ops XLA:CPU runs
    slower than TF (convolutions); a graph XLA cannot compile falls back to plain ``tf.function``.
    Seeded random ops are deterministic either way, but XLA's Philox stream differs from TF's
    kernels, so the same seed gives other samples with XLA than without.
    """
    if jit_compile is not None:
        return tf.function(fn, jit_compile=jit_compile, autograph=False)
    plain = tf.function(fn, autograph=False)
    chosen = None

    def call(*args, **kwargs):
        nonlocal chosen
        if chosen is not None:
            return chosen(*args, **kwargs)
        ops = {op.type for op in plain.get_concrete_function(*args, **kwargs).graph
               .get_operations()}
        on_cpu = not tf.config.list_logical_devices("GPU") + tf.config.list_logical_devices("TPU")
        if on_cpu and ops & _SLOW_ON_XLA_CPU:
            chosen = plain
            return plain(*args, **kwargs)
        xla = tf.function(fn, jit_compile=True, autograph=False)
        try:
            out = xla(*args, **kwargs)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as e:
            if "XLA" not in str(e) and "compil" not in str(e):
                raise
            chosen = plain  # an op XLA cannot compile: TF's own kernels run the step
            return plain(*args, **kwargs)
        chosen = xla
        return out

    # tf.function's introspection, for the variant in use (tests check steps trace once).
    call.experimental_get_tracing_count = lambda: (chosen or plain).experimental_get_tracing_count()
    return call


def _convert_variable(value, dtype=None, name=None, as_ref=False):
    """Let TF ops take a mini_keras Variable directly (``tf_tensor * variable`` in graph mode)."""
    return tf.convert_to_tensor(value.value, dtype=dtype, name=name)


hooks.on_variable_class(lambda cls: tf.register_tensor_conversion_function(cls, _convert_variable))
