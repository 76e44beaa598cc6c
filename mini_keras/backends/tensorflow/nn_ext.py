"""tensorflow backend of contract_nn_ext: top_k, segment reductions, erfinv, ``tf.cond`` /
``tf.while_loop`` control flow (works inside ``tf.function``), ``tf.custom_gradient``, dynamic
slicing and the extra stateless samplers."""

from __future__ import annotations

import tensorflow as tf

from mini_keras.backends.tensorflow.core import _shape_arg, _stateless_seed, convert_to_tensor
from mini_keras.common import settings as config

# ---------------------------------------------------------------------------- math


def top_k(x, k, sorted=True):
    """``tf.math.top_k`` (always sorted, stable on ties); int32 indices."""
    values, indices = tf.math.top_k(convert_to_tensor(x), k, sorted=True)
    return values, tf.cast(indices, tf.int32)


def _segments(data, segment_ids, num_segments):
    ids = tf.cast(convert_to_tensor(segment_ids), tf.int32)
    n = tf.reduce_max(ids) + 1 if num_segments is None else num_segments
    return convert_to_tensor(data), ids, n


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """``tf.math.unsorted_segment_sum``."""
    return tf.math.unsorted_segment_sum(*_segments(data, segment_ids, num_segments))


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """``tf.math.unsorted_segment_max`` (empty segments: the dtype's lowest value)."""
    data, ids, n = _segments(data, segment_ids, num_segments)
    out = tf.math.unsorted_segment_max(data, ids, n)
    if data.dtype.is_floating:  # tf fills empty segments with the finite minimum, not -inf
        empty = tf.math.unsorted_segment_sum(tf.ones_like(ids), ids, n) == 0
        empty = tf.reshape(empty, [-1] + [1] * (len(data.shape) - 1))
        out = tf.where(empty, tf.constant(-float("inf"), data.dtype), out)
    return out


def erfinv(x):
    """``tf.math.erfinv`` (ints become floatx)."""
    x = convert_to_tensor(x)
    return tf.math.erfinv(x if x.dtype.is_floating else tf.cast(x, config.floatx()))


# ---------------------------------------------------------------------------- control flow


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


# ---------------------------------------------------------------------------- dynamic slicing


def _starts(start_indices):
    return tf.cast(tf.reshape(convert_to_tensor(start_indices), [-1]), tf.int32)


def slice(inputs, start_indices, shape):
    """``tf.slice``."""
    return tf.slice(convert_to_tensor(inputs), _starts(start_indices), list(shape))


def slice_update(inputs, start_indices, updates):
    """Pad ``updates`` into place and select it with a padded mask (dynamic starts work)."""
    inputs = convert_to_tensor(inputs)
    updates = tf.cast(convert_to_tensor(updates), inputs.dtype)
    starts = _starts(start_indices)
    ends = tf.shape(inputs) - starts - tf.shape(updates)
    paddings = tf.stack([starts, ends], axis=1)
    placed = tf.pad(updates, paddings)
    mask = tf.pad(tf.ones_like(updates, tf.bool), paddings)
    return tf.where(mask, placed, inputs)


# ---------------------------------------------------------------------------- random


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``tf.random.stateless_truncated_normal`` (stateful without a seed)."""
    dtype, shape = dtype or config.floatx(), _shape_arg(shape)
    if seed is None:
        return tf.random.truncated_normal(shape, mean, stddev, dtype=dtype)
    return tf.random.stateless_truncated_normal(shape, _stateless_seed(seed), mean, stddev,
                                                dtype=dtype)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``tf.random.stateless_categorical``."""
    logits = convert_to_tensor(logits)
    if seed is None:
        return tf.random.categorical(logits, num_samples, dtype=dtype)
    return tf.random.stateless_categorical(logits, num_samples, _stateless_seed(seed),
                                           dtype=dtype)


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integer ``stateless_uniform`` in ``[minval, maxval)``."""
    shape = _shape_arg(shape)
    if seed is None:
        return tf.random.uniform(shape, minval, maxval, dtype=dtype)
    out = tf.random.stateless_uniform(shape, _stateless_seed(seed), minval, maxval, dtype="int64")
    return tf.cast(out, dtype)


def random_shuffle(x, axis=0, seed=None):
    """Gather along ``axis`` in the order of ``argsort`` of uniform noise."""
    x = convert_to_tensor(x)
    n = tf.shape(x)[axis]
    noise = (tf.random.uniform([n]) if seed is None
             else tf.random.stateless_uniform([n], _stateless_seed(seed)))
    return tf.gather(x, tf.argsort(noise), axis=axis)
