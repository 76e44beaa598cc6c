"""torch backend, control flow: cond, fori_loop, while_loop, vectorized_map, custom_gradient."""

from __future__ import annotations

import torch

from mini_keras.backends import eager_loops
from mini_keras.backends.torch.core import (
    convert_to_tensor,
)


def cond(pred, true_fn, false_fn):
    """Python branch on ``bool(pred)``."""
    return true_fn() if bool(pred) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    """Python loop ``val = body_fun(i, val)``."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Python ``while`` loop (at most ``maximum_iterations`` steps)."""
    return eager_loops.while_loop(cond, body, loop_vars, maximum_iterations)


def vectorized_map(function, elements):
    """Apply ``function`` to each leading-axis slice and stack the results."""
    if isinstance(elements, (list, tuple)):
        elements = [convert_to_tensor(e) for e in elements]
        outs = [function(tuple(e[i] for e in elements)) for i in range(elements[0].shape[0])]
    else:
        elements = convert_to_tensor(elements)
        outs = [function(elements[i]) for i in range(elements.shape[0])]
    if isinstance(outs[0], (list, tuple)):
        return type(outs[0])(torch.stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return torch.stack([convert_to_tensor(o) for o in outs])


class _CustomGradient(torch.autograd.Function):
    """Forward runs ``f`` (no graph); backward calls the ``grad_fn`` it returned."""

    @staticmethod
    def forward(ctx, f, *args):
        out, grad_fn = f(*args)
        ctx.grad_fn = grad_fn
        return convert_to_tensor(out)

    @staticmethod
    def backward(ctx, upstream):
        grads = ctx.grad_fn(upstream)
        grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
        return (None, *grads)


def custom_gradient(f):
    """Wrap ``f`` (returning ``(output, grad_fn)``) in a ``torch.autograd.Function``."""

    def wrapped(*args):
        return _CustomGradient.apply(f, *args)
    return wrapped


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product ``J @ tangents`` (``torch.func.jvp``)."""
    primals = tuple(convert_to_tensor(p) for p in primals)
    tangents = tuple(convert_to_tensor(t).to(p.dtype) for t, p in zip(tangents, primals))
    return torch.func.jvp(fun, primals, tangents, has_aux=has_aux)
