"""numpy backend: tensors, dtypes, variables, creation, random, scan and autodiff entry points.

Also holds the input-normalising helpers every op of this backend uses: :func:`as_input` for a
single operand and :func:`operands` for elementwise ones (which keeps float32 float32 when mixed
with Python or numpy float scalars).
"""

from __future__ import annotations

import numbers

import numpy as np

from mini_keras.backends.numpy import autodiff
from mini_keras.backends.numpy.autodiff import Tensor, data, record
from mini_keras.common import hooks, settings

# ---------------------------------------------------------------------------- dtypes & inputs


def np_dtype(name) -> np.dtype:
    """Return the numpy dtype for a canonical name (``"bfloat16"`` needs ``ml_dtypes``)."""
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError as e:
            raise TypeError("numpy backend: bfloat16 needs the 'ml_dtypes' package.") from e
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def floatx_dtype() -> np.dtype:
    """The numpy dtype of ``mini_keras.config.floatx()``."""
    return np_dtype(settings.floatx())


def _unwrap_variable(x):
    if isinstance(x, (np.ndarray, Tensor)):  # the common case
        return x
    return x.value if hooks.is_variable(x) else x


def as_input(x):
    """Normalise one op input: Tensors and ndarrays pass, everything else becomes an ndarray."""
    x = _unwrap_variable(x)
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    return convert_to_tensor(x)


def _is_float(dtype) -> bool:
    return dtype.kind in "fc" or (dtype.kind == "V" and dtype.name == "bfloat16")


def _numpy_rules_suffice(xs) -> bool:
    """True when numpy's own promotion already gives the Keras dtype (most op calls).

    That is: only arrays (at least one) and Python scalars, the arrays either all float, or none
    float with no float scalar among the inputs.
    """
    array_is_float = set()
    float_scalar = False
    for x in xs:
        if isinstance(x, (np.ndarray, Tensor)):
            array_is_float.add(_is_float(data(x).dtype))
        elif type(x) is float:
            float_scalar = True
        elif type(x) not in (int, bool):
            return False  # numpy scalars, lists, Variables...: the general path
    return array_is_float == {True} or (array_is_float == {False} and not float_scalar)


def operands(*xs):
    """Normalise the inputs of an elementwise op.

    Python scalars stay "weak" (numpy 2 keeps the array's dtype); numpy scalars become Python
    scalars so ``float32 * np.float64(2)`` stays float32. When a float scalar meets only integer
    arrays, those arrays are cast to floatx (as Keras does). Without any array, everything is
    converted with :func:`convert_to_tensor`.
    """
    if len(xs) == 2:  # the common case first: two plain arrays of one dtype
        a, b = xs
        if a.__class__ is np.ndarray and b.__class__ is np.ndarray and a.dtype == b.dtype:
            return xs
    if _numpy_rules_suffice(xs):
        return xs
    xs = [_unwrap_variable(x) for x in xs]
    xs = [x.item() if isinstance(x, np.generic) else x for x in xs]
    xs = [convert_to_tensor(x) if isinstance(x, (list, tuple)) else x for x in xs]
    strong = [x for x in xs if isinstance(x, (Tensor, np.ndarray))]
    if not strong:
        return [convert_to_tensor(x) for x in xs]
    float_arrays = [data(x).dtype for x in strong if _is_float(data(x).dtype)]
    if float_arrays and len(float_arrays) < len(strong):
        # int/bool array with a float array: the int side takes the float's dtype (Keras/JAX
        # rule, so int32 + float16 is float16 on every backend, not numpy's float64).
        target = np.result_type(*float_arrays)
        xs = [cast(x, target.name) if isinstance(x, (Tensor, np.ndarray))
              and not _is_float(data(x).dtype) else x for x in xs]
    float_scalar = any(isinstance(x, float) for x in xs)
    if float_scalar and not any(_is_float(data(x).dtype) for x in strong):
        xs = [cast(x, floatx_dtype().name) if isinstance(x, (Tensor, np.ndarray)) else x
              for x in xs]
    return xs


# ---------------------------------------------------------------------------- tensors & devices


def device():
    """Return the device tensors are placed on: always ``"cpu"``."""
    return "cpu"


def convert_to_tensor(x, dtype=None):
    """Convert ``x`` to an ndarray (Tensors pass through); Python floats become floatx."""
    x = _unwrap_variable(x)
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    if isinstance(x, (list, tuple)) and any(isinstance(v, Tensor) for v in x):
        from mini_keras.backends.numpy.shapes import stack
        out = stack([convert_to_tensor(v) for v in x])
        return out if dtype is None else cast(out, dtype)
    if dtype is not None:
        return np.asarray(x, dtype=np_dtype(dtype))
    if isinstance(x, np.ndarray):
        return x
    out = np.asarray(x)
    if isinstance(x, (np.generic,)):
        return out
    if out.dtype == np.float64:  # Python floats
        return out.astype(floatx_dtype())
    if out.dtype.kind in "iu" and isinstance(x, (numbers.Integral, list, tuple)):
        return out.astype(np.int32)  # Python ints
    return out


def convert_to_numpy(x):
    """Return ``x`` as an ndarray (the data of a Tensor, with no gradient graph)."""
    return np.asarray(data(_unwrap_variable(x)))


def convert_step_input(x):
    """A host batch for a step: the array itself (numpy is the backend's tensor type)."""
    return convert_to_tensor(x)


def is_tensor(x):
    """True for ndarrays and autodiff Tensors."""
    return isinstance(x, (np.ndarray, Tensor))


def shape(x):
    """Static shape as a tuple of Python ints."""
    x = data(as_input(x))
    return x.shape if isinstance(x, np.ndarray) else tuple(int(d) for d in np.shape(x))


def dtype(x):
    """Canonical dtype name, e.g. ``"float32"``."""
    return np.dtype(data(as_input(x)).dtype).name


def cast(x, dtype):
    """Convert to ``dtype`` (returns ``x`` itself when it already has it); gradient cast back."""
    x = as_input(x)
    a, target = data(x), np_dtype(dtype)
    if a.dtype == target:
        return x
    out = a.astype(target)

    def backward(g):
        return (g.astype(a.dtype) if _is_float(a.dtype) and _is_float(target) else None,)
    return record(out, (x,), backward)


def stop_gradient(x):
    """Return the plain array: the tape does not see through it."""
    return data(as_input(x))


# ---------------------------------------------------------------------------- variables


def variable_create(value, dtype, trainable):
    """The handle is a private ndarray copy of the initial value, cast to ``dtype``."""
    return np.array(convert_to_numpy(value), dtype=np_dtype(dtype), copy=True)


def variable_read(handle):
    """The handle itself is the value."""
    return handle


def variable_assign(handle, value):
    """Return the new value as an ndarray of the handle's dtype (the new handle)."""
    return np.asarray(data(_unwrap_variable(value))).astype(handle.dtype, copy=False)


# ---------------------------------------------------------------------------- creation


def _float_or(dtype):
    return floatx_dtype() if dtype is None else np_dtype(dtype)


def _shape_tuple(shape):
    if isinstance(shape, (numbers.Integral, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in np.asarray(data(shape)).reshape(-1)) if is_tensor(shape) \
        else tuple(int(d) for d in shape)


def zeros(shape, dtype=None):
    """Tensor of zeros (floatx by default)."""
    return np.zeros(_shape_tuple(shape), dtype=_float_or(dtype))


def ones(shape, dtype=None):
    """Tensor of ones (floatx by default)."""
    return np.ones(_shape_tuple(shape), dtype=_float_or(dtype))


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value`` (its dtype by default; gradient sums into it)."""
    fill = as_input(fill_value) if dtype is None else convert_to_tensor(fill_value, dtype)
    out = np.full(_shape_tuple(shape), data(fill), dtype=data(fill).dtype)

    def backward(g):
        return (g,)  # the tape's unbroadcast sums g down to fill's shape
    return record(out, (fill,), backward)


def arange(start, stop=None, step=1, dtype=None):
    """``[start, stop)`` by ``step``: int32 for int arguments, else floatx."""
    args = [v for v in (start, stop, step) if v is not None]
    ints = all(isinstance(v, (numbers.Integral, np.integer)) for v in args)
    if dtype is None:
        dtype = "int32" if ints else floatx_dtype().name
    start, stop = (0, start) if stop is None else (start, stop)
    return np.arange(data(start), data(stop), data(step)).astype(np_dtype(dtype))


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the ``k``-th diagonal."""
    return np.eye(int(N), None if M is None else int(M), int(k), dtype=_float_or(dtype))


# ---------------------------------------------------------------------------- random


def _rng(seed) -> np.random.Generator:
    if seed is None:
        return np.random.default_rng()
    words = np.asarray(data(as_input(seed))).reshape(-1)
    return np.random.default_rng([int(w) for w in words])


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)`` (floatx by default)."""
    target = _float_or(dtype)
    lo, hi = float(data(minval)), float(data(maxval))
    out = (lo + (hi - lo) * _rng(seed).random(_shape_tuple(shape))).astype(target)
    below_max = np.nextafter(np.asarray(hi, target), np.asarray(-np.inf, target))
    return np.minimum(out, below_max)  # rounding to float32 must not reach maxval


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples (floatx by default)."""
    noise = _rng(seed).standard_normal(_shape_tuple(shape))
    return (float(data(mean)) + float(data(stddev)) * noise).astype(_float_or(dtype))


# ---------------------------------------------------------------------------- control flow


def _stack_steps(ys):
    from mini_keras.backends.numpy.shapes import stack
    first = ys[0]
    if first is None:
        return None
    if isinstance(first, (list, tuple)):
        return type(first)(_stack_steps([y[i] for y in ys]) for i in range(len(first)))
    return stack(ys)


def scan(f, init, xs=None, length=None, reverse=False):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns ``(carry, stacked ys)``."""
    from mini_keras.backends.numpy.shapes import getitem
    if xs is None:
        if length is None:
            raise ValueError("scan: pass `xs` or `length`.")
        steps, x_at = int(length), (lambda i: None)
    elif isinstance(xs, (list, tuple)):
        xs = [as_input(x) for x in xs]
        steps = shape(xs[0])[0]
        x_at = lambda i: [getitem(x, i) for x in xs]
    else:
        xs = as_input(xs)
        steps, x_at = shape(xs)[0], (lambda i: getitem(xs, i))
    carry, ys = init, [None] * steps
    for i in (reversed(range(steps)) if reverse else range(steps)):
        carry, ys[i] = f(carry, x_at(i))
    return carry, (_stack_steps(ys) if steps else None)


# ---------------------------------------------------------------------------- autodiff & compile


def _detach(tree):
    if isinstance(tree, Tensor):
        return tree.data
    if isinstance(tree, (list, tuple)):
        return type(tree)(_detach(t) for t in tree)
    if isinstance(tree, dict):
        return {k: _detach(v) for k, v in tree.items()}
    return tree


def value_and_grad(fn, has_aux=False):
    """Return ``g(values) -> (value, grads)`` (``((value, aux), grads)`` with ``has_aux``)."""

    def value_and_grad_fn(values):
        leaves = [Tensor(np.asarray(data(_unwrap_variable(v)))) for v in values]
        out = fn(leaves)
        loss, aux = (out[0], out[1]) if has_aux else (out, None)
        if np.ndim(data(loss)) != 0:
            raise ValueError("value_and_grad: `fn` must return a scalar loss, received shape "
                             f"{np.shape(data(loss))}.")
        grads = autodiff.grad(loss, leaves)
        value = np.asarray(data(loss))
        return ((value, _detach(aux)), grads) if has_aux else (value, grads)
    return value_and_grad_fn


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product ``J @ tangents`` from reverse mode: one backward pass per output
    element (the tape has no forward mode), so it suits small outputs."""
    from mini_keras.common.nest import map_structure
    leaves = [Tensor(np.asarray(data(_unwrap_variable(p)))) for p in primals]
    directions = [np.asarray(data(_unwrap_variable(t))) for t in tangents]
    out = fun(*leaves)
    out, aux = (out[0], out[1]) if has_aux else (out, None)

    def tangent_of(o):
        value = np.asarray(data(o))
        result = np.zeros(value.shape, value.dtype)
        for index in np.ndindex(value.shape):
            seed = np.zeros(value.shape, value.dtype)
            seed[index] = 1
            grads = autodiff.grad(o, leaves, seed)
            result[index] = sum(np.sum(g * d) for g, d in zip(grads, directions))
        return result
    tangents_out = map_structure(tangent_of, out)
    out = _detach(out)
    return (out, tangents_out, _detach(aux)) if has_aux else (out, tangents_out)


def compile(fn, state_variables, jit_compile=None):
    """numpy runs eagerly: return ``fn`` unchanged."""
    return fn
