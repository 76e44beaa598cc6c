"""Special functions of the numpy family: the modified Bessel function ``i0``.

Written in ``ops.*`` calls (so they differentiate and trace on every backend), following the
Chebyshev expansions of the Cephes library that numpy's own ``i0`` uses.
"""

from __future__ import annotations

from mini_keras import config, ops
from mini_keras.ops.checks import _tensor
from mini_keras.ops.declare import composite, exported

# Cephes' Chebyshev coefficients of exp(-x) i0(x) on [0, 8] (in x/2 - 2) ...
_I0_SMALL = (
    -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
    1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
    -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11,
    9.675809035373237e-11, -5.189795601635263e-10, 2.6598237246823866e-09,
    -1.300025009986248e-08, 6.046995022541919e-08, -2.670793853940612e-07,
    1.1173875391201037e-06, -4.4167383584587505e-06, 1.6448448070728896e-05,
    -5.754195010082104e-05, 0.00018850288509584165, -0.0005763755745385824,
    0.0016394756169413357, -0.004324309995050576, 0.010546460394594998,
    -0.02373741480589947, 0.04930528423967071, -0.09490109704804764,
    0.17162090152220877, -0.3046826723431984, 0.6767952744094761)
# ... and of sqrt(x) exp(-x) i0(x) on (8, inf) (in 32/x - 2).
_I0_LARGE = (
    -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17,
    3.461222867697461e-17, -2.8276239805165836e-16, -3.425485619677219e-16,
    1.7725601330565263e-15, 3.8116806693526224e-15, -9.554846698828307e-15,
    -4.150569347287222e-14, 1.54008621752141e-14, 3.8527783827421426e-13,
    7.180124451383666e-13, -1.7941785315068062e-12, -1.3215811840447713e-11,
    -3.1499165279632416e-11, 1.1889147107846439e-11, 4.94060238822497e-10,
    3.3962320257083865e-09, 2.266668990498178e-08, 2.0489185894690638e-07,
    2.8913705208347567e-06, 6.889758346916825e-05, 0.0033691164782556943,
    0.8044904110141088)


def _chebyshev(x, coefficients):
    """Clenshaw's sum ``0.5 (b0 - b2)`` of a Chebyshev series at ``x`` (Cephes' ``chbevl``)."""
    b0, b1, b2 = ops.full_like(x, coefficients[0]), ops.zeros_like(x), ops.zeros_like(x)
    for c in coefficients[1:]:
        b2, b1 = b1, b0
        b0 = ops.add(ops.subtract(ops.multiply(x, b1), b2), c)
    return ops.multiply(ops.subtract(b0, b2), 0.5)


def _i0_dtype(dtype):
    """Keras 3's result dtype of ``i0``: 64-bit -> float64, half floats kept, else floatx."""
    if dtype in ("int64", "float64"):
        return "float64"
    return dtype if dtype in ("float16", "bfloat16") else config.floatx()


@composite
def i0(x):
    """The modified Bessel function of the first kind, order 0, elementwise.

    Args:
        x: input tensor. Integers give floatx (int64: float64), half floats keep their dtype.
    """
    x = _tensor(x)
    out_dtype = _i0_dtype(ops.dtype(x))
    work = "float64" if out_dtype == "float64" else "float32"
    a = ops.abs(ops.cast(x, work))
    small = ops.less_equal(a, 8.0)
    near = _chebyshev(ops.subtract(ops.multiply(a, 0.5), 2.0), _I0_SMALL)
    far_a = ops.maximum(a, 8.0)  # the far branch is only kept where a > 8: no 1/0 elsewhere
    far = ops.divide(_chebyshev(ops.subtract(ops.divide(32.0, far_a), 2.0), _I0_LARGE),
                     ops.sqrt(far_a))
    return ops.cast(ops.multiply(ops.exp(a), ops.where(small, near, far)), out_dtype)


__all__ = [name for name in exported(__name__)]
