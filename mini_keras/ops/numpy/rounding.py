"""Rounding of the numpy family: ``round(x, decimals)`` (numpy's ``around``, half to even),
a composite over the backends' ``round`` to integers."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.ops.declare import composite, exported

_backend_round = None


@composite
def round(x, decimals=0):
    """Round half to even (numpy's ``around``), to ``decimals`` decimal places (negative:
    tens, hundreds...). Integers pass through unchanged when ``decimals >= 0``."""
    global _backend_round  # resolved once, on first use
    if _backend_round is None:
        from mini_keras.ops.backend_calls import backend_function
        _backend_round = backend_function("round")
    if decimals == 0:
        return _backend_round(x)
    dtype = ops.dtype(x)
    if "int" in dtype:
        if decimals > 0:
            return x
        scale = 10.0 ** decimals
        return ops.cast(ops.divide(_backend_round(ops.multiply(ops.cast(x, "float32"), scale)),
                                   scale), dtype)
    scale = 10.0 ** decimals
    return ops.divide(_backend_round(ops.multiply(x, scale)), scale)


__all__ = [name for name in exported(__name__)]
