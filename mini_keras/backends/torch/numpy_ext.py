"""PyTorch backend: numpy-like primitives and linear algebra (contract_numpy_ext)."""

from __future__ import annotations

import torch

from mini_keras.backends.torch.core import convert_to_tensor, to_torch_dtype
from mini_keras.backends.torch.math import _as_float, operands

# ---------------------------------------------------------------------------- elementwise


def tan(x):
    """Tangent."""
    return torch.tan(_as_float(x))


def arcsin(x):
    """Inverse sine."""
    return torch.asin(_as_float(x))


def arccos(x):
    """Inverse cosine."""
    return torch.acos(_as_float(x))


def arctan(x):
    """Inverse tangent."""
    return torch.atan(_as_float(x))


def arctan2(x1, x2):
    """Angle of the point ``(x2, x1)``."""
    x1 = x1 if isinstance(x1, float) else _as_float(x1)
    x2 = x2 if isinstance(x2, float) else _as_float(x2)
    x1, x2 = operands(x1, x2)
    x1, x2 = (torch.full_like(x2, x1) if isinstance(x1, float) else x1,
              torch.full_like(x1, x2) if isinstance(x2, float) else x2)
    common = torch.promote_types(x1.dtype, x2.dtype)
    return torch.atan2(x1.to(common), x2.to(common))


def sinh(x):
    """Hyperbolic sine."""
    return torch.sinh(_as_float(x))


def cosh(x):
    """Hyperbolic cosine."""
    return torch.cosh(_as_float(x))


def arcsinh(x):
    """Inverse hyperbolic sine."""
    return torch.asinh(_as_float(x))


def arccosh(x):
    """Inverse hyperbolic cosine."""
    return torch.acosh(_as_float(x))


def arctanh(x):
    """Inverse hyperbolic tangent."""
    return torch.atanh(_as_float(x))


def trunc(x):
    """Round toward zero (integers pass through)."""
    x = convert_to_tensor(x)
    return torch.trunc(x) if x.is_floating_point() else x


def isnan(x):
    """Elementwise NaN test."""
    return torch.isnan(convert_to_tensor(x))


def isinf(x):
    """Elementwise infinity test."""
    return torch.isinf(convert_to_tensor(x))


def isfinite(x):
    """Elementwise finiteness test."""
    return torch.isfinite(convert_to_tensor(x))


def _int_operands(x1, x2):
    x1, x2 = operands(x1, x2)
    return [x.to(torch.int32) if isinstance(x, torch.Tensor) and x.dtype == torch.bool else x
            for x in (x1, x2)]


def mod(x1, x2):
    """Floor remainder (sign of ``x2``)."""
    x1, x2 = _int_operands(x1, x2)
    if not isinstance(x1, torch.Tensor):
        x1 = torch.full_like(x2, x1)
    return torch.remainder(x1, x2)


def floor_divide(x1, x2):
    """``floor(x1 / x2)`` in the common dtype (gradient zero)."""
    x1, x2 = _int_operands(x1, x2)
    if not isinstance(x1, torch.Tensor):
        x1 = torch.full_like(x2, x1)
    out = torch.div(x1, x2, rounding_mode="floor")
    return out.detach() if out.is_floating_point() else out  # zero gradient, as a.e.


# ---------------------------------------------------------------------------- scans & search


def cumprod(x, axis=None, dtype=None):
    """Cumulative product (ints keep their dtype; bool -> int32)."""
    x = convert_to_tensor(x)
    if dtype is not None:
        x = x.to(to_torch_dtype(dtype))
    elif x.dtype == torch.bool:
        x = x.to(torch.int32)
    if axis is None:
        x, axis = x.reshape(-1), 0
    return torch.cumprod(x, dim=int(axis), dtype=x.dtype)


def nonzero(x):
    """Tuple of int32 index tensors of the non-zero entries."""
    return tuple(i.to(torch.int32) for i in torch.nonzero(convert_to_tensor(x), as_tuple=True))


def searchsorted(sorted_sequence, values, side="left"):
    """int32 insertion indices into the sorted 1-D sequence."""
    sequence, values = convert_to_tensor(sorted_sequence), convert_to_tensor(values)
    common = torch.promote_types(sequence.dtype, values.dtype)
    out = torch.searchsorted(sequence.to(common), values.to(common).reshape(-1), side=side,
                             out_int32=True)
    return out.reshape(values.shape)


# ---------------------------------------------------------------------------- linear algebra


def _float_pair(a, b):
    a, b = _as_float(a), _as_float(b)
    common = torch.promote_types(a.dtype, b.dtype)
    return a.to(common), b.to(common)


def inv(x):
    """Matrix inverse."""
    return torch.linalg.inv(_as_float(x))


def solve(a, b):
    """Solve ``a @ x = b`` (``b`` (..., n, k) or (n,))."""
    a, b = _float_pair(a, b)
    if b.dim() == 1:
        return torch.linalg.solve(a, b[:, None])[..., 0]
    return torch.linalg.solve(a, b)


def det(x):
    """Determinant."""
    return torch.linalg.det(_as_float(x))


def cholesky(x, upper=False):
    """Cholesky factor (lower, or its transpose when ``upper``)."""
    return torch.linalg.cholesky(_as_float(x), upper=upper)


def qr(x, mode="reduced"):
    """QR decomposition ``(q, r)``."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: `mode` must be 'reduced' or 'complete', received {mode!r}.")
    q, r = torch.linalg.qr(_as_float(x), mode=mode)
    return q, r


def svd(x, full_matrices=True, compute_uv=True):
    """SVD ``(u, s, vh)`` (or only ``s``)."""
    x = _as_float(x)
    if not compute_uv:
        return torch.linalg.svdvals(x)
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def eigh(x):
    """Symmetric eigen-decomposition ``(w, v)`` (lower triangle read)."""
    w, v = torch.linalg.eigh(_as_float(x))
    return w, v


def solve_triangular(a, b, lower=False):
    """Triangular solve ``a @ x = b``."""
    a, b = _float_pair(a, b)
    if b.dim() == 1:
        return torch.linalg.solve_triangular(a, b[:, None], upper=not lower)[..., 0]
    return torch.linalg.solve_triangular(a, b, upper=not lower)
