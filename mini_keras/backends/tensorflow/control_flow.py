"""tensorflow backend, control flow: cond, fori_loop, while_loop, vectorized_map, custom_gradient."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import convert_to_tensor


def cond(pred, true_fn, false_fn):
    """``tf.cond`` on a scalar predicate."""
    return tf.cond(tf.reshape(tf.cast(convert_to_tensor(pred), tf.bool), []), true_fn, false_fn)


def fori_loop(lower, upper, body_fun, init_val):
    """``tf.while_loop`` over ``i`` in ``[lower, upper)``."""
    def body(i, val):
        return i + 1, body_fun(i, val)
    _, out = tf.while_loop(lambda i, _: i < upper, body, (convert_to_tensor(lower), init_val))
    return out


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """``tf.while_loop`` (its own ``maximum_iterations``)."""
    is_seq = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_seq else (loop_vars,)

    def step(*s):
        out = body(*s)
        return tuple(out) if is_seq else (out,)
    final = tf.while_loop(cond, step, state, maximum_iterations=maximum_iterations)
    return type(loop_vars)(final) if is_seq else final[0]


def vectorized_map(function, elements):
    """``tf.vectorized_map``."""
    if isinstance(elements, list):
        elements = tuple(elements)
    return tf.vectorized_map(function, elements)


def custom_gradient(f):
    """``tf.custom_gradient``: ``f`` returns ``(output, grad_fn)``."""

    @tf.custom_gradient
    def wrapped(*args):
        out, grad_fn = f(*args)

        def grad(upstream, variables=None):
            grads = grad_fn(upstream)
            if variables:  # f read tf.Variables: they get no gradient through this op
                return grads, [None] * len(variables)
            return grads
        return out, grad

    def call(*args):
        return wrapped(*[convert_to_tensor(a) for a in args])
    return call


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode product ``J @ tangents`` (``tf.autodiff.ForwardAccumulator``)."""
    primals = [convert_to_tensor(p) for p in primals]
    tangents = [tf.cast(convert_to_tensor(t), p.dtype) for t, p in zip(tangents, primals)]
    with tf.autodiff.ForwardAccumulator(primals, tangents) as accumulator:
        out = fun(*primals)
        out, aux = (out[0], out[1]) if has_aux else (out, None)
        tangents_out = tf.nest.map_structure(
            lambda o: _zeros_if_none(accumulator.jvp(o), o), out)
    return (out, tangents_out, aux) if has_aux else (out, tangents_out)


def _zeros_if_none(tangent, like):
    """ForwardAccumulator gives None for an output that does not depend on the primals."""
    return tf.zeros_like(like) if tangent is None else tangent
