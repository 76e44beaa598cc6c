"""Activation functions by name (Keras 3 names), each a thin wrapper over ``mini_keras.ops``."""

from __future__ import annotations

from mini_keras import ops

__all__ = [
    "elu",
    "exponential",
    "gelu",
    "get",
    "leaky_relu",
    "linear",
    "log_softmax",
    "relu",
    "selu",
    "serialize",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "swish",
    "tanh",
]


def relu(x):
    """``max(x, 0)``."""
    return ops.relu(x)


def sigmoid(x):
    """Logistic sigmoid."""
    return ops.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(x)


def softmax(x, axis=-1):
    """Softmax over ``axis``."""
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """Log-softmax over ``axis``."""
    return ops.log_softmax(x, axis=axis)


def softplus(x):
    """``log(1 + exp(x))``."""
    return ops.softplus(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    return ops.softsign(x)


def silu(x):
    """``x * sigmoid(x)``."""
    return ops.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit (Keras' activation default: exact erf form)."""
    return ops.gelu(x, approximate=approximate)


def elu(x, alpha=1.0):
    """Exponential linear unit."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """Scaled exponential linear unit."""
    return ops.selu(x)


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def exponential(x):
    """``exp(x)``."""
    return ops.exp(x)


def linear(x):
    """Identity."""
    return x


_BY_NAME = {f.__name__: f for f in (relu, sigmoid, tanh, softmax, log_softmax, softplus,
                                    softsign, silu, gelu, elu, selu, leaky_relu, exponential,
                                    linear)}
_BY_NAME["swish"] = silu


def get(identifier):
    """Return the activation for a name ("relu"), None (linear) or a callable."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]
    raise ValueError(f"Unknown activation {identifier!r}. Valid names: {', '.join(sorted(_BY_NAME))}")


def serialize(fn) -> str:
    """Return the activation's name (for ``get_config``)."""
    for name, f in _BY_NAME.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", str(fn))
