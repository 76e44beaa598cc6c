"""Window functions of the numpy family (hanning, hamming, blackman, bartlett, kaiser), as numpy's:
``x`` points of the symmetric window, in ``config.floatx()`` (Keras 3's dtype)."""

from __future__ import annotations

import math

from mini_keras import ops
from mini_keras.ops.checks import _fail
from mini_keras.ops.declare import composite, exported


def _points(name, x):
    """``2 pi n / (x - 1)`` for ``n < x`` in float32, or None when ``x <= 1``."""
    if isinstance(x, bool) or not isinstance(x, int):
        _fail(name, f"`x` must be a Python int (the number of points), received {x!r}",
              TypeError)
    if x <= 1:
        return None
    return ops.multiply(ops.arange(x, dtype="float32"), 2.0 * math.pi / (x - 1))


def _window(name, x, fn):
    from mini_keras import config
    angles = _points(name, x)
    if angles is None:
        return ops.ones((max(x, 0),), dtype=config.floatx())
    return ops.cast(fn(angles), config.floatx())


@composite
def hanning(x):
    """The Hann window ``0.5 - 0.5 cos(2 pi n / (x - 1))`` of ``x`` points.

    Args:
        x: the number of points (a Python int).
    """
    return _window("hanning", x, lambda a: ops.subtract(0.5, ops.multiply(0.5, ops.cos(a))))


@composite
def hamming(x):
    """The Hamming window ``0.54 - 0.46 cos(2 pi n / (x - 1))`` of ``x`` points.

    Args:
        x: the number of points (a Python int).
    """
    return _window("hamming", x, lambda a: ops.subtract(0.54, ops.multiply(0.46, ops.cos(a))))


@composite
def blackman(x):
    """The Blackman window ``0.42 - 0.5 cos(a) + 0.08 cos(2a)``, ``a = 2 pi n / (x - 1)``.

    Args:
        x: the number of points (a Python int).
    """
    return _window("blackman", x, lambda a: ops.add(
        ops.subtract(0.42, ops.multiply(0.5, ops.cos(a))),
        ops.multiply(0.08, ops.cos(ops.multiply(a, 2.0)))))


@composite
def bartlett(x):
    """The Bartlett (triangular) window ``1 - |2n / (x - 1) - 1|`` of ``x`` points.

    Args:
        x: the number of points (a Python int).
    """
    return _window("bartlett", x, lambda a: ops.subtract(
        1.0, ops.abs(ops.subtract(ops.divide(a, math.pi), 1.0))))


@composite
def kaiser(x, beta):
    """The Kaiser window ``i0(beta sqrt(1 - (2n / (x - 1) - 1)^2)) / i0(beta)`` of ``x`` points.

    Args:
        x: the number of points (a Python int).
        beta: the shape parameter (a float, or a scalar tensor).
    """
    from mini_keras import config
    if isinstance(x, bool) or not isinstance(x, int):
        _fail("kaiser", f"`x` must be a Python int (the number of points), received {x!r}",
              TypeError)
    if x <= 1:
        return ops.ones((max(x, 0),), dtype=config.floatx())
    beta = ops.cast(beta, "float32")
    ratio = ops.subtract(ops.multiply(ops.arange(x, dtype="float32"), 2.0 / (x - 1)), 1.0)
    inside = ops.sqrt(ops.maximum(ops.subtract(1.0, ops.square(ratio)), 0.0))
    return ops.cast(ops.divide(ops.i0(ops.multiply(beta, inside)), ops.i0(beta)),
                    config.floatx())


__all__ = [name for name in exported(__name__)]
