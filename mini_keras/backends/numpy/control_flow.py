"""numpy backend, control flow: cond, fori_loop, while_loop, vectorized_map, custom_gradient."""

from __future__ import annotations

import numpy as np

from mini_keras.backends import eager_loops
from mini_keras.backends.numpy.autodiff import data as _arr
from mini_keras.backends.numpy.autodiff import record
from mini_keras.backends.numpy.core import as_input
from mini_keras.backends.numpy.shapes import stack


def cond(pred, true_fn, false_fn):
    """Python branch on the value of ``pred``."""
    return true_fn() if bool(np.asarray(_arr(as_input(pred)))) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    """Python loop ``val = body_fun(i, val)``."""
    val = init_val
    for i in range(int(_arr(lower)), int(_arr(upper))):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Python ``while`` loop (at most ``maximum_iterations`` steps)."""
    return eager_loops.while_loop(cond, body, loop_vars, maximum_iterations,
                                  truth=lambda c: bool(np.asarray(_arr(c))))


def vectorized_map(function, elements):
    """Apply ``function`` to each leading-axis slice and stack the results."""
    if isinstance(elements, (list, tuple)):
        elements = [as_input(e) for e in elements]
        n = _arr(elements[0]).shape[0]
        outs = [function(tuple(e[i] for e in elements)) for i in range(n)]
    else:
        elements = as_input(elements)
        outs = [function(elements[i]) for i in range(_arr(elements).shape[0])]
    if isinstance(outs[0], (list, tuple)):
        return type(outs[0])(stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return stack(outs)


def custom_gradient(f):
    """Run ``f`` on plain arrays and record its ``grad_fn`` as the op's backward."""

    def wrapped(*args):
        out, grad_fn = f(*[_arr(a) for a in args])

        def backward(g):
            grads = grad_fn(g)
            grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
            return tuple(None if d is None else np.asarray(_arr(d)) for d in grads)
        return record(np.asarray(_arr(out)), args, backward)
    return wrapped
