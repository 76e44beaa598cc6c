"""Reverse-mode automatic differentiation for the numpy backend.

A :class:`Tensor` wraps an ``ndarray`` plus how it was computed. Ops call :func:`record` with the
forward result, their inputs and a ``backward(g)`` closure returning one gradient per input; the
rule sits right under the forward formula in each op. When no input needs a gradient, ``record``
returns the plain ``ndarray``: inference runs on bare numpy with no bookkeeping.

:func:`grad` walks the recorded graph from a scalar in reverse topological order, summing
gradients (``unbroadcast`` undoes numpy broadcasting so each gradient has its input's shape).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class Tensor:
    """An ndarray that remembers the op that made it, for backpropagation.

    Attributes:
        data: the value (``np.ndarray``).
        parents: the input Tensors (or arrays) of the op that produced it.
        backward: ``g -> tuple of gradients``, one per parent (None for leaves).
    """

    __slots__ = ("backward", "data", "name", "parents")
    __array_priority__ = 1000  # make `ndarray + Tensor` call Tensor.__radd__
    __array_ufunc__ = None     # numpy ufuncs must not silently unwrap a Tensor (no gradient)

    def __init__(self, data, parents: Sequence = (), backward: Callable | None = None, name=None):
        self.data = data if isinstance(data, np.ndarray) else np.asarray(data)
        self.parents = tuple(parents)
        self.backward = backward
        self.name = name

    shape = property(lambda self: self.data.shape, doc="Shape of the value.")
    dtype = property(lambda self: self.data.dtype, doc="numpy dtype of the value.")
    ndim = property(lambda self: self.data.ndim, doc="Number of dimensions.")
    size = property(lambda self: self.data.size, doc="Number of elements.")

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        return f"Tensor({self.data!r})"

    def numpy(self) -> np.ndarray:
        """Return the value as an ndarray."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    # Python operators route to the backend ops so their gradients are recorded.
    def _binary(name, reverse=False):
        def method(self, other):
            from mini_keras.backends import numpy as nb
            fn = getattr(nb, name)
            return fn(other, self) if reverse else fn(self, other)
        return method

    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __truediv__, __rtruediv__ = _binary("divide"), _binary("divide", True)
    __pow__, __rpow__ = _binary("power"), _binary("power", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    del _binary

    def __neg__(self):
        from mini_keras.backends import numpy as nb
        return nb.negative(self)

    def __getitem__(self, key):
        from mini_keras.backends import numpy as nb
        return nb.getitem(self, key)

    @property
    def T(self):
        """Reversed-axes transpose."""
        from mini_keras.backends import numpy as nb
        return nb.transpose(self)

    __hash__ = object.__hash__


def data(x) -> np.ndarray:
    """Return the ndarray inside ``x`` (a Tensor, an ndarray or a scalar)."""
    return x.data if isinstance(x, Tensor) else x


def needs_grad(x) -> bool:
    """True if ``x`` is a Tensor taking part in a gradient computation."""
    return isinstance(x, Tensor)


def record(out, inputs: Sequence, backward: Callable):
    """Return ``out`` as a graph node if any input needs a gradient, else the bare array.

    Args:
        out: the forward result (ndarray).
        inputs: the op's differentiable inputs, in the order ``backward`` returns gradients.
        backward: ``g -> tuple`` of gradients w.r.t. ``inputs`` (each may be None = no gradient,
            which is only correct for inputs that are constants, e.g. integer indices).
    """
    for x in inputs:  # a plain loop: this runs for every op, and any(genexpr) is slower
        if isinstance(x, Tensor):
            return Tensor(out, inputs, backward)
    return out


def not_differentiable(op_name: str):
    """A ``backward`` that raises: for ops whose gradient is not defined on this backend."""
    def backward(g):
        raise NotImplementedError(
            f"numpy backend: op '{op_name}' has no gradient; it cannot be used inside a "
            "function being differentiated.")
    return backward


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum ``grad`` over the axes numpy broadcasting added, so it gets ``shape``."""
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def grad(output, leaves: Sequence[Tensor], seed=None) -> list[np.ndarray]:
    """Gradients of the scalar ``output`` w.r.t. each leaf (zeros for unconnected leaves).

    ``seed`` (``output``'s shape) replaces the ones the backward pass starts from: the result is
    then the vector-Jacobian product ``seed @ J``.
    """
    if not isinstance(output, Tensor):
        return [np.zeros_like(leaf.data) for leaf in leaves]
    order, seen = [], set()
    stack = [(output, False)]
    while stack:  # iterative DFS: deep graphs (RNNs) would overflow Python's recursion limit
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if isinstance(parent, Tensor) and id(parent) not in seen:
                stack.append((parent, False))
    grads = {id(output): np.ones_like(output.data) if seed is None else np.asarray(seed)}
    for node in reversed(order):
        g = grads.pop(id(node), None) if node.backward is not None else grads.get(id(node))
        if g is None or node.backward is None:
            continue
        for parent, pg in zip(node.parents, node.backward(g)):
            if pg is None or not isinstance(parent, Tensor):
                continue
            pg = unbroadcast(np.asarray(pg), parent.data.shape)
            key = id(parent)
            grads[key] = grads[key] + pg if key in grads else pg
    out = []
    for leaf in leaves:
        g = grads.get(id(leaf))
        out.append(np.zeros_like(leaf.data) if g is None else g.astype(leaf.data.dtype, copy=False))
    return out
