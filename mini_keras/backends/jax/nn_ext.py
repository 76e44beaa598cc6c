"""jax backend of contract_nn_ext: top_k, segment reductions, erfinv, ``lax`` control flow (works
inside ``jax.jit``), ``jax.custom_gradient``, ``lax.dynamic_slice`` and the extra samplers."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from mini_keras.backends.jax.core import _canonical, _float_or, _key, convert_to_tensor

# ---------------------------------------------------------------------------- math


def top_k(x, k, sorted=True):
    """``lax.top_k`` along the last axis; int32 indices."""
    values, indices = jax.lax.top_k(convert_to_tensor(x), k)
    return values, indices.astype("int32")


def _num_segments(segment_ids, num_segments):
    return int(np.max(np.asarray(segment_ids))) + 1 if num_segments is None else num_segments


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """``jax.ops.segment_sum``."""
    ids = convert_to_tensor(segment_ids)
    return jax.ops.segment_sum(convert_to_tensor(data), ids, _num_segments(ids, num_segments),
                               indices_are_sorted=sorted)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """``jax.ops.segment_max`` (empty segments: the dtype's lowest value)."""
    ids = convert_to_tensor(segment_ids)
    return jax.ops.segment_max(convert_to_tensor(data), ids, _num_segments(ids, num_segments),
                               indices_are_sorted=sorted)


def erfinv(x):
    """``jax.scipy.special.erfinv`` (ints become floatx)."""
    x = convert_to_tensor(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(_float_or(None))
    return jax.scipy.special.erfinv(x)


# ---------------------------------------------------------------------------- control flow


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


# ---------------------------------------------------------------------------- dynamic slicing


def _starts(start_indices):
    if isinstance(start_indices, (list, tuple)):
        return [jnp.asarray(s, "int32") for s in start_indices]
    starts = convert_to_tensor(start_indices)
    return [starts[i] for i in range(starts.shape[0])]


def slice(inputs, start_indices, shape):
    """``lax.dynamic_slice``."""
    return jax.lax.dynamic_slice(convert_to_tensor(inputs), _starts(start_indices), tuple(shape))


def slice_update(inputs, start_indices, updates):
    """``lax.dynamic_update_slice``."""
    inputs = convert_to_tensor(inputs)
    updates = convert_to_tensor(updates).astype(inputs.dtype)
    return jax.lax.dynamic_update_slice(inputs, updates, _starts(start_indices))


# ---------------------------------------------------------------------------- random


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``jax.random.truncated_normal`` on ``[-2, 2]``, scaled and shifted."""
    dtype = _float_or(dtype)
    sample = jax.random.truncated_normal(_key(seed), -2.0, 2.0, tuple(shape), dtype=dtype)
    return (sample * stddev + mean).astype(dtype)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``jax.random.categorical`` drawing ``num_samples`` per row."""
    logits = convert_to_tensor(logits)
    out = jax.random.categorical(_key(seed), logits[:, None, :],
                                 shape=(logits.shape[0], int(num_samples)))
    return out.astype(_canonical(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """``jax.random.randint`` in ``[minval, maxval)``."""
    return jax.random.randint(_key(seed), tuple(shape), minval, maxval, dtype=_canonical(dtype))


def random_shuffle(x, axis=0, seed=None):
    """``jax.random.permutation`` of the slices along ``axis``."""
    return jax.random.permutation(_key(seed), convert_to_tensor(x), axis=axis, independent=False)
