"""numpy backend: shapes, indexing and linear algebra, each with its gradient.

Gathers (``take``, ``getitem`` ...) scatter their gradient back with ``np.add.at`` so repeated
indices accumulate.
"""

from __future__ import annotations

import itertools

import numpy as np

from mini_keras.backends.numpy.autodiff import Tensor, data, needs_grad, record
from mini_keras.backends.numpy.core import as_input, floatx_dtype, np_dtype
from mini_keras.backends.numpy.core import operands as elementwise_operands


def _index(x) -> np.ndarray:
    """An integer/bool index given as a Tensor, array or list, as an ndarray."""
    return np.asarray(data(x))


def _key(key):
    """Unwrap Tensors inside an indexing key (a tuple may hold ints, slices, arrays ...)."""
    if isinstance(key, tuple):
        return tuple(_key(k) for k in key)
    if isinstance(key, (list, np.ndarray, Tensor)):
        return _index(key)
    return key


# ---------------------------------------------------------------------------- shapes


def reshape(x, newshape):
    """Reshape (one dimension may be -1)."""
    x = as_input(x)
    a = data(x)
    newshape = (int(newshape),) if np.isscalar(newshape) else tuple(int(d) for d in newshape)
    out = a.reshape(newshape)

    def backward(g):
        return (g.reshape(a.shape),)
    return record(out, (x,), backward)


def transpose(x, axes=None):
    """Permute dimensions (reverse them when ``axes`` is None)."""
    x = as_input(x)
    a = data(x)
    axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(int(i) % a.ndim for i in axes)
    out = np.transpose(a, axes)

    def backward(g):
        return (np.transpose(g, np.argsort(axes)),)
    return record(out, (x,), backward)


def expand_dims(x, axis):
    """Insert a size-1 dimension at ``axis``."""
    x = as_input(x)
    a = data(x)
    out = np.expand_dims(a, axis)

    def backward(g):
        return (g.reshape(a.shape),)
    return record(out, (x,), backward)


def squeeze(x, axis=None):
    """Remove size-1 dimensions (all of them when ``axis`` is None)."""
    x = as_input(x)
    a = data(x)
    out = np.squeeze(a, tuple(axis) if isinstance(axis, list) else axis)

    def backward(g):
        return (g.reshape(a.shape),)
    return record(out, (x,), backward)


def concatenate(xs, axis=0):
    """Join a sequence of tensors along an existing axis."""
    xs = [as_input(x) for x in xs]
    arrays = [data(x) for x in xs]
    out = np.concatenate(arrays, axis=axis)

    def backward(g):
        ends = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return tuple(np.split(g, ends, axis=axis))
    return record(out, xs, backward)


def stack(x, axis=0):
    """Join a sequence of tensors along a new axis."""
    xs = [as_input(v) for v in x]
    out = np.stack([data(v) for v in xs], axis=axis)

    def backward(g):
        return tuple(np.moveaxis(g, axis, 0))
    return record(out, xs, backward)


def _slice(x, axis, start, stop):
    """``x[..., start:stop, ...]`` along ``axis``, recorded."""
    a = data(x)
    key = (slice(None),) * (axis % a.ndim) + (slice(start, stop),)
    out = a[key]

    def backward(g):
        full = np.zeros(a.shape, dtype=g.dtype)
        full[key] = g
        return (full,)
    return record(out, (x,), backward)


def split(x, indices_or_sections, axis=0):
    """Split into a list of tensors (equal sections, or at the given indices)."""
    x = as_input(x)
    size = data(x).shape[axis]
    if np.isscalar(indices_or_sections):
        sections = int(indices_or_sections)
        if size % sections:
            raise ValueError(f"split: axis of size {size} does not divide into {sections} "
                             "equal sections.")
        cuts = list(range(0, size + 1, size // sections))
    else:
        cuts = [0] + [int(i) for i in indices_or_sections] + [size]
    return [_slice(x, axis, lo, hi) for lo, hi in itertools.pairwise(cuts)]


def broadcast_to(x, shape):
    """Broadcast to ``shape`` (a writable copy)."""
    x = as_input(x)
    out = np.array(np.broadcast_to(data(x), tuple(int(d) for d in shape)))

    def backward(g):
        return (g,)  # the tape's unbroadcast sums over the broadcast axes
    return record(out, (x,), backward)


def tile(x, repeats):
    """Repeat the whole tensor ``repeats`` times per axis."""
    x = as_input(x)
    a = data(x)
    reps = (int(repeats),) if np.isscalar(repeats) else tuple(int(r) for r in repeats)
    out = np.tile(a, reps)

    def backward(g):  # output axis i is reps[i] blocks of size shape[i]: sum the blocks
        ndim = g.ndim
        shape = (1,) * (ndim - a.ndim) + a.shape
        full_reps = (1,) * (ndim - len(reps)) + reps
        blocks = g.reshape([n for pair in zip(full_reps, shape) for n in pair])
        return (blocks.sum(axis=tuple(range(0, 2 * ndim, 2))).reshape(a.shape),)
    return record(out, (x,), backward)


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = as_input(x)
    a = data(x)
    reps = _index(repeats)
    out = np.repeat(a, reps, axis=axis)

    def backward(g):
        source = a.reshape(-1) if axis is None else a
        along = 0 if axis is None else axis % a.ndim
        origin = np.repeat(np.arange(source.shape[along]), reps)  # output slot -> input slot
        full = np.zeros(np.moveaxis(source, along, 0).shape, dtype=g.dtype)
        np.add.at(full, origin, np.moveaxis(g, along, 0))
        return (np.moveaxis(full, 0, along).reshape(a.shape),)
    return record(out, (x,), backward)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    x = as_input(x)
    out = np.flip(data(x), axis)

    def backward(g):
        return (np.flip(g, axis),)
    return record(out, (x,), backward)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pad with ``pad_width`` = ((before, after), ...) per axis; modes constant/reflect/symmetric."""
    x = as_input(x)
    a = data(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (a.ndim, 2))
    if mode == "constant":
        fill = 0 if constant_values is None else data(constant_values)
        out = np.pad(a, widths, mode="constant", constant_values=fill)
        inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, a.shape))

        def backward(g):
            return (g[inner],)
    elif mode in ("reflect", "symmetric"):
        out = np.pad(a, widths, mode=mode)
        origin = np.pad(np.arange(a.size).reshape(a.shape), widths, mode=mode)

        def backward(g):  # every output entry is a copy of input entry `origin`: add them up
            summed = np.bincount(origin.ravel(), weights=g.ravel(), minlength=a.size)
            return (summed.reshape(a.shape).astype(g.dtype),)
    else:
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'symmetric', "
                         f"received {mode!r}.")
    return record(out, (x,), backward)


# ---------------------------------------------------------------------------- indexing


def take(x, indices, axis=None):
    """Gather entries at integer ``indices`` along ``axis`` (flattened when None)."""
    x = as_input(x)
    a, idx = data(x), _index(indices)
    out = np.take(a, idx, axis=axis)

    def backward(g):
        if axis is None:
            full = np.zeros(a.size, dtype=g.dtype)
            np.add.at(full, idx, g)
            return (full.reshape(a.shape),)
        full = np.zeros(a.shape, dtype=g.dtype)
        np.add.at(full, (slice(None),) * (axis % a.ndim) + (idx,), g)
        return (full,)
    return record(out, (x,), backward)


def _along_axis_key(idx, axis, ndim, shape):
    """The full fancy-index key equivalent to ``take_along_axis(a, idx, axis)``."""
    key = []
    for d in range(ndim):
        if d == axis:
            key.append(idx)
        else:
            key.append(np.arange(shape[d]).reshape([-1 if i == d else 1 for i in range(ndim)]))
    return tuple(key)


def take_along_axis(x, indices, axis=None):
    """Gather with an index tensor of the same rank as ``x``."""
    x = as_input(x)
    a, idx = data(x), _index(indices)
    out = np.take_along_axis(a, idx, axis=axis)

    def backward(g):
        source = a.reshape(-1) if axis is None else a
        along = 0 if axis is None else axis % a.ndim
        full = np.zeros(source.shape, dtype=g.dtype)
        np.add.at(full, _along_axis_key(idx % source.shape[along], along, source.ndim,
                                        source.shape), g)
        return (full.reshape(a.shape),)
    return record(out, (x,), backward)


def getitem(x, key):
    """``x[key]`` for ints, slices, None, Ellipsis and integer/bool index arrays."""
    x = as_input(x)
    a, key = data(x), _key(key)
    out = np.asarray(a[key])

    basic = all(k is None or k is Ellipsis or isinstance(k, (int, np.integer, slice))
                for k in (key if isinstance(key, tuple) else (key,)))

    def backward(g):
        full = np.zeros(a.shape, dtype=g.dtype)
        if basic:  # a view: every entry appears at most once
            full[key] = g
        else:
            np.add.at(full, key, g)  # accumulates repeated indices
        return (full,)
    return record(out, (x,), backward)


def one_hot(x, num_classes, axis=-1, dtype=None):
    """One-hot encode integer ``x`` (floatx by default; out-of-range ids give all zeros)."""
    ids = _index(as_input(x))
    target = floatx_dtype() if dtype is None else np_dtype(dtype)
    out = (ids[..., None] == np.arange(int(num_classes))).astype(target)
    return out if axis == -1 else np.moveaxis(out, -1, axis)


def sort(x, axis=-1):
    """Sort ascending along ``axis``."""
    x = as_input(x)
    a = data(x)
    order = np.argsort(a, axis=axis, kind="stable")
    out = np.take_along_axis(a, order, axis=axis)

    def backward(g):  # a permutation: send each gradient back to where its value came from
        full = np.zeros(a.shape, dtype=g.dtype)
        np.put_along_axis(full, order, g, axis=axis)
        return (full,)
    return record(out, (x,), backward)


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (int32, stable)."""
    return np.argsort(data(as_input(x)), axis=axis, kind="stable").astype(np.int32)


def scatter_add(x, indices, updates):
    """Return ``x`` with ``updates`` added at integer coordinates ``indices`` (shape (N, k))."""
    x, updates = elementwise_operands(x, updates)
    key = tuple(_index(indices).T)
    out = np.array(data(x), copy=True)
    np.add.at(out, key, data(updates))

    def backward(g):
        return g, g[key]
    return record(out, (x, updates), backward)


# ---------------------------------------------------------------------------- linear algebra


def matmul(x1, x2):
    """Matrix product with numpy's batching/broadcasting rules (1-D operands included)."""
    x1, x2 = elementwise_operands(x1, x2)
    a, b = data(x1), data(x2)
    out = np.matmul(a, b)

    def backward(g):  # treat vectors as a (1, n) row / an (n, 1) column, then drop that axis
        a2 = a[None] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g[..., None] if b.ndim == 1 else g
        g2 = g2[..., None, :] if a.ndim == 1 else g2
        # Skip the product for a constant operand (a Dense layer's input batch): it is a whole
        # matmul as large as the forward one, and nothing would use it.
        ga = gb = None
        if needs_grad(x1):
            ga = g2 @ np.swapaxes(b2, -1, -2)
            ga = ga[..., 0, :] if a.ndim == 1 else ga
        if needs_grad(x2):
            gb = np.swapaxes(a2, -1, -2) @ g2
            gb = gb[..., 0] if b.ndim == 1 else gb
        return ga, gb
    return record(out, (x1, x2), backward)


def _einsum_terms(subscripts, count):
    """Split ``"ij,jk->ik"`` into input terms and output term (numpy's implicit output rule)."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    if len(terms) != count:
        raise ValueError(f"einsum: {subscripts!r} names {len(terms)} operands, received {count}.")
    if not arrow:
        letters = "".join(terms).replace("...", "")
        output = ("..." if "..." in inputs else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1))
    return terms, output


def _einsum_grad(g, out_term, other_terms, others, term, shape):
    """Gradient of an einsum w.r.t. the operand written ``term`` (of ``shape``).

    d(out)/d(operand) contracts ``g`` with every other operand back onto ``term``'s letters;
    letters summed away in the forward pass come back as broadcast axes.
    """
    letters = term.replace("...", "")
    if len(set(letters)) != len(letters) or "..." in term[1:]:
        raise NotImplementedError(
            f"numpy backend: einsum gradient for {term!r} (repeated index or inner '...').")
    known = out_term + "".join(other_terms)
    kept = "".join(c for c in letters if c in known)
    ellipsis = "..." if "..." in known else ""  # numpy cannot sum '...' away: unbroadcast will
    result = np.einsum(f"{','.join([out_term, *other_terms])}->{ellipsis}{kept}", g, *others)
    lead = result.ndim - len(kept)  # '...' axes come first in `result`
    expanded = np.expand_dims(result, [lead + i for i, c in enumerate(letters) if c not in kept])
    tail = shape[len(shape) - len(letters):]
    return np.broadcast_to(expanded, result.shape[:lead] + tail if ellipsis else shape)


def einsum(subscripts, *operands):
    """Einstein summation."""
    xs = [as_input(x) for x in operands]
    arrays = [data(x) for x in xs]
    out = np.einsum(subscripts, *arrays)
    terms, out_term = _einsum_terms(subscripts, len(xs))

    def backward(g):
        def others(seq, i):
            return seq[:i] + seq[i + 1:]
        return tuple(_einsum_grad(g, out_term, others(terms, i), others(arrays, i), terms[i],
                                  a.shape) for i, a in enumerate(arrays))
    return record(out, xs, backward)
