"""Control flow and autodiff of the core family: cond, loops, scan, map, custom_gradient.

Every op is declared once with ``@primitive`` (dispatched to the backend contract) or
``@composite`` (written in ``ops.*`` calls); see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import builtins

import numpy as np

from mini_keras import ops
from mini_keras.ops.checks import (
    _fail,
    _positive_int,
    _rank_axis,
)
from mini_keras.ops.declare import composite, exported, primitive, unwrap


def _callable(op, fn, name):
    if not callable(fn):
        _fail(op, f"`{name}` must be callable, received {type(fn).__name__}.", TypeError)


@primitive
def cond(pred, true_fn, false_fn):
    """``true_fn()`` if the scalar ``pred`` is true, else ``false_fn()``; traceable under jit.

    Args:
        pred: scalar bool tensor (or Python bool).
        true_fn, false_fn: callables without arguments returning the same structure, shapes
            and dtypes.
    """
    _callable("cond", true_fn, "true_fn")
    _callable("cond", false_fn, "false_fn")
    pred = ops.convert_to_tensor(unwrap(pred))
    if ops.shape(pred) not in ((), (1,)):
        _fail("cond", f"`pred` must be a scalar, received shape {tuple(ops.shape(pred))}.")


@composite
def switch(index, branches, *operands):
    """``branches[index](*operands)`` (``index`` clamped to the valid range); traceable.

    Args:
        index: scalar int tensor.
        branches: sequence of callables returning the same structure, shapes and dtypes.
        *operands: arguments for the chosen branch.
    """
    if not branches or not all(callable(f) for f in branches):
        _fail("switch", "`branches` must be a non-empty sequence of callables.", TypeError)
    index = ops.clip(ops.cast(unwrap(index), "int32"), 0, len(branches) - 1)

    def choose(i):
        if i == len(branches) - 1:
            return branches[i](*operands)
        return ops.cond(ops.equal(index, i), lambda: branches[i](*operands), lambda: choose(i + 1))
    return choose(0)


@primitive
def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; traceable under jit.

    Args:
        lower, upper: loop bounds (ints or scalar int tensors).
        body_fun: ``(i, val) -> val`` keeping shapes and dtypes.
        init_val: initial value (tensor or list/tuple of tensors).
    """
    _callable("fori_loop", body_fun, "body_fun")
    return {'lower': unwrap(lower), 'upper': unwrap(upper), 'init_val': unwrap(init_val)}


@primitive
def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``; traceable under jit.

    Args:
        cond: ``(*loop_vars) -> scalar bool``.
        body: ``(*loop_vars) -> loop_vars`` (same structure, shapes and dtypes).
        loop_vars: a tuple/list of tensors, or a single tensor.
        maximum_iterations: optional cap on the number of steps.
    """
    _callable("while_loop", cond, "cond")
    _callable("while_loop", body, "body")
    if maximum_iterations is not None:
        _positive_int("while_loop", maximum_iterations, "maximum_iterations")
    return {'loop_vars': unwrap(loop_vars)}


@composite
def map(f, xs):
    """``stack([f(x) for x in xs])`` over the leading axis, as a loop (``scan``); traceable.

    Args:
        f: callable on one slice.
        xs: tensor or list/tuple of tensors (``f`` then gets a list of slices).
    """
    _callable("map", f, "f")

    def step(carry, x):
        return carry, f(x)
    return ops.scan(step, ops.zeros((), "float32"), unwrap(xs))[1]


@primitive
def vectorized_map(function, elements):
    """``function`` applied to each leading-axis slice of ``elements``, results stacked.

    Args:
        function: callable on one slice (a tuple of slices when ``elements`` is a sequence).
        elements: tensor or tuple/list of tensors with the same leading size.
    """
    _callable("vectorized_map", function, "function")
    return {'elements': unwrap(elements)}


@composite
def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan with an associative ``f``: ``out[i] = f(out[i - 1], elems[i])``.

    Computed as a sequential ``scan`` (same result for any associative ``f``).

    Args:
        f: ``(a, b) -> c`` on slices (lists of slices when ``elems`` is a list/tuple).
        elems: tensor or list/tuple of tensors of equal size along ``axis``.
        reverse: scan from the end.
        axis: the scanned axis.
    """
    _callable("associative_scan", f, "f")
    is_seq = isinstance(elems, (list, tuple))
    parts = [ops.convert_to_tensor(unwrap(e)) for e in (elems if is_seq else [elems])]
    rank = len(ops.shape(parts[0]))
    axis = _rank_axis("associative_scan", axis, rank)
    perm = [axis] + [d for d in range(rank) if d != axis]
    parts = [ops.transpose(p, perm) for p in parts]
    if reverse:
        parts = [ops.flip(p, axis=0) for p in parts]
    first = [ops.getitem(p, 0) for p in parts]
    if ops.shape(parts[0])[0] > 1:
        def step(carry, x):
            out = f(carry if is_seq else carry[0], x if is_seq else x[0])
            out = list(out) if is_seq else [out]
            return out, out
        rest = [ops.getitem(p, builtins.slice(1, None)) for p in parts]
        _, ys = ops.scan(step, first, rest)
        parts = [ops.concatenate([ops.expand_dims(h, 0), y], axis=0) for h, y in zip(first, ys)]
    if reverse:
        parts = [ops.flip(p, axis=0) for p in parts]
    inverse = list(np.argsort(perm))
    parts = [ops.transpose(p, inverse) for p in parts]
    return type(elems)(parts) if is_seq else parts[0]


@primitive
def scan(f, init, xs=None, length=None, reverse=False):
    ...


@primitive
def custom_gradient(f):
    """Decorator giving ``f`` a hand-written gradient (Keras 3 style).

    ``f(*args)`` returns ``(output, grad_fn)``; ``grad_fn(upstream)`` returns the gradient for
    each argument.

    Args:
        f: the function to wrap.
    """
    _callable("custom_gradient", f, "f")


@primitive
def value_and_grad(fn, has_aux=False):
    ...


__all__ = [name for name in exported(__name__)]
