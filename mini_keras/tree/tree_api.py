"""Keras 3's ``keras.tree``: nested structures of lists, tuples, namedtuples, dicts and deques.

The semantics are Keras 3's (which follows optree): a dict's children are visited in sorted key
order (insertion order for an ``OrderedDict``) and rebuilt in the dict's own key order; ``None``
is a leaf unless ``none_is_leaf=False`` makes it an empty node; anything that is not one of the
container types above (strings, arrays, tensors, Variables) is a leaf.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import Any


class MAP_TO_NONE:
    """Return this class from a :func:`traverse` function to put ``None`` in the result."""


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _is_node(x, none_is_leaf: bool = True) -> bool:
    if x is None:
        return not none_is_leaf
    return isinstance(x, (list, tuple, dict, collections.deque))


def _keys(x) -> list:
    """The children's keys in visiting order (indexes for sequences)."""
    if isinstance(x, dict):
        if isinstance(x, collections.OrderedDict):
            return list(x)
        try:
            return sorted(x)
        except TypeError:  # keys of mixed types: their insertion order
            return list(x)
    return list(range(len(x)))


def _children(x) -> list:
    if x is None:
        return []
    if isinstance(x, dict):
        return [x[k] for k in _keys(x)]
    return list(x)


def _rebuild(x, children: list):
    """A container like ``x`` holding ``children`` (given in visiting order)."""
    if x is None:
        return None
    if isinstance(x, dict):
        by_key = dict(zip(_keys(x), children))
        if isinstance(x, collections.defaultdict):
            return collections.defaultdict(x.default_factory, {k: by_key[k] for k in x})
        return type(x)((k, by_key[k]) for k in x)
    if _is_namedtuple(x):
        return type(x)(*children)
    if isinstance(x, collections.deque):
        return collections.deque(children, maxlen=x.maxlen)
    return type(x)(children)


def _same_node(a, b) -> bool:
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    if isinstance(a, dict):
        return set(a) == set(b)
    return len(_children(a)) == len(_children(b))


def is_nested(structure) -> bool:
    """True for a list, tuple, namedtuple, dict or deque (``None`` and the rest are leaves)."""
    return _is_node(structure)


def flatten(structure) -> list:
    """The leaves of ``structure``, depth first (``flatten({"b": 1, "a": [2, None]})`` is
    ``[2, None, 1]``)."""
    if not _is_node(structure):
        return [structure]
    return [leaf for child in _children(structure) for leaf in flatten(child)]


def flatten_with_path(structure) -> list:
    """``(path, leaf)`` pairs, ``path`` a tuple of dict keys and sequence indexes."""
    if not _is_node(structure):
        return [((), structure)]
    return [((key, *path), leaf)
            for key, child in zip(_keys(structure), _children(structure))
            for path, leaf in flatten_with_path(child)]


def _check_same(first, others) -> None:
    for other in others:
        if not _is_node(other) or not _same_node(first, other):
            raise ValueError("Structures don't have the same nested structure.")


def _check_structures(first, others, none_is_leaf: bool = True) -> None:
    """Raise unless every one of ``others`` contains ``first``'s nodes (deeper is fine)."""
    if not _is_node(first, none_is_leaf):
        return
    _check_same(first, others)
    for column in zip(_children(first), *(_children(s) for s in others)):
        _check_structures(column[0], column[1:], none_is_leaf)


def _map(func, first, others, none_is_leaf: bool):
    if not _is_node(first, none_is_leaf):
        return func(*others)
    columns = zip(*(_children(s) for s in others))
    return _rebuild(first, [_map(func, child, column, none_is_leaf)
                            for child, column in zip(_children(first), columns)])


def map_structure(func: Callable, *structures, none_is_leaf: bool = True):
    """Apply ``func`` to the corresponding leaves of ``structures`` (which must all have the
    same structure) and return the results in that structure.

    Raises:
        ValueError: no structure, or structures that differ.
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    first = structures[0]
    _check_structures(first, structures[1:], none_is_leaf)
    if len(structures) > 1:
        for leaves in zip(*(_leaves_up_to(first, s, none_is_leaf) for s in structures[1:])):
            if any(_is_node(leaf, none_is_leaf) for leaf in leaves):
                raise ValueError("Structures don't have the same nested structure.")
    return _map(func, first, structures, none_is_leaf)


def _leaves_up_to(shallow, structure, none_is_leaf: bool = True) -> list:
    if not _is_node(shallow, none_is_leaf):
        return [structure]
    return [leaf for a, b in zip(_children(shallow), _children(structure))
            for leaf in _leaves_up_to(a, b, none_is_leaf)]


def map_structure_up_to(shallow_structure, func: Callable, *structures):
    """Like :func:`map_structure`, but only as deep as ``shallow_structure``: ``func`` gets the
    sub-structures of ``structures`` found at its leaves.

    Raises:
        ValueError: no structure, or one that does not contain ``shallow_structure``.
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    _check_structures(shallow_structure, structures)
    return _map(func, shallow_structure, structures, True)


def map_shape_structure(func: Callable, structure):
    """Map ``func`` over ``structure`` treating shapes (tuples/lists of ints and Nones) as
    leaves, like every other non-container value."""
    if isinstance(structure, (list, tuple)) and all(
            isinstance(e, (int, type(None))) for e in structure):
        return func(structure)
    if not _is_node(structure):
        return func(structure)
    return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])


def pack_sequence_as(structure, flat_sequence):
    """``flat_sequence`` (leaves in :func:`flatten` order) put back into ``structure``.

    Raises:
        TypeError: ``flat_sequence`` is not a sequence.
        ValueError: it holds a different number of leaves than ``structure``.
    """
    if not isinstance(flat_sequence, (list, tuple, collections.deque)):
        raise TypeError(f"`flat_sequence` must be a list or tuple. Received: {flat_sequence!r}")
    flat = list(flat_sequence)
    expected = len(flatten(structure))
    if len(flat) != expected:
        raise ValueError(f"Structure had {expected} leaves, but `flat_sequence` had "
                         f"{len(flat)} elements. Structure: {structure!r}")
    leaves = iter(flat)

    def pack(node):
        if not _is_node(node):
            return next(leaves)
        return _rebuild(node, [pack(child) for child in _children(node)])

    return pack(structure)


def lists_to_tuples(structure):
    """``structure`` with every list (at any depth) turned into a tuple."""
    return traverse(lambda x: tuple(x) if isinstance(x, list) else None, structure,
                    top_down=False)


def traverse(func: Callable, structure, top_down: bool = True):
    """Visit every sub-structure (leaves included) and rebuild with ``func``'s replacements.

    Top-down, ``func(subtree)`` returning None descends into the subtree, anything else
    replaces it; bottom-up, children are traversed first and a non-None result replaces the
    rebuilt subtree. Return :class:`MAP_TO_NONE` to put ``None`` in the result.

    Raises:
        TypeError: ``func`` is not callable.
    """
    if not callable(func):
        raise TypeError(f"`func` must be callable. Received: {func!r}")

    def children():
        if not _is_node(structure):
            return structure
        return _rebuild(structure, [traverse(func, c, top_down) for c in _children(structure)])

    if top_down:
        result = func(structure)
        if result is None:
            return children()
    else:
        rebuilt = children()
        result = func(rebuilt)
        if result is None:
            return rebuilt
    return None if result is MAP_TO_NONE else result


def assert_same_structure(a, b, check_types: Any = None) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same nested structure.

    ``check_types`` is accepted for compatibility, as in Keras 3, where it is deprecated: node
    types are always compared.
    """
    if check_types is not None:
        import warnings
        warnings.warn("The `check_types` argument is deprecated and no longer has any effect.",
                      DeprecationWarning, stacklevel=2)
    map_structure(lambda *_: None, a, b)


def assert_same_paths(a, b) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same set of leaf paths."""
    a_paths = {path for path, _ in flatten_with_path(a)}
    b_paths = {path for path, _ in flatten_with_path(b)}
    if a_paths != b_paths:
        msg = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            msg += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            msg += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(msg)


__all__ = [name for name, value in sorted(globals().items())
           if not name.startswith("_") and getattr(value, "__module__", None) == __name__]
