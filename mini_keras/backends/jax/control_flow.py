"""jax backend, control flow: cond, fori_loop, while_loop, vectorized_map, custom_gradient."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mini_keras.backends.jax.core import convert_to_tensor


def cond(pred, true_fn, false_fn):
    """``lax.cond`` on a scalar predicate."""
    return jax.lax.cond(jnp.reshape(convert_to_tensor(pred), ()), true_fn, false_fn)


def fori_loop(lower, upper, body_fun, init_val):
    """``lax.fori_loop`` (a differentiable scan when the bounds are Python ints)."""
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """``lax.while_loop`` carrying an iteration counter when ``maximum_iterations`` is set."""
    is_seq = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_seq else (loop_vars,)

    def as_tuple(out):
        return tuple(out) if is_seq else (out,)

    if maximum_iterations is None:
        final = jax.lax.while_loop(lambda s: cond(*s), lambda s: as_tuple(body(*s)), state)
    else:
        def keep_going(s):
            return jnp.logical_and(cond(*s[:-1]), s[-1] < maximum_iterations)

        def step(s):
            return as_tuple(body(*s[:-1])) + (s[-1] + 1,)
        final = jax.lax.while_loop(keep_going, step, state + (jnp.asarray(0, "int32"),))[:-1]
    return type(loop_vars)(final) if is_seq else final[0]


def vectorized_map(function, elements):
    """``jax.vmap(function)(elements)``."""
    if isinstance(elements, list):
        elements = tuple(elements)
    return jax.vmap(function)(elements)


def custom_gradient(f):
    """``jax.custom_gradient``: ``f`` returns ``(output, grad_fn)``."""

    def wrapped(*args):
        def fun(*inner):
            out, grad_fn = f(*inner)

            def vjp(upstream):
                grads = grad_fn(upstream)
                return tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
            return out, vjp
        return jax.custom_gradient(fun)(*[convert_to_tensor(a) for a in args])
    return wrapped


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product ``J @ tangents`` (``jax.jvp``)."""
    primals = tuple(convert_to_tensor(p) for p in primals)
    tangents = tuple(convert_to_tensor(t).astype(p.dtype) for t, p in zip(tangents, primals))
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)
