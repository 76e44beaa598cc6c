"""The op declarations: one per op, primitives match the contract, families match Keras 3."""

import inspect
import os
import pathlib

import pytest

from mini_keras import ops
from mini_keras.backends import contract
from mini_keras.ops.declare import REGISTRY

OPS_DIR = pathlib.Path(ops.__file__).parent


def test_primitives_declare_the_contract_signature():
    primitives = [n for n, info in REGISTRY.items() if info.kind == "primitive"]
    assert len(primitives) >= 130
    for name in primitives:
        declared = inspect.signature(REGISTRY[name].declaration)
        assert declared == inspect.signature(getattr(contract, name)), name


def test_public_functions_are_the_declarations():
    for name, info in REGISTRY.items():
        fn = info.function
        assert inspect.signature(fn) == inspect.signature(info.declaration), name
        assert fn.__name__ == name and fn.__doc__, name
        assert getattr(ops, info.family).__dict__[name] is fn
    assert ops.add is ops.numpy.add and ops.relu is ops.nn.relu and ops.inv is ops.linalg.inv


def test_families_match_keras():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
    keras = pytest.importorskip("keras")
    for name, info in REGISTRY.items():
        theirs = getattr(keras.ops, name, None) or getattr(keras.ops.image, name, None)
        if theirs is None:  # ours only (getitem, scatter_add, value_and_grad...)
            continue
        assert theirs.__module__.rsplit(".", 1)[-1] == info.family, name


def test_ops_files_are_small_and_named_by_family():
    for path in OPS_DIR.rglob("*.py"):
        assert len(path.read_text().splitlines()) <= 500, path
        assert not path.stem.endswith("_ext"), path
        assert path.stem == "__init__" or not path.stem.startswith("_"), path


def test_plain_values_take_the_fast_path_after_one_call():
    import numpy as np

    from mini_keras.ops import declare
    x = np.ones((2, 2), np.float32)
    ops.add(x, x)
    assert np.ndarray in declare._PLAIN and float in declare._PLAIN
    assert not {list, tuple, dict} & declare._PLAIN
