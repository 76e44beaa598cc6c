"""Contract extension (see contract.py): numpy-like primitives and linear algebra.

Only what cannot be written once from other contract functions lives here; the many numpy-like
ops that can (``log2``, ``tensordot``, ``norm`` ...) are composites in
:mod:`mini_keras.ops.numpy_ext`.

Dtype rules: float-only math (trigonometry, linear algebra) turns integer/bool inputs into
``floatx()``; ``trunc``/``mod``/``floor_divide``/``cumprod`` keep integer dtypes (bool -> int32);
predicates return bool; index results are int32. Linear-algebra inputs are ``(..., m, n)``
batches of matrices; a right-hand side ``b`` is ``(..., n, k)`` or, when 1-D, a vector ``(n,)``.
"""

__all__ = [
    "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "cholesky",
    "cosh", "cumprod", "det", "eigh", "floor_divide", "inv", "isfinite", "isinf", "isnan",
    "mod", "nonzero", "qr", "searchsorted", "sinh", "solve", "solve_triangular", "svd", "tan",
    "trunc",
]

# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent (gradient ``1 + tan(x)**2``)."""


def arcsin(x):
    """Inverse sine (gradient ``1 / sqrt(1 - x**2)``)."""


def arccos(x):
    """Inverse cosine (gradient ``-1 / sqrt(1 - x**2)``)."""


def arctan(x):
    """Inverse tangent (gradient ``1 / (1 + x**2)``)."""


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)`` in ``[-pi, pi]``, with broadcasting."""


def sinh(x):
    """Hyperbolic sine."""


def cosh(x):
    """Hyperbolic cosine."""


def arcsinh(x):
    """Inverse hyperbolic sine."""


def arccosh(x):
    """Inverse hyperbolic cosine (``x >= 1``)."""


def arctanh(x):
    """Inverse hyperbolic tangent (``|x| < 1``)."""


def trunc(x):
    """Round toward zero (integers pass through; gradient zero)."""


def isnan(x):
    """Elementwise ``x != x`` as bool (all False for integers); not differentiable."""


def isinf(x):
    """Elementwise ``|x| == inf`` as bool; not differentiable."""


def isfinite(x):
    """Elementwise "neither NaN nor infinite" as bool; not differentiable."""


def mod(x1, x2):
    """Floor remainder ``x1 - floor(x1 / x2) * x2`` (sign of ``x2``; bool -> int32).

    Gradient: 1 for ``x1``, ``-floor(x1 / x2)`` for ``x2``.
    """


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the operands' common dtype (gradient zero)."""


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product along ``axis`` (flattened when None); ``dtype`` casts first."""


def nonzero(x):
    """Tuple (one per dimension) of int32 index tensors of the non-zero entries.

    The output shape depends on the values: eager only (not inside ``jax.jit`` /
    ``tf.function``), and not differentiable.
    """


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices of ``values`` into the 1-D ``sorted_sequence`` (not
    differentiable); ``side`` "left" (first suitable) or "right" (last)."""


# ---------------------------------------------------------------------------- linear algebra


def inv(x):
    """Inverse of each square matrix in ``x`` (gradient ``-inv^T g inv^T``)."""


def solve(a, b):
    """Solve ``a @ x = b`` for ``x``; ``a`` (..., n, n), ``b`` (..., n, k) or (n,)."""


def det(x):
    """Determinant of each square matrix (gradient ``det * inv(x)^T``)."""


def cholesky(x, upper=False):
    """Cholesky factor of each symmetric positive-definite matrix: lower ``L`` with
    ``x = L @ L^T`` (``L^T`` when ``upper``). Only the lower triangle of ``x`` is read."""


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)``; ``mode`` "reduced" (q: (..., m, k), k = min(m, n)) or
    "complete" (q: (..., m, m)). Gradient: "reduced" mode with m >= n."""


def svd(x, full_matrices=True, compute_uv=True):
    """Singular value decomposition ``(u, s, vh)`` with ``x = u @ diag(s) @ vh`` and ``s``
    descending; only ``s`` when not ``compute_uv``. Gradient through u/vh needs
    ``full_matrices=False`` or square matrices and distinct singular values."""


def eigh(x):
    """Eigen-decomposition ``(w, v)`` of symmetric matrices: ascending eigenvalues ``w`` and
    column eigenvectors ``v``. Only the lower triangle is read (symmetric inputs expected)."""


def solve_triangular(a, b, lower=False):
    """Solve ``a @ x = b`` with ``a`` triangular (only that triangle is read)."""
