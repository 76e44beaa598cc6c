"""Backend contract, matrix products and decompositions. Inputs are ``(..., m, n)`` batches of
matrices; a right-hand side ``b`` is ``(..., n, k)`` or, when 1-D, a vector ``(n,)``.
"""

# The functions are stubs: their signatures and docstrings are the contract.

def matmul(x1, x2):
    """Matrix product with numpy's batching/broadcasting rules."""


def einsum(subscripts, *operands):
    """Einstein summation."""


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


def eig_parts(x):
    """Eigenvalues and right eigenvectors of real square matrices, as real and imaginary parts:
    ``(w_real, w_imag, v_real, v_imag)`` (``w``: ``(..., n)``, ``v``: ``(..., n, n)``, columns
    of unit norm, LAPACK's ``geev`` order). Backends hold real tensors, so a complex result
    comes as its two parts; ``ops.eig`` keeps the real ones. No gradient."""
