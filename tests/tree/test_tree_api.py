"""``keras.tree`` against Keras 3's on the same structures (results and error types)."""

from __future__ import annotations

import collections
import os

import numpy as np
import pytest

import mini_keras as keras

Point = collections.namedtuple("Point", ["y", "x"])
STRUCTURES = [
    1, None, "text", np.arange(3), [], {}, (), [1, [2, (3, None)]],
    {"b": 1, "a": [2, {"d": 3, "c": 4}]}, collections.OrderedDict([("b", 1), ("a", 2)]),
    Point(y=1, x=[2, 3]), collections.deque([1, (2, 3)]), {"k": None, "j": ()},
    collections.defaultdict(list, {"z": 1, "y": [2]}), [{"x": Point(1, 2)}, (None, [5])],
]


@pytest.fixture(scope="module")
def keras3_tree():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras").tree


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and np.array_equal(a, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple, collections.deque)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def test_every_keras3_name_exists(keras3_tree):
    assert set(keras.tree.__all__) == {n for n in dir(keras3_tree) if not n.startswith("_")}


@pytest.mark.parametrize("index", range(len(STRUCTURES)))
def test_flatten_pack_map_like_keras3(index, keras3_tree):
    s = STRUCTURES[index]
    ours, theirs = keras.tree, keras3_tree
    assert _same(ours.flatten(s), theirs.flatten(s))
    assert ours.is_nested(s) == theirs.is_nested(s)
    assert [(p, _key(v)) for p, v in ours.flatten_with_path(s)] == [
        (p, _key(v)) for p, v in theirs.flatten_with_path(s)]
    flat = list(range(len(theirs.flatten(s))))
    assert _same(ours.pack_sequence_as(s, flat), theirs.pack_sequence_as(s, flat))
    double = lambda v: None if v is None else v * 2
    assert _same(ours.map_structure(double, s), theirs.map_structure(double, s))
    assert _same(ours.map_structure(lambda *v: str(v), s, s),
                 theirs.map_structure(lambda *v: str(v), s, s))
    tag = lambda v: "leaf" if v is not None else None
    assert _same(ours.map_structure(tag, s, none_is_leaf=False),
                 theirs.map_structure(tag, s, none_is_leaf=False))
    assert _same(ours.lists_to_tuples(s), theirs.lists_to_tuples(s))
    for top_down in (True, False):
        seen_ours: list = []
        seen_theirs: list = []
        assert _same(ours.traverse(lambda v, seen=seen_ours: seen.append(_key(v)), s,
                                    top_down=top_down),
                     theirs.traverse(lambda v, seen=seen_theirs: seen.append(_key(v)), s,
                                     top_down=top_down))
        assert seen_ours == seen_theirs


def _key(v):
    return repr(v.tolist()) if isinstance(v, np.ndarray) else repr(v)


def test_traverse_replaces_and_maps_to_none(keras3_tree):
    s = [(1, 2), [3], {"a": 4}]
    for tree in (keras.tree, keras3_tree):
        fn = lambda v: tree.MAP_TO_NONE if v == [3] else None  # noqa: B023
        assert tree.traverse(fn, s) == [(1, 2), None, {"a": 4}]
        assert tree.traverse(lambda v: "x" if isinstance(v, tuple) else None, s,
                             top_down=False) == ["x", [3], {"a": 4}]


def test_map_structure_up_to_and_shapes(keras3_tree):
    shallow, deep = [1, {"a": 2}], [[1, 2], {"a": (3, 4)}]
    for tree in (keras.tree, keras3_tree):
        assert tree.map_structure_up_to(shallow, len, deep) == [2, {"a": 2}]
        assert tree.map_shape_structure(lambda s: s[-1], [(None, 3), {"k": [2, 5]}]) == [
            3, {"k": 5}]
        assert tree.map_shape_structure(str, {"k": [(1,), "x"]}) == {"k": ["(1,)", "x"]}


@pytest.mark.parametrize("call", [
    lambda t: t.map_structure(lambda a, b: a, [1, 2], [1, [2]]),
    lambda t: t.map_structure(lambda a, b: a, [1, 2], (1, 2)),
    lambda t: t.map_structure(lambda a, b: a, {"a": 1}, {"b": 1}),
    lambda t: t.map_structure(len),
    lambda t: t.assert_same_structure([1, (2,)], [1, [2]]),
    lambda t: t.assert_same_structure({"a": 1}, {"a": [1]}),
    lambda t: t.assert_same_paths([1, 2], [1]),
    lambda t: t.pack_sequence_as([1, [2]], [1]),
    lambda t: t.map_structure_up_to([1, [2]], len, [1, 2]),
    lambda t: t.map_shape_structure(len, [(1,), object()]),
    lambda t: t.traverse(None, [1]),
])
def test_errors_like_keras3(call, keras3_tree):
    with pytest.raises(Exception) as theirs:
        call(keras3_tree)
    with pytest.raises(type(theirs.value)):
        call(keras.tree)


def test_assert_same_paths_is_looser_than_structure(keras3_tree):
    for tree in (keras.tree, keras3_tree):
        tree.assert_same_paths([1, (2, 3)], (4, [5, 6]))
        tree.assert_same_structure({"a": [1]}, {"a": [np.zeros(2)]})
