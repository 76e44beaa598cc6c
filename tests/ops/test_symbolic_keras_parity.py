"""Every op Keras 3 accepts on ``keras.Input((4, 3))`` works on ``mini_keras.Input((4, 3))``.

The list of ops is Keras 3's own (``keras.ops``): each is called on a symbolic ``(None, 4, 3)``
float32 input with its defaults, ``(x,)`` then ``(x, x)``, or with the few extra arguments in
``EXTRA`` for ops that need them. Every call Keras accepts must give the same output structure,
static shapes and dtypes here. The reference is Keras itself, not a hand-written expectation.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "numpy")
keras = pytest.importorskip("keras")

import mini_keras  # noqa: E402
from mini_keras import ops  # noqa: E402
from mini_keras.core.keras_tensor import KerasTensor  # noqa: E402

W32 = np.ones((3, 2), np.float32)
F3 = np.ones((3,), np.float32)

# ops whose minimal Keras call needs more than ``x`` (or ``x, x``): name -> (args, kwargs);
# "X" stands for the symbolic input.
EXTRA = {
    "argpartition": (("X", 1), {}),
    "array_split": (("X", 2), {"axis": 1}),
    "average_pool": (("X", 2), {}),
    "batch_normalization": (("X", F3, F3), {"axis": -1}),
    "broadcast_to": (("X", (2, 4, 3)), {}),
    "cast": (("X", "int32"), {}),
    "clip": (("X", 0.0, 1.0), {}),
    "concatenate": ((["X", "X"],), {}),
    "conv": (("X", np.ones((2, 3, 5), np.float32)), {}),
    "depthwise_conv": (("X", np.ones((2, 3, 1), np.float32)), {}),
    "dot": (("X", W32), {}),
    "dsplit": (("X", 3), {}),
    "dstack": ((["X", "X"],), {}),
    "einsum": (("bij->bji", "X"), {}),
    "expand_dims": (("X", 0), {}),
    "extract_sequences": (("X", 2, 1), {}),
    "glu": (("X",), {"axis": 1}),
    "hsplit": (("X", 2), {}),
    "hstack": ((["X", "X"],), {}),
    "matmul": (("X", W32), {}),
    "max_pool": (("X", 2), {}),
    "moments": (("X", [1]), {}),
    "moveaxis": (("X", 1, 2), {}),
    "pad": (("X", ((0, 0), (1, 1), (0, 0))), {}),
    "psnr": (("X", "X", 1.0), {}),
    "repeat": (("X", 2), {}),
    "saturate_cast": (("X", "int32"), {}),
    "select": ((["X"], ["X"]), {}),
    "slice": (("X", (0, 0, 0), (1, 2, 2)), {}),
    "split": (("X", 2), {"axis": 1}),
    "stack": ((["X", "X"],), {}),
    "swapaxes": (("X", 1, 2), {}),
    "threshold": (("X", 0.5, 0.0), {}),
    "tile": (("X", 2), {}),
    "top_k": (("X", 2), {}),
    "unstack": (("X",), {"axis": 1}),
    "vstack": ((["X", "X"],), {}),
}
# Names in ``keras.ops`` that are not ops on a tensor (submodules, creation from sizes, tools).
NOT_OPS = {"image", "linalg", "nn", "numpy"}


def _fill(structure, x):
    if isinstance(structure, str) and structure == "X":
        return x
    if isinstance(structure, list):
        return [_fill(s, x) for s in structure]
    return structure


def _keras_calls():
    """``(name, args, kwargs)`` of every ``keras.ops`` call Keras accepts symbolically."""
    calls = []
    x = keras.Input((4, 3))
    for name in sorted(dir(keras.ops)):
        fn = getattr(keras.ops, name)
        if name.startswith("_") or name in NOT_OPS or not callable(fn) or isinstance(fn, type):
            continue
        candidates = [EXTRA[name]] if name in EXTRA else [(("X",), {}), (("X", "X"), {})]
        for args, kwargs in candidates:
            try:
                fn(*_fill(list(args), x), **kwargs)
            except Exception:  # noqa: BLE001 - Keras refuses this call: not part of the set
                continue
            calls.append((name, args, kwargs))
            break
    return calls


CALLS = _keras_calls()


def _describe(out):
    """Structure of an op's output with each tensor replaced by ``(shape, dtype)``."""
    if isinstance(out, (list, tuple)):
        return [_describe(o) for o in out]
    if isinstance(out, (KerasTensor, keras.KerasTensor)):
        return ("tensor", tuple(out.shape), str(out.dtype))
    return ("value", out)


def test_keras_accepts_enough_ops():
    """The reference set is Keras' (so a Keras upgrade can grow it); guard against it collapsing."""
    assert len(CALLS) >= 230, [c[0] for c in CALLS]


@pytest.mark.parametrize("name, args, kwargs", CALLS, ids=[c[0] for c in CALLS])
def test_symbolic_op_matches_keras(name, args, kwargs):
    expected = _describe(getattr(keras.ops, name)(*_fill(list(args), keras.Input((4, 3))),
                                                  **kwargs))
    assert hasattr(ops, name), f"mini_keras.ops has no {name!r}"
    got = _describe(getattr(ops, name)(*_fill(list(args), mini_keras.Input((4, 3))), **kwargs))
    assert got == expected
