"""Gradients for MLX's linear-algebra kernels, which have no vjp of their own in MLX 0.32.

``inv``, ``solve``, ``solve_triangular``, ``det`` and ``cholesky`` get their textbook reverse-mode
rules through ``mx.custom_function`` (``qr``, ``svd`` and ``eigh``: :mod:`.decomp_grad`); where a
derivative is undefined, ``no_gradient`` raises ``NotImplementedError`` naming the op (the
contract's rule: never a silent zero).
"""

from __future__ import annotations

import mlx.core as mx

_CPU = mx.cpu


def _t(x):
    return mx.swapaxes(x, -1, -2)


@mx.custom_function
def inv(x):
    """Matrix inverse with ``d/dA = -A^-T G A^-T``."""
    return mx.linalg.inv(x, stream=_CPU)


@inv.vjp
def _inv_vjp(primals, cotangent, output):
    return -_t(output) @ cotangent @ _t(output)


@mx.custom_function
def solve(a, b):
    """``a^-1 b`` for matrix ``b``; ``gb = a^-T g``, ``ga = -gb x^T``."""
    return mx.linalg.solve(a, b, stream=_CPU)


@solve.vjp
def _solve_vjp(primals, cotangent, output):
    a, _ = primals
    gb = mx.linalg.solve(_t(a), cotangent, stream=_CPU)
    return -gb @ _t(output), gb


def solve_triangular(a, b, upper):
    """Triangular solve with the gradient restricted to ``a``'s triangle."""

    @mx.custom_function
    def run(a, b):
        return mx.linalg.solve_triangular(a, b, upper=upper, stream=_CPU)

    @run.vjp
    def _vjp(primals, cotangent, output):
        a, _ = primals
        gb = mx.linalg.solve_triangular(_t(a), cotangent, upper=not upper, stream=_CPU)
        ga = -gb @ _t(output)
        return (mx.triu(ga) if upper else mx.tril(ga)), gb

    return run(a, b)


def det(x, value_fn):
    """Determinant ``value_fn(x)`` with ``d/dA = g det(A) A^-T``."""

    @mx.custom_function
    def run(x):
        return value_fn(x)

    @run.vjp
    def _vjp(primals, cotangent, output):
        scale = (cotangent * output)[..., None, None]
        return scale * _t(mx.linalg.inv(primals, stream=_CPU))

    return run(x)


@mx.custom_function
def cholesky(x):
    """Lower Cholesky factor of symmetric ``x`` (Murray's reverse-mode rule)."""
    return mx.linalg.cholesky(x, stream=_CPU)


@cholesky.vjp
def _cholesky_vjp(primals, cotangent, output):
    lower = output
    phi = mx.tril(_t(lower) @ cotangent)
    phi = phi - 0.5 * mx.diag(mx.diagonal(phi, axis1=-2, axis2=-1)) if phi.ndim == 2 else \
        phi - 0.5 * mx.eye(phi.shape[-1], dtype=phi.dtype) * phi
    inv_l = mx.linalg.solve_triangular(lower, mx.broadcast_to(
        mx.eye(lower.shape[-1], dtype=lower.dtype), lower.shape), upper=False, stream=_CPU)
    s = _t(inv_l) @ phi @ inv_l
    return 0.5 * (s + _t(s))


def no_gradient(op, fn):
    """``fn`` whose gradient raises ``NotImplementedError`` naming ``op``."""

    @mx.custom_function
    def run(x):
        return fn(x)

    @run.vjp
    def _vjp(primals, cotangent, output):
        raise NotImplementedError(f"{op}: the MLX backend has no gradient for {op} (the "
                                  "factorisation does not determine one).")

    return run
