"""MLX backend core: devices, dtypes, conversion, variables, creation, autodiff, compile.

MLX arrays are immutable and lazy, so a Variable's handle *is* its current array and
``variable_assign`` returns the new array; ``compile`` evaluates (``mx.eval``) the new state after
every step so lazy graphs never grow across steps.
"""

from __future__ import annotations

import mlx.core as mx
import numpy as np

from mini_keras.common import hooks, settings
from mini_keras.common.stateless import StatelessScope

_DTYPES = {name: getattr(mx, name) for name in (
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "bool_", "complex64")}
_DTYPES["bool"] = _DTYPES.pop("bool_")
_NAMES = {v: k for k, v in _DTYPES.items()}

# ---------------------------------------------------------------------------- tensors & devices


def device():
    """Return the device tensors are placed on: "cpu" or "gpu:0"."""
    d = mx.default_device()
    return "cpu" if d.type == mx.cpu else f"gpu:{d.index}"


def _unwrap(x):
    """Return a Variable's current value; anything else unchanged."""
    return x.value if hooks.is_variable(x) else x


def mx_dtype(dtype, op="convert_to_tensor"):
    """The MLX dtype for a canonical name / numpy dtype; float64 off the CPU raises."""
    if isinstance(dtype, mx.Dtype):
        name = _NAMES[dtype]
    else:
        name = str(dtype)
        name = "bool" if name in ("bool", "bool_") else name if name in _DTYPES else \
            np.dtype(dtype).name
    if name not in _DTYPES:
        raise TypeError(f"{op}: dtype {name!r} is not supported by the MLX backend; expected "
                        f"one of {sorted(_DTYPES)}.")
    if name == "float64" and mx.default_device().type != mx.cpu:
        raise TypeError(f"{op}: dtype 'float64' is not available on MLX device "
                        f"{device()!r} (MLX has float64 on the CPU only); use float32.")
    return _DTYPES[name]


def result_dtype(*dtypes):
    """The dtype MLX's type promotion gives an op on arrays of ``dtypes``."""
    out = mx.zeros((), dtype=dtypes[0])
    for d in dtypes[1:]:
        out = out + mx.zeros((), dtype=d)
    return out.dtype


def is_tensor(x):
    """Return True if ``x`` is an MLX array."""
    return isinstance(x, mx.array)


def _float_or(dtype):
    """``dtype`` (``floatx()`` when None) as an MLX dtype."""
    return mx_dtype(dtype or settings.floatx())


def _contiguous(arr):
    """``arr``, copied when its strides are not C order (MLX refuses negative strides)."""
    return arr if arr.flags.c_contiguous else arr.copy()


def convert_to_tensor(x, dtype=None):
    """Convert ``x`` to an MLX array; Python floats become ``floatx()``, ints ``int32``."""
    x = _unwrap(x)
    if dtype is not None:
        dtype = mx_dtype(dtype)
        if is_tensor(x):
            return x if x.dtype == dtype else x.astype(dtype)
        arr = _contiguous(np.asarray(x))
        if arr.dtype.kind == "f" and dtype not in (mx.float64,):
            return mx.array(arr).astype(dtype)
        return mx.array(arr.astype(np.dtype(_NAMES[dtype]) if dtype != mx.bfloat16
                                   else np.float32)).astype(dtype)
    if is_tensor(x):
        return x
    if isinstance(x, np.ndarray | np.generic):
        arr = _contiguous(np.asarray(x))
        if arr.dtype.kind == "f" and arr.dtype.itemsize == 8:
            return mx.array(arr, dtype=mx_dtype("float64"))
        if arr.dtype.kind not in "biuf":
            if arr.dtype.name == "bfloat16":
                return mx.array(arr.astype(np.float32)).astype(mx.bfloat16)
            raise TypeError(f"convert_to_tensor: numpy dtype {arr.dtype} is not supported by "
                            "the MLX backend.")
        return mx.array(arr)
    if hasattr(x, "__array__") and not isinstance(x, list | tuple):
        return convert_to_tensor(np.asarray(x))
    arr = np.asarray(x)
    if arr.dtype.kind == "f":
        return mx.array(arr, dtype=_float_or(None)) if arr.dtype != np.float64 or \
            settings.floatx() != "float64" else mx.array(arr)
    if arr.dtype.kind in "iu":
        return mx.array(arr.astype(np.int32))
    if arr.dtype.kind == "b":
        return mx.array(arr)
    raise TypeError(f"convert_to_tensor: cannot convert {type(x).__name__} ({arr.dtype}) to an "
                    "MLX array.")


def convert_to_numpy(x):
    """Return ``x`` as a numpy array (a host copy; bfloat16 as ml_dtypes' bfloat16)."""
    x = _unwrap(x)
    if not is_tensor(x):
        return np.array(x)
    if x.dtype == mx.bfloat16:
        import ml_dtypes

        return np.array(x.astype(mx.float32)).astype(ml_dtypes.bfloat16)
    return np.array(x)


def convert_step_input(x):
    """A host batch for a step, as an MLX array."""
    return convert_to_tensor(x)


def shape(x):
    """Return the static shape of ``x`` as a tuple of Python ints."""
    x = _unwrap(x)
    return tuple(int(d) for d in (x.shape if is_tensor(x) else np.shape(x)))


def dtype(x):
    """Return the canonical dtype name of ``x`` (e.g. "float32")."""
    x = _unwrap(x)
    if is_tensor(x):
        return _NAMES[x.dtype]
    if isinstance(x, np.ndarray | np.generic):
        return str(np.asarray(x).dtype)
    return _NAMES[convert_to_tensor(x).dtype]


def cast(x, dtype):
    """Return ``x`` converted to ``dtype`` (no copy when already that dtype)."""
    x, dtype = convert_to_tensor(x), mx_dtype(dtype, "cast")
    return x if x.dtype == dtype else x.astype(dtype)


def stop_gradient(x):
    """Return ``x`` treated as a constant by differentiation."""
    return mx.stop_gradient(convert_to_tensor(x))


# ---------------------------------------------------------------------------- variables


def variable_create(value, dtype, trainable):
    """Return a fresh MLX array (``value`` cast to ``dtype``, evaluated): the variable's handle."""
    out = convert_to_tensor(_unwrap(value), dtype=dtype)
    mx.eval(out)
    return out


def variable_read(handle):
    """Return the variable's array."""
    return handle


def variable_assign(handle, value):
    """Return ``value`` as the variable's new array (MLX arrays are immutable)."""
    return convert_to_tensor(value, dtype=_NAMES[handle.dtype])


# ---------------------------------------------------------------------------- creation


def zeros(shape, dtype=None):
    """Tensor of zeros (``floatx()`` by default)."""
    return mx.zeros(tuple(shape), dtype=_float_or(dtype))


def ones(shape, dtype=None):
    """Tensor of ones (``floatx()`` by default)."""
    return mx.ones(tuple(shape), dtype=_float_or(dtype))


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value`` (``floatx()`` by default)."""
    fill = convert_to_tensor(fill_value)
    return mx.full(tuple(shape), fill, dtype=_float_or(dtype))


def _is_integer(v) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int | np.integer):
        return True
    return hasattr(v, "dtype") and dtype(v)[:3] in ("int", "uin")


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (int32 for int arguments, else floatx)."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        ints = all(_is_integer(v) for v in (start, stop, step))
        dtype = "int32" if ints else settings.floatx()
    start, stop, step = (v.item() if is_tensor(v) else v for v in (start, stop, step))
    values = np.arange(start, stop, step, dtype=np.float64 if "float" in str(dtype) else None)
    return convert_to_tensor(values, dtype=dtype)


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the ``k``-th diagonal."""
    return mx.eye(N, M, k, dtype=_float_or(dtype))


# ---------------------------------------------------------------------------- autodiff


def value_and_grad(fn, has_aux=False):
    """Return ``g(values) -> (value, grads)`` (``((value, aux), grads)`` with ``has_aux``),
    through ``mx.value_and_grad``; integer inputs get zero gradients of their dtype."""
    holder = {}

    def scalar_fn(values):
        out = fn(list(values))
        loss = out[0] if has_aux else out
        loss = convert_to_tensor(loss)
        if loss.shape != ():
            raise ValueError("value_and_grad: fn must return a scalar, received a value of shape "
                             f"{tuple(loss.shape)}.")
        if has_aux:
            holder["aux"] = out[1]
        return loss

    def call(values):
        values = [convert_to_tensor(v) for v in values]
        floats = [i for i, v in enumerate(values) if mx.issubdtype(v.dtype, mx.inexact)]

        def on_floats(float_values):
            full_values = list(values)
            for i, v in zip(floats, float_values):
                full_values[i] = v
            return scalar_fn(full_values)

        loss, float_grads = mx.value_and_grad(on_floats)([values[i] for i in floats])
        grads = [mx.zeros_like(v) for v in values]
        for i, g in zip(floats, float_grads):
            grads[i] = g
        value = (loss, holder.pop("aux")) if has_aux else loss
        return value, grads

    return call


# ---------------------------------------------------------------------------- compilation


def _tree_arrays(tree):
    """Every MLX array in a nested list/tuple/dict ``tree``."""
    if is_tensor(tree):
        return [tree]
    if isinstance(tree, list | tuple):
        return [a for t in tree for a in _tree_arrays(t)]
    if isinstance(tree, dict):
        return [a for t in tree.values() for a in _tree_arrays(t)]
    return []


def _compiles(jit_compile) -> bool:
    """``jit_compile=True`` always compiles; ``None`` ("auto") compiles on a GPU only. On the CPU,
    MLX builds every fused kernel with the host C++ compiler on first use (tens of seconds to
    minutes per model on a cold ``$TMPDIR/mlx`` cache), which costs far more than eager steps save
    on a course-sized model, so "auto" stays eager there."""
    if jit_compile is None:
        return mx.default_device().type == mx.gpu
    return bool(jit_compile)


def compile(fn, state_variables, jit_compile=None):
    """Return ``fn`` as an ``mx.compile``-d pure function of ``state_variables``' values.

    The pure function (a :class:`StatelessScope` over the variables' values) takes the state in
    and returns the new state, which is re-bound to the variables and ``mx.eval``-uated with the
    outputs after every call, so MLX's lazy graph is cut at each step. ``mx.compile`` traces
    with placeholder arrays (retracing on a new input shape); a step whose Python code needs a
    concrete value (``item()``, a host copy) cannot be traced, and then (or with
    ``jit_compile=False``) the same pure function runs eagerly.
    """
    state_variables = list(state_variables)

    def pure(values, *args, **kwargs):
        with StatelessScope(zip(state_variables, values)) as scope:
            out = fn(*args, **kwargs)
        assigned = {id(v) for v, _ in scope.assignments()}
        new_values = {i: scope.value_of(v) for i, v in enumerate(state_variables)
                      if id(v) in assigned}
        return new_values, out

    traced = {"step": mx.compile(pure) if _compiles(jit_compile) else None}

    def run(values, args, kwargs):
        step = traced["step"]
        if step is not None:
            try:
                return step(values, *args, **kwargs)
            except ValueError as e:
                if "function transformations" not in str(e):
                    raise
                traced["step"] = None  # this step needs concrete values: run it eagerly
        return pure(values, *args, **kwargs)

    def call(*args, **kwargs):
        new_values, out = run([v.value for v in state_variables], args, kwargs)
        mx.eval(list(new_values.values()), _tree_arrays(out))
        for i, value in new_values.items():
            state_variables[i]._handle = value
        return out

    return call
