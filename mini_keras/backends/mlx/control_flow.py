"""MLX backend control flow: scan, cond, loops, vectorized_map, custom_gradient.

MLX runs eagerly (the step is evaluated, not traced), so control flow is Python control flow on
concrete values; gradients flow through it with ``mx.value_and_grad``.
"""

from __future__ import annotations

import mlx.core as mx

from mini_keras.backends import eager_loops
from mini_keras.backends.mlx.core import convert_to_tensor


def _tree_map(f, tree):
    if isinstance(tree, list | tuple):
        return type(tree)(_tree_map(f, t) for t in tree)
    if isinstance(tree, dict):
        return {k: _tree_map(f, v) for k, v in tree.items()}
    return None if tree is None else f(tree)


def _stack(items):
    first = items[0]
    if isinstance(first, list | tuple):
        return type(first)(_stack([it[i] for it in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([it[k] for it in items]) for k in first}
    if first is None:
        return None
    return mx.stack([convert_to_tensor(i) for i in items])


def scan(f, init, xs=None, length=None, reverse=False):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs``; ``(carry, stacked_ys)``."""
    carry = _tree_map(convert_to_tensor, init)
    if xs is not None:
        xs = _tree_map(convert_to_tensor, xs)
        leaves = []
        _tree_map(leaves.append, xs)
        n = leaves[0].shape[0]
    else:
        n = int(length)
    steps = range(n - 1, -1, -1) if reverse else range(n)
    ys = []
    for t in steps:
        x = None if xs is None else _tree_map(lambda a, t=t: a[t], xs)
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, (_stack(ys) if ys and ys[0] is not None else None)


def cond(pred, true_fn, false_fn):
    """Run ``true_fn()`` or ``false_fn()`` on the scalar predicate's value."""
    return true_fn() if bool(convert_to_tensor(pred).reshape(-1)[0].item()) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    """``for i in range(lower, upper): val = body_fun(i, val)``."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(mx.array(i, dtype=mx.int32), val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Python ``while`` loop (at most ``maximum_iterations`` steps)."""
    return eager_loops.while_loop(cond, body, loop_vars, maximum_iterations,
                                  truth=lambda c: bool(convert_to_tensor(c).item()))


def vectorized_map(function, elements):
    """``function`` over the leading axis of ``elements``, results stacked."""
    if isinstance(elements, list):
        elements = tuple(elements)
    leaves = []
    _tree_map(leaves.append, _tree_map(convert_to_tensor, elements))
    n = leaves[0].shape[0]
    elements = _tree_map(convert_to_tensor, elements)
    return _stack([function(_tree_map(lambda a, i=i: a[i], elements)) for i in range(n)])


def custom_gradient(f):
    """``f(*args)`` returns ``(output, grad_fn)``; MLX's ``custom_function`` with a vjp."""

    @mx.custom_function
    def forward(*args):
        return f(*args)[0]

    @forward.vjp
    def backward(primals, cotangent, output):
        # MLX hands a single input (and a single output's cotangent) unwrapped.
        single = not isinstance(primals, list | tuple)
        _, grad_fn = f(*((primals,) if single else primals))
        grads = grad_fn(cotangent)
        grads = tuple(grads) if isinstance(grads, list | tuple) else (grads,)
        return grads[0] if single else grads

    def wrapped(*args):
        return forward(*[convert_to_tensor(a) for a in args])
    return wrapped


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product ``J @ tangents`` (``mx.jvp`` on the flattened outputs)."""
    from mini_keras.common.nest import flatten
    primals = [convert_to_tensor(p) for p in primals]
    tangents = [convert_to_tensor(t).astype(p.dtype) for t, p in zip(tangents, primals)]
    kept = {}

    def flat(*args):
        out = fun(*args)
        out, kept["aux"] = (out[0], out[1]) if has_aux else (out, None)
        kept["out"] = out
        return flatten(out)
    _, flat_tangents = mx.jvp(flat, primals, tangents)
    out = kept["out"]
    tangents_out = _unflatten(out, iter(flat_tangents))
    return (out, tangents_out, kept["aux"]) if has_aux else (out, tangents_out)


def _unflatten(structure, leaves):
    """``structure`` with its leaves replaced, in ``nest.flatten``'s order (dict keys sorted)."""
    if isinstance(structure, list | tuple):
        return type(structure)(_unflatten(s, leaves) for s in structure)
    if isinstance(structure, dict):
        filled = {k: _unflatten(structure[k], leaves) for k in sorted(structure, key=str)}
        return {k: filled[k] for k in structure}
    return next(leaves)
