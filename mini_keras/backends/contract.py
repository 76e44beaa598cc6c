"""The backend contract: every function a backend must provide, with its exact semantics.

A backend is a package ``mini_keras.backends.<name>`` whose ``__init__`` exports every function
below (same name, same parameters). ``tests/backends/test_contract.py`` fails if one is missing
or its parameters differ. Public ``mini_keras.ops`` functions dispatch to these.

Conventions every backend follows:
- Inputs may be Python scalars, numpy arrays, or the backend's own tensors (numpy backend: also
  its autodiff ``Tensor``). Outputs are the backend's tensors.
- ``dtype`` arguments and :func:`dtype` results are canonical strings: "float16", "bfloat16",
  "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint32", "bool".
  ``dtype=None`` for float creation means ``mini_keras.config.floatx()``. JAX runs with
  ``jax_enable_x64`` off, as Keras 3 does: there, float64/int64 requests give float32/int32
  (silently, without a warning per call).
- ``axis`` may be an int, a tuple of ints or None; negative axes count from the end.
- Tensors are placed on the backend's default accelerator when one is present.
- A function that cannot be differentiated on a backend raises ``NotImplementedError`` naming the
  op when a gradient is requested; it never returns a silent zero gradient.
- Random functions take ``seed``: an int tensor or sequence of shape (2,) = (seed, counter). The
  same seed gives the same numbers on the same backend (streams may differ between backends).
"""


# ---------------------------------------------------------------------------- tensors & devices

def device():
    """Return the device tensors are placed on, e.g. "cpu" or "cuda:0"."""


def convert_to_tensor(x, dtype=None):
    """Convert ``x`` (scalar, list, numpy array, tensor) to a backend tensor, optionally casting.

    Python floats/lists of floats become ``floatx()``; numpy arrays keep their dtype.
    """


def convert_to_numpy(x):
    """Return ``x`` as a numpy array (host copy; detached from any gradient graph)."""


def convert_step_input(x):
    """Prepare one host batch array (numpy) for a step: a backend tensor, or ``x`` itself where
    the compiled step takes numpy faster than a conversion would (JAX's jit dispatch)."""


def is_tensor(x):
    """Return True if ``x`` is a tensor of this backend."""


def shape(x):
    """Return the static shape of ``x`` as a tuple of Python ints."""


def dtype(x):
    """Return the canonical dtype name of ``x`` (e.g. "float32")."""


def cast(x, dtype):
    """Return ``x`` converted to ``dtype`` (no copy when already that dtype)."""


def stop_gradient(x):
    """Return ``x`` treated as a constant by differentiation."""


# ---------------------------------------------------------------------------- variables

def variable_create(value, dtype, trainable):
    """Create the native storage for a Variable from an initial array/tensor; return a handle.

    (tensorflow: a ``tf.Variable``; torch: a tensor on the device; numpy/jax: an array.)
    """


def variable_read(handle):
    """Return the variable's current value as something every op of this backend accepts."""


def variable_assign(handle, value):
    """Store ``value`` (same shape and dtype) into the variable; return the (possibly new) handle."""


def adam_update(variables, gradients, momentums, velocities, velocity_hats, step_size, beta_1,
                beta_2, epsilon):
    """One Adam step for many variables at once (the optimizers' fused path); return new values.

    For each variable ``w`` with gradient ``g`` (cast to ``w``'s dtype), in Keras 3's order:
    ``m += (g - m)(1 - beta_1)``; ``v += (g^2 - v)(1 - beta_2)``; with AMSGrad
    ``v_hat = max(v_hat, v)`` replaces ``v`` below; ``w -= (m * step_size) / (sqrt(v) + epsilon)``.

    ``variables``, ``momentums``, ``velocities`` and ``velocity_hats`` (None without AMSGrad) are
    lists of variable values as :func:`variable_read` returns them; ``step_size`` is a scalar
    tensor (``lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``). Returns
    ``(variables, momentums, velocities, velocity_hats)``: the new values. A backend may update
    its variables' storage in place and return those same objects (torch); the caller stores every
    returned value that is not the variable's own handle with :func:`variable_assign`. Optimizers
    call it only outside a ``StatelessScope``.
    """


def sgd_update(variables, gradients, momentums, learning_rate, momentum, nesterov):
    """One SGD step for many variables at once (the optimizers' fused path); return new values.

    For each variable ``w`` with gradient ``g`` (cast to ``w``'s dtype), in Keras 3's order:
    ``s = learning_rate * g``; without momentum (``momentums`` is None) ``w -= s``; else
    ``m = momentum * m - s`` and ``w += m`` (Nesterov: ``w += momentum * m - s``).

    Values, the return value ``(variables, momentums)`` and in-place updates as
    :func:`adam_update`; ``learning_rate`` is a scalar tensor.
    """


# ---------------------------------------------------------------------------- creation

def zeros(shape, dtype=None):
    """Tensor of zeros."""


def ones(shape, dtype=None):
    """Tensor of ones."""


def full(shape, fill_value, dtype=None):
    """Tensor filled with ``fill_value``."""


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in ``[start, stop)`` (int32 for int arguments, else floatx)."""


def eye(N, M=None, k=0, dtype=None):
    """2-D tensor with ones on the ``k``-th diagonal."""


# ---------------------------------------------------------------------------- elementwise

def add(x1, x2):
    """``x1 + x2`` with broadcasting."""


def subtract(x1, x2):
    """``x1 - x2`` with broadcasting."""


def multiply(x1, x2):
    """``x1 * x2`` with broadcasting."""


def divide(x1, x2):
    """True division ``x1 / x2`` with broadcasting."""


def power(x1, x2):
    """``x1 ** x2`` with broadcasting."""


def maximum(x1, x2):
    """Elementwise maximum (gradient flows to the larger input; ties to ``x1``)."""


def minimum(x1, x2):
    """Elementwise minimum (gradient flows to the smaller input; ties to ``x1``)."""


def negative(x):
    """``-x``."""


def abs(x):
    """``|x|`` (gradient ``sign(x)``)."""


def sign(x):
    """Sign of ``x`` (-1, 0, 1); gradient zero."""


def exp(x):
    """``e ** x``."""


def log(x):
    """Natural logarithm."""


def log1p(x):
    """``log(1 + x)``."""


def expm1(x):
    """``exp(x) - 1``."""


def sqrt(x):
    """Square root."""


def square(x):
    """``x * x``."""


def sin(x):
    """Sine."""


def cos(x):
    """Cosine."""


def tanh(x):
    """Hyperbolic tangent."""


def floor(x):
    """Round down (gradient zero)."""


def ceil(x):
    """Round up (gradient zero)."""


def round(x):
    """Round half to even (gradient zero)."""


def erf(x):
    """Gauss error function."""


def where(condition, x1, x2):
    """Pick ``x1`` where ``condition`` else ``x2`` (broadcasting)."""


def clip(x, x_min, x_max):
    """Clip values to ``[x_min, x_max]`` (gradient 1 inside, 0 outside)."""


# ---------------------------------------------------------------------------- comparison & logic

def equal(x1, x2):
    """``x1 == x2`` as bool."""


def not_equal(x1, x2):
    """``x1 != x2`` as bool."""


def greater(x1, x2):
    """``x1 > x2`` as bool."""


def greater_equal(x1, x2):
    """``x1 >= x2`` as bool."""


def less(x1, x2):
    """``x1 < x2`` as bool."""


def less_equal(x1, x2):
    """``x1 <= x2`` as bool."""


def logical_and(x1, x2):
    """Elementwise AND."""


def logical_or(x1, x2):
    """Elementwise OR."""


def logical_not(x):
    """Elementwise NOT."""


# ---------------------------------------------------------------------------- reductions

def sum(x, axis=None, keepdims=False):
    """Sum over ``axis``."""


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (float result)."""


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (gradient to the arg-max; ties share it equally)."""


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``."""


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""


def argmax(x, axis=None, keepdims=False):
    """Index of the maximum (int32 result; first on ties)."""


def argmin(x, axis=None, keepdims=False):
    """Index of the minimum (int32 result; first on ties)."""


def any(x, axis=None, keepdims=False):
    """Logical OR over ``axis``."""


def all(x, axis=None, keepdims=False):
    """Logical AND over ``axis``."""


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None)."""


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` computed stably."""


# ---------------------------------------------------------------------------- shapes & indexing

def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""


def expand_dims(x, axis):
    """Insert a size-1 dimension at ``axis``."""


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""


def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis."""


def stack(x, axis=0):
    """Join a sequence of tensors along a new axis."""


def split(x, indices_or_sections, axis=0):
    """Split into a list of tensors (equal sections, or at the given indices)."""


def broadcast_to(x, shape):
    """Broadcast to ``shape``."""


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` = ((before, after), ...) per axis; modes constant/reflect/symmetric."""


def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x``."""


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and integer/bool index arrays."""


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` (floatx by default); not differentiable in ``x``."""


def sort(x, axis=-1):
    """Sort ascending along ``axis``."""


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32)."""


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at integer coordinates ``indices`` (shape (N, k))."""


# ---------------------------------------------------------------------------- linear algebra

def matmul(x1, x2):
    """Matrix product with numpy's batching/broadcasting rules."""


def einsum(subscripts, *operands):
    """Einstein summation."""


# ---------------------------------------------------------------------------- neural-network ops

def relu(x):
    """``max(x, 0)``."""


def sigmoid(x):
    """``1 / (1 + exp(-x))``, computed stably."""


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""


def softsign(x):
    """``x / (1 + |x|)``."""


def silu(x):
    """``x * sigmoid(x)``."""


def gelu(x, approximate=True):
    """Gaussian error linear unit (tanh approximation when ``approximate``)."""


def elu(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""


def selu(x):
    """Scaled ELU with Keras' constants (alpha=1.67326324, scale=1.05070098)."""


def leaky_relu(x, negative_slope=0.2):
    """``x`` if ``x > 0`` else ``negative_slope * x``."""


def softmax(x, axis=-1):
    """Softmax along ``axis``, computed stably."""


def log_softmax(x, axis=-1):
    """Log-softmax along ``axis``, computed stably."""


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with one-hot/probability targets (probabilities clipped to
    ``[epsilon, 1 - epsilon]`` when not ``from_logits``). Returns shape ``output.shape`` minus ``axis``."""


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Per-sample cross-entropy with integer targets; same clipping rule as the categorical one."""


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy (probabilities clipped to ``[epsilon, 1 - epsilon]``)."""


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution (1-D and 2-D at least). ``kernel``: spatial dims + (in_channels / groups,
    out_channels); ``padding`` "valid" or "same"; ``data_format`` "channels_last" (default) or
    "channels_first"; ``strides``/``dilation_rate`` int or tuple."""


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """Depthwise convolution; ``kernel``: spatial dims + (in_channels, depth_multiplier)."""


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel``: spatial dims + (out_channels, in_channels) as Keras."""


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling (1-D and 2-D at least); ``strides`` default to ``pool_size``."""


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with "same" padding the average counts only real (unpadded) entries."""


# ---------------------------------------------------------------------------- random

def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in ``[minval, maxval)``."""


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples."""


# ---------------------------------------------------------------------------- control flow, autodiff, compilation

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


# ---------------------------------------------------------------------------- extensions
# The numpy-like and nn/math/core op families live in their own files to keep this one short;
# they are part of the contract exactly like the functions above.
from mini_keras.backends.contract_nn_ext import *
from mini_keras.backends.contract_numpy_ext import *
from mini_keras.backends.contract_rnn_ext import *

_MODULES = ("mini_keras.backends.contract", "mini_keras.backends.contract_numpy_ext",
            "mini_keras.backends.contract_nn_ext", "mini_keras.backends.contract_rnn_ext")


def functions() -> dict:
    """Return every contract function by name (this module and its extension modules)."""
    import inspect
    return {name: fn for name, fn in globals().items()
            if inspect.isfunction(fn) and fn.__module__ in _MODULES and name != "functions"
            and not name.startswith("_")}
