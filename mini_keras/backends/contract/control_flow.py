"""Backend contract, loops, branches, autodiff and compilation.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def scan(f, init, xs=None, length=None, reverse=False):
    """``carry, y = f(carry, x)`` over the leading axis of ``xs`` (a tensor or list of tensors);
    returns ``(final_carry, stacked_ys)``. ``carry`` and ``y`` may be tensors or lists of tensors."""


def value_and_grad(fn, has_aux=False):
    """Return ``g(values) -> (value, grads)`` (``((value, aux), grads)`` with ``has_aux``).

    ``fn`` takes a list of tensors and returns a scalar (and ``aux``, any nest of tensors).
    ``grads`` has one entry per input value, of its shape; an input that does not affect the
    value gets zeros. Returned ``value``/``aux`` carry no gradient graph.
    """


def compile(fn, state_variables, jit_compile=None):
    """Return a callable that behaves like ``fn`` (which reads/assigns ``state_variables``).

    numpy and torch may return ``fn`` itself; tensorflow wraps it in ``tf.function``
    (``jit_compile`` selects XLA); jax turns it into a pure function of the variables' values
    with :class:`mini_keras.core.stateless.StatelessScope`, ``jax.jit``-compiles it with the
    values donated, and writes the new values back after each call.
    """


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


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: ``(fun(*primals), J(primals) @ tangents)`` (``jax.jvp``).

    ``primals`` and ``tangents`` are tuples of tensors of the same shapes; ``fun`` returns a
    tensor or a nest of tensors (and ``aux`` with ``has_aux``: then the result is
    ``(primals_out, tangents_out, aux)``). ``tangents_out`` has ``primals_out``'s structure.
    """
