"""The einops family: ``rearrange``, einops-style axis reordering, merging and splitting.

Declared with ``@composite`` (a reshape, a transpose and a reshape), so it runs, differentiates
and traces the same on every backend; see :mod:`mini_keras.ops.declare`.
"""

from __future__ import annotations

import math
import numbers
import re

from mini_keras import ops
from mini_keras.ops.checks import _fail, _tensor
from mini_keras.ops.declare import composite, exported

_TOKEN = re.compile(r"\(([^()]*)\)|([A-Za-z_]\w*)|(\S)")


def _side(pattern, text):
    """``"b (h w) c"`` -> ``[["b"], ["h", "w"], ["c"]]``, checking every token."""
    groups = []
    for group, name, other in _TOKEN.findall(text):
        if other:
            _fail("rearrange", f"unsupported token {other!r} in pattern {pattern!r} (axis names "
                               "and parenthesized groups only).")
        if name:
            groups.append([name])
        else:
            names = group.split()
            if not names or not all(re.fullmatch(r"[A-Za-z_]\w*", n) for n in names):
                _fail("rearrange", f"bad group ({group}) in pattern {pattern!r}.")
            groups.append(names)
    return groups


def _parse(pattern):
    if not isinstance(pattern, str) or pattern.count("->") != 1:
        _fail("rearrange", f"`pattern` must be a string 'inputs -> outputs', received "
                           f"{pattern!r}.")
    left, right = (_side(pattern, part) for part in pattern.split("->"))
    flat_left = [n for g in left for n in g]
    flat_right = [n for g in right for n in g]
    for side, names in (("input", flat_left), ("output", flat_right)):
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            _fail("rearrange", f"axes {repeated} appear twice on the {side} side of {pattern!r}.")
    if set(flat_left) != set(flat_right):
        _fail("rearrange", f"both sides of {pattern!r} must name the same axes; only on one "
                           f"side: {sorted(set(flat_left) ^ set(flat_right))}.")
    return left, right, flat_left, flat_right


def _sizes(pattern, left, shape, axes_lengths):
    """The size of every named axis, from the input shape and ``axes_lengths``."""
    if len(left) != len(shape):
        _fail("rearrange", f"the input side of {pattern!r} has {len(left)} axes but the tensor "
                           f"has rank {len(shape)} (shape {tuple(shape)}).")
    sizes = {}
    for group, dim in zip(left, shape):
        known = {n: axes_lengths[n] for n in group if n in axes_lengths}
        unknown = [n for n in group if n not in axes_lengths]
        if len(group) == 1 and not known:
            sizes[group[0]] = dim
            continue
        if len(unknown) > 1:
            _fail("rearrange", f"cannot infer the sizes of {unknown} in group ({' '.join(group)})"
                               f"; pass all but one of them as keyword arguments.")
        product = math.prod(known.values())
        if unknown:
            if dim % product:
                _fail("rearrange", f"the axis of size {dim} cannot be split into "
                                   f"({' '.join(group)}) with {known}.")
            known[unknown[0]] = dim // product
        elif product != dim:
            _fail("rearrange", f"the group ({' '.join(group)}) = {known} has {product} entries "
                               f"but the axis has {dim}.")
        sizes.update(known)
    return sizes


@composite
def rearrange(tensor, pattern, **axes_lengths):
    """Reorder, merge and split axes with an einops pattern.

    Examples of patterns: ``"b h w c -> b c h w"`` (transpose), ``"b h w c -> b (h w c)"``
    (merge), ``"b (h h1) (w w1) c -> b h w (c h1 w1)"`` with ``h1=2, w1=2`` (split).

    Args:
        tensor: input tensor.
        pattern: ``"<input axes> -> <output axes>"``; parentheses group axes.
        **axes_lengths: sizes of axes split out of an input axis (all but one per group).

    Returns:
        the rearranged tensor.
    """
    tensor = _tensor(tensor)
    for name, value in axes_lengths.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            _fail("rearrange", f"axis length {name}={value!r} must be a positive int.")
    left, right, flat_left, flat_right = _parse(pattern)
    unused = sorted(set(axes_lengths) - set(flat_left))
    if unused:
        _fail("rearrange", f"axes_lengths {unused} are not axes of the input side of "
                           f"{pattern!r}.")
    sizes = _sizes(pattern, left, tuple(ops.shape(tensor)), axes_lengths)
    split = tuple(sizes[n] for n in flat_left)
    if split != tuple(ops.shape(tensor)):
        tensor = ops.reshape(tensor, split)
    order = [flat_left.index(n) for n in flat_right]
    if order != list(range(len(order))):
        tensor = ops.transpose(tensor, order)
    merged = tuple(math.prod(sizes[n] for n in group) for group in right)
    return tensor if merged == tuple(ops.shape(tensor)) else ops.reshape(tensor, merged)


__all__ = [name for name in exported(__name__)]
