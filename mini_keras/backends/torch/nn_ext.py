"""torch backend of contract_nn_ext: top_k, segment reductions, erfinv, control flow (Python),
custom_gradient as a ``torch.autograd.Function``, dynamic slicing and the extra samplers."""

from __future__ import annotations

import builtins

import torch

from mini_keras.backends import eager_loops
from mini_keras.backends.torch.core import (
    DEVICE,
    _float_dtype,
    _generator,
    _shape_tuple,
    convert_to_tensor,
    to_torch_dtype,
)

# ---------------------------------------------------------------------------- math


def top_k(x, k, sorted=True):
    """``torch.topk`` along the last axis (stable order on ties); int32 indices."""
    x = convert_to_tensor(x)
    order = torch.sort(x, dim=-1, descending=True, stable=True).indices[..., :k]
    return torch.gather(x, -1, order), order.to(torch.int32)


def _segments(data, segment_ids, num_segments):
    data, ids = convert_to_tensor(data), convert_to_tensor(segment_ids).long()
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    index = ids.reshape((-1,) + (1,) * (data.dim() - 1)).expand_as(data)
    return data, index, (n,) + tuple(data.shape[1:])


def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """``scatter_add`` of the rows into ``num_segments`` slots."""
    data, index, shape = _segments(data, segment_ids, num_segments)
    return torch.zeros(shape, dtype=data.dtype, device=data.device).scatter_add(0, index, data)


def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """``scatter_reduce(amax)`` into slots that start at the dtype's lowest value."""
    data, index, shape = _segments(data, segment_ids, num_segments)
    lowest = -torch.inf if data.is_floating_point() else torch.iinfo(data.dtype).min
    out = torch.full(shape, lowest, dtype=data.dtype, device=data.device)
    return out.scatter_reduce(0, index, data, reduce="amax", include_self=True)


def erfinv(x):
    """``torch.erfinv`` (ints become floatx)."""
    x = convert_to_tensor(x)
    return torch.erfinv(x if x.is_floating_point() else x.to(_float_dtype(None)))


# ---------------------------------------------------------------------------- control flow


def cond(pred, true_fn, false_fn):
    """Python branch on ``bool(pred)``."""
    return true_fn() if bool(pred) else false_fn()


def fori_loop(lower, upper, body_fun, init_val):
    """Python loop ``val = body_fun(i, val)``."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Python ``while`` loop (at most ``maximum_iterations`` steps)."""
    return eager_loops.while_loop(cond, body, loop_vars, maximum_iterations)


def vectorized_map(function, elements):
    """Apply ``function`` to each leading-axis slice and stack the results."""
    if isinstance(elements, (list, tuple)):
        elements = [convert_to_tensor(e) for e in elements]
        outs = [function(tuple(e[i] for e in elements)) for i in range(elements[0].shape[0])]
    else:
        elements = convert_to_tensor(elements)
        outs = [function(elements[i]) for i in range(elements.shape[0])]
    if isinstance(outs[0], (list, tuple)):
        return type(outs[0])(torch.stack([o[j] for o in outs]) for j in range(len(outs[0])))
    return torch.stack([convert_to_tensor(o) for o in outs])


class _CustomGradient(torch.autograd.Function):
    """Forward runs ``f`` (no graph); backward calls the ``grad_fn`` it returned."""

    @staticmethod
    def forward(ctx, f, *args):
        out, grad_fn = f(*args)
        ctx.grad_fn = grad_fn
        return convert_to_tensor(out)

    @staticmethod
    def backward(ctx, upstream):
        grads = ctx.grad_fn(upstream)
        grads = tuple(grads) if isinstance(grads, (list, tuple)) else (grads,)
        return (None, *grads)


def custom_gradient(f):
    """Wrap ``f`` (returning ``(output, grad_fn)``) in a ``torch.autograd.Function``."""

    def wrapped(*args):
        return _CustomGradient.apply(f, *args)
    return wrapped


# ---------------------------------------------------------------------------- dynamic slicing


def _block(start_indices, sizes):
    starts = start_indices.tolist() if torch.is_tensor(start_indices) else start_indices
    return tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(starts, sizes))


def slice(inputs, start_indices, shape):
    """``inputs[start : start + shape]`` on every axis."""
    return convert_to_tensor(inputs)[_block(start_indices, shape)]


def slice_update(inputs, start_indices, updates):
    """A copy of ``inputs`` with the block replaced (differentiable through ``clone``)."""
    inputs, updates = convert_to_tensor(inputs), convert_to_tensor(updates)
    out = inputs.clone()
    out[_block(start_indices, updates.shape)] = updates.to(out.dtype)
    return out


# ---------------------------------------------------------------------------- random


def random_truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """``torch.nn.init.trunc_normal_`` at two standard deviations."""
    target = _float_dtype(dtype)
    out = torch.empty(_shape_tuple(shape), dtype=torch.float32, device=DEVICE)
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=_generator(seed))
    return (out * stddev + mean).to(target)


def random_categorical(logits, num_samples, dtype="int32", seed=None):
    """``torch.multinomial`` of ``softmax(logits)`` with replacement."""
    probs = torch.softmax(convert_to_tensor(logits).float(), dim=-1)
    out = torch.multinomial(probs, int(num_samples), replacement=True,
                            generator=_generator(seed))
    return out.to(to_torch_dtype(dtype))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    """``torch.randint`` in ``[minval, maxval)``."""
    return torch.randint(int(minval), int(maxval), _shape_tuple(shape), generator=_generator(seed),
                         device=DEVICE, dtype=to_torch_dtype(dtype))


def random_shuffle(x, axis=0, seed=None):
    """``index_select`` with a ``torch.randperm`` order."""
    x = convert_to_tensor(x)
    order = torch.randperm(x.shape[axis], generator=_generator(seed), device=DEVICE)
    return torch.index_select(x, axis, order)
