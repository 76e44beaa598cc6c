"""Contract extension (see contract.py): math, control-flow, autodiff and random functions.

Everything else of the nn/math/core families (relu6, moments, dot_product_attention, scatter,
map, ...) is written once in ``mini_keras/ops/nn_ext.py`` from contract functions; only what
needs a framework primitive (a traced branch or loop, a custom VJP, a segment reduction, a
random stream) lives here.
"""

__all__ = [
    "cond",
    "custom_gradient",
    "erfinv",
    "fori_loop",
    "random_categorical",
    "random_randint",
    "random_shuffle",
    "random_truncated_normal",
    "segment_max",
    "segment_sum",
    "slice",
    "slice_update",
    "top_k",
    "vectorized_map",
    "while_loop",
]

# ---------------------------------------------------------------------------- math


def top_k(x, k, sorted=True):
    """The ``k`` largest entries along the last axis: ``(values, indices)``.

    ``values`` keeps ``x``'s dtype, ``indices`` are int32; both have shape ``x.shape[:-1] + (k,)``.
    Ordered from largest to smallest (ties: lower index first). Differentiable in ``x``: the
    gradient flows to the selected entries.
    """


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sum the rows of ``data`` (leading axis) that share a segment id.

    ``segment_ids``: 1-D ints in ``[0, num_segments)``, one per row. ``num_segments=None`` means
    ``max(segment_ids) + 1`` (needs concrete ids: pass it inside ``jax.jit``). Empty segments are
    0. Result shape ``(num_segments,) + data.shape[1:]``, dtype of ``data``.
    """


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of ``data`` that share a segment id (same conventions as
    :func:`segment_sum`). Empty segments hold ``-inf`` for floats (the dtype's minimum for ints).
    The gradient flows to the maximal rows (ties share it equally)."""


def erfinv(x):
    """Inverse error function on ``(-1, 1)`` (``±inf`` at ``±1``); float result."""


# ---------------------------------------------------------------------------- control flow


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if the scalar ``pred`` else ``false_fn()``.

    Both branches must return the same structure of tensors with the same shapes and dtypes
    (jax: ``lax.cond``, tensorflow: ``tf.cond``; numpy/torch branch in Python). Differentiable.
    """


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``; returns the final ``val``.

    ``val`` may be a tensor or a list/tuple of tensors whose shapes and dtypes stay fixed.
    jax: ``lax.fori_loop`` (reverse-differentiable when the bounds are Python ints);
    tensorflow: ``tf.while_loop``; numpy/torch: a Python loop.
    """


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``.

    ``loop_vars`` is a tuple/list (``cond``/``body`` take its items as arguments and ``body``
    returns a sequence of the same length) or a single tensor. Stops after at most
    ``maximum_iterations`` steps when given. Returns the final ``loop_vars`` in the same form.
    jax's version cannot be reverse-differentiated (use :func:`fori_loop` or ``scan``).
    """


def vectorized_map(function, elements):
    """``stack([function(e) for e in unstack(elements)])`` over the leading axis.

    ``elements`` may be a tensor or a tuple/list of tensors (``function`` then receives a tuple
    of slices). jax: ``jax.vmap``; tensorflow: ``tf.vectorized_map``; numpy/torch: a loop.
    """


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``; the gradient of ``output`` w.r.t.
    ``args`` is ``grad_fn(upstream)`` (one tensor per argument: a tuple/list when ``f`` takes
    several). ``output`` must be a single tensor. The upstream gradient is always passed
    positionally, so Keras 3's ``def grad(*args, upstream=None)`` works unchanged.
    """


# ---------------------------------------------------------------------------- dynamic slicing


def slice(inputs, start_indices, shape):
    """The block of ``inputs`` of size ``shape`` starting at ``start_indices`` (ints or an int
    tensor, one per axis; may be traced under jit). Differentiable in ``inputs``."""


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block starting at ``start_indices`` replaced by ``updates`` (same
    rank). Differentiable in ``inputs`` (zero gradient inside the block) and ``updates``."""


# ---------------------------------------------------------------------------- random


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples restricted to ``[mean - 2 stddev, mean + 2 stddev]`` (floatx default)."""


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """For 2-D ``logits`` (batch, classes): ``num_samples`` class indices per row drawn with
    probabilities ``softmax(logits)``; shape ``(batch, num_samples)``."""


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """Uniform integers in ``[minval, maxval)``."""


def random_shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` in a random order (one permutation)."""
