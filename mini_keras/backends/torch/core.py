"""PyTorch backend core: device, conversion, variables, creation, random, scan, autodiff, compile."""

from __future__ import annotations

import builtins
import contextvars
import numbers

import numpy as np
import torch

from mini_keras import config
from mini_keras.core.variable import Variable

DEVICE = torch.device("cuda" if torch.cuda.is_available() else "cpu")
_ON_CUDA = DEVICE.type == "cuda"

_INT32 = np.iinfo(np.int32)


def to_torch_dtype(name) -> torch.dtype:
    """Return the torch dtype for a canonical dtype name (or a torch/numpy dtype)."""
    if isinstance(name, torch.dtype):
        return name
    name = str(np.dtype(name)) if not isinstance(name, str) else name
    found = getattr(torch, name, None)
    if not isinstance(found, torch.dtype):
        raise TypeError(f"torch backend: unknown dtype {name!r}.")
    return found


def dtype_name(torch_dtype: torch.dtype) -> str:
    """Return the canonical name of a torch dtype ("float32", "bool", ...)."""
    return str(torch_dtype).removeprefix("torch.")


# ---------------------------------------------------------------------------- tensors & devices

def device() -> str:
    """Return the device tensors are placed on: "cuda:0" or "cpu"."""
    if DEVICE.type == "cuda":
        return f"cuda:{torch.cuda.current_device()}"
    return "cpu"


def _infer_python_dtype(array: np.ndarray) -> str:
    """Python floats -> floatx, Python ints -> int32 (int64 when out of range)."""
    if array.dtype.kind == "f":
        return config.floatx()
    if array.dtype.kind in "iu":
        fits = array.size == 0 or (array.min() >= _INT32.min and array.max() <= _INT32.max)
        return "int32" if fits else "int64"
    return str(array.dtype)


def _from_numpy(array: np.ndarray) -> torch.Tensor:
    """Wrap a numpy array as a tensor on DEVICE (shares memory on CPU when it can)."""
    if not array.flags.writeable or builtins.any(s < 0 for s in array.strides):
        array = np.array(array)  # torch cannot view read-only or negative-stride memory
    return torch.as_tensor(array, device=DEVICE)


def convert_to_tensor(x, dtype=None) -> torch.Tensor:
    """Convert ``x`` (scalar, list, numpy array, tensor, Variable) to a tensor on the device.

    Python floats/lists of floats become ``floatx()``, Python ints int32; numpy arrays keep
    their dtype.
    """
    if type(x) is torch.Tensor and dtype is None and x.is_cuda == _ON_CUDA:
        return x  # the hot path: already a tensor on our device
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, torch.Tensor):
        out = x if x.device.type == DEVICE.type else x.to(DEVICE)
    elif isinstance(x, (np.ndarray, np.generic)):
        out = _from_numpy(np.asarray(x))
    elif isinstance(x, (list, tuple)) and builtins.any(
            isinstance(e, (torch.Tensor, Variable)) for e in x):
        out = torch.stack([convert_to_tensor(e) for e in x])
    elif isinstance(x, (bool, numbers.Number, list, tuple)):
        array = np.asarray(x)
        target = dtype if dtype is not None and dtype != "bfloat16" else (
            _infer_python_dtype(array))
        out = _from_numpy(np.asarray(array, dtype=target))
    else:
        out = _from_numpy(np.asarray(x))
    return out if dtype is None else cast(out, dtype)


def convert_to_numpy(x) -> np.ndarray:
    """Return ``x`` as a numpy array (a host copy, detached from the graph).

    bfloat16 tensors come back as ``ml_dtypes.bfloat16`` arrays (float32 without ml_dtypes).
    """
    tensor = convert_to_tensor(x).detach()
    if tensor.dtype == torch.bfloat16:
        array = tensor.float().cpu().numpy()
        try:
            import ml_dtypes
        except ImportError:
            return array
        return array.astype(ml_dtypes.bfloat16)
    array = tensor.cpu().numpy()
    return np.array(array) if tensor.device.type == "cpu" else array


def convert_step_input(x) -> torch.Tensor:
    """A host batch for a step: a tensor on the device (shares memory on CPU)."""
    return convert_to_tensor(x)


def is_tensor(x) -> bool:
    """Return True if ``x`` is a torch tensor."""
    return isinstance(x, torch.Tensor)


def shape(x) -> tuple:
    """Return the static shape of ``x`` as a tuple of Python ints."""
    if isinstance(x, torch.Tensor):
        return tuple(int(d) for d in x.shape)
    return tuple(int(d) for d in convert_to_tensor(x).shape)


def dtype(x) -> str:
    """Return the canonical dtype name of ``x`` (e.g. "float32")."""
    tensor = x if isinstance(x, torch.Tensor) else convert_to_tensor(x)
    return dtype_name(tensor.dtype)


def cast(x, dtype) -> torch.Tensor:
    """Return ``x`` converted to ``dtype`` (no copy when already that dtype)."""
    tensor = x if isinstance(x, torch.Tensor) else convert_to_tensor(x)
    return tensor.to(to_torch_dtype(dtype))


def stop_gradient(x) -> torch.Tensor:
    """Return ``x`` detached from the autograd graph."""
    return convert_to_tensor(x).detach()


# ---------------------------------------------------------------------------- variables

def variable_create(value, dtype, trainable) -> torch.Tensor:
    """Return a fresh tensor on the device (a copy of ``value`` cast to ``dtype``) as the handle.

    Trainable float variables require gradients (like ``nn.Parameter``), so ``loss.backward()``
    fills their ``.grad``; ``fit`` itself differentiates :func:`value_and_grad`'s own leaves.
    """
    tensor = convert_to_tensor(value, dtype).detach().clone()
    return tensor.requires_grad_(bool(trainable) and tensor.is_floating_point())


def variable_read(handle) -> torch.Tensor:
    """Return the variable's tensor itself."""
    return handle


def variable_assign(handle, value) -> torch.Tensor:
    """Copy ``value`` into ``handle`` in place (its identity stays); return ``handle``."""
    with torch.no_grad():
        handle.copy_(convert_to_tensor(value))
    return handle


# ---------------------------------------------------------------------------- creation

def _shape_tuple(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _float_dtype(dtype) -> torch.dtype:
    return to_torch_dtype(dtype or config.floatx())


def zeros(shape, dtype=None) -> torch.Tensor:
    """Tensor of zeros (floatx by default)."""
    return torch.zeros(_shape_tuple(shape), dtype=_float_dtype(dtype), device=DEVICE)


def ones(shape, dtype=None) -> torch.Tensor:
    """Tensor of ones (floatx by default)."""
    return torch.ones(_shape_tuple(shape), dtype=_float_dtype(dtype), device=DEVICE)


def full(shape, fill_value, dtype=None) -> torch.Tensor:
    """Tensor filled with ``fill_value`` (dtype inferred from it when None)."""
    value = convert_to_tensor(fill_value, dtype)
    return torch.broadcast_to(value, _shape_tuple(shape)).clone()


def arange(start, stop=None, step=1, dtype=None) -> torch.Tensor:
    """Values in ``[start, stop)``: int32 for int arguments, else floatx."""
    if stop is None:
        start, stop = 0, start
    bounds = [_python_number(v) for v in (start, stop, step)]
    if dtype is None:
        is_int = builtins.all(isinstance(v, int) for v in bounds)
        dtype = "int32" if is_int else config.floatx()
    return torch.arange(*bounds, dtype=to_torch_dtype(dtype), device=DEVICE)


def _python_number(value):
    if isinstance(value, (torch.Tensor, np.ndarray, np.generic)):
        return value.item()
    return value


def eye(N, M=None, k=0, dtype=None) -> torch.Tensor:
    """2-D tensor with ones on the ``k``-th diagonal."""
    M = N if M is None else M
    rows = torch.arange(N, device=DEVICE)[:, None]
    cols = torch.arange(M, device=DEVICE)[None, :]
    return (cols - rows == k).to(_float_dtype(dtype))


# ---------------------------------------------------------------------------- random

def _generator(seed) -> torch.Generator | None:
    """A generator seeded from (seed, counter); None means torch's global RNG."""
    if seed is None:
        return None
    if isinstance(seed, (torch.Tensor, np.ndarray)):
        seed = seed.tolist()
    s0, s1 = (seed, 0) if isinstance(seed, (int, np.integer)) else seed
    generator = torch.Generator(device=DEVICE)
    generator.manual_seed((int(s0) * 1_000_003 + int(s1)) % 2**63)
    return generator


def _sample(sampler, shape, dtype, seed) -> torch.Tensor:
    target = _float_dtype(dtype)
    sample_dtype = target if target in (torch.float32, torch.float64) else torch.float32
    out = sampler(_shape_tuple(shape), generator=_generator(seed), dtype=sample_dtype,
                  device=DEVICE)
    return out.to(target)


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Uniform samples in ``[minval, maxval)``."""
    unit = _sample(torch.rand, shape, dtype, seed)
    return unit * (maxval - minval) + minval


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> torch.Tensor:
    """Normal samples with the given mean and standard deviation."""
    return _sample(torch.randn, shape, dtype, seed) * stddev + mean


# ---------------------------------------------------------------------------- control flow

def _stack_outputs(ys: list):
    """Stack a list of per-step outputs (tensors, lists/tuples of tensors, or None)."""
    if not ys or ys[0] is None:
        return None
    if isinstance(ys[0], (list, tuple)):
        return type(ys[0])(_stack_outputs([y[i] for y in ys]) for i in range(len(ys[0])))
    return torch.stack([convert_to_tensor(y) for y in ys])


def scan(f, init, xs=None, length=None, reverse=False):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; return ``(carry, stacked_ys)``.

    ``ys[i]`` is always the output for ``xs[i]`` (also when ``reverse``); a Python loop.
    """
    if xs is None:
        if length is None:
            raise ValueError("scan: pass `xs` or `length`.")
        steps, slices = int(length), [None] * int(length)
    elif isinstance(xs, (list, tuple)):
        xs = [convert_to_tensor(x) for x in xs]
        steps = int(xs[0].shape[0]) if length is None else int(length)
        slices = [[x[i] for x in xs] for i in range(steps)]
    else:
        xs = convert_to_tensor(xs)
        steps = int(xs.shape[0]) if length is None else int(length)
        slices = [xs[i] for i in range(steps)]
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    carry, ys = init, [None] * steps
    for i in order:
        carry, ys[i] = f(carry, slices[i])
    return carry, _stack_outputs(ys)


# ---------------------------------------------------------------------------- autodiff

def _detach_nest(value):
    """Detach every tensor inside nested lists, tuples and dicts."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, dict):
        return {key: _detach_nest(item) for key, item in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value)(*(_detach_nest(item) for item in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_detach_nest(item) for item in value)
    return value


def _leaf(value) -> torch.Tensor:
    tensor = convert_to_tensor(value)
    if not tensor.is_floating_point():
        raise TypeError(
            f"value_and_grad: can only differentiate float inputs, received {dtype(tensor)}.")
    return tensor.detach().requires_grad_(True)


# Set by ``distribution_lib.compile`` around a data-parallel train step: an object whose
# ``value_and_grad(fn, values, has_aux)`` runs the backward pass through DistributedDataParallel.
distributed_grad_engine: contextvars.ContextVar = contextvars.ContextVar(
    "mini_keras_torch_distributed_grad_engine", default=None)


def value_and_grad(fn, has_aux=False):
    """Return ``g(values) -> (value, grads)`` (``((value, aux), grads)`` with ``has_aux``).

    ``fn`` takes a list of tensors and returns a scalar (and ``aux``). Inputs that do not affect
    the value get zero gradients; the returned value and aux are detached. Inside a distributed
    train step (see ``distribution_lib``) the gradients are averaged over the processes by DDP.
    """
    def wrapped(values):
        engine = distributed_grad_engine.get()
        if engine is not None:
            return engine.value_and_grad(fn, values, has_aux)
        leaves = [_leaf(v) for v in values]
        with torch.enable_grad():
            out = fn(leaves)
            loss, aux = out if has_aux else (out, None)
            loss = convert_to_tensor(loss)
            if loss.dim() != 0:
                raise ValueError(
                    f"value_and_grad: fn must return a scalar, received shape "
                    f"{tuple(loss.shape)}.")
            if loss.requires_grad:
                grads = torch.autograd.grad(loss, leaves, allow_unused=True)
            else:
                grads = [None] * len(leaves)
        grads = [torch.zeros_like(leaf) if g is None else g for leaf, g in zip(leaves, grads)]
        if has_aux:
            return (loss.detach(), _detach_nest(aux)), grads
        return loss.detach(), grads

    return wrapped


# ---------------------------------------------------------------------------- compilation

def compile(fn, state_variables, jit_compile=None):
    """Return ``fn`` itself (eager torch); ``jit_compile=True`` wraps it in ``torch.compile``.

    ``torch.compile`` is best-effort: graph breaks fall back to eager, and it needs a working
    compiler toolchain. ``state_variables`` are updated in place either way.
    """
    if jit_compile is True:
        return torch.compile(fn)
    return fn
