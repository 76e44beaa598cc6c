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

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
keras = pytest.importorskip("keras")

import mini_keras
from mini_keras import ops
from mini_keras.core.keras_tensor import KerasTensor

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
# Calls Keras 3.15 accepts symbolically although they are wrong (its eager op refuses them, or
# its symbolic answer differs from its eager one). Here they raise a clear error instead, or give
# the eager answer; the test checks exactly that.
LENIENT = {
    **{name: f"{name} of float32: integers only (Keras' eager op refuses floats too)" for name in (
        "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
        "bitwise_right_shift", "bitwise_xor", "gcd", "lcm", "left_shift", "right_shift")},
    "bincount": "bincount of float (None, 4, 3): ints in 1-D or 2-D only (Keras' eager refuses)",
    "corrcoef": "corrcoef of (None, 4, 3): 1-D or 2-D only (Keras' eager op refuses 3-D too)",
    "histogram": "histogram of (None, 4, 3): 1-D only (Keras' eager op refuses it too)",
    "ctc_decode": "ctc_decode(x, x): sequence_lengths must be (batch,), not (None, 4, 3)",
    "lu_factor": "int32 pivots: Keras' symbolic says float32, its eager jax/tensorflow give int32",
    "custom_gradient": "custom_gradient(x): x is not a function",
    "ldexp": "ldexp(x, x): the exponent must be integers",
    "logdet": "logdet of (4, 3): not square",
    "matrix_rank": None,  # rank of each (4, 3) matrix: Keras says shape (None,) as we do
    "nanpercentile": "with a tensor q numpy's output has q's shape (None, 4, 3), not (None,)",
    "nanquantile": "q must be host values in [0, 1], not a tensor",
    "ndim": "Keras gives a (3,) float32 tensor; the rank is the int 3",
    "percentile": "with a tensor q numpy's output has q's shape (None, 4, 3), not (None,)",
    "polar": "complex output: mini_keras tensors are real (a clear error)",
    "quantile": "q must be host values in [0, 1], not a tensor",
    "reshape": "reshape(x, x): the new shape must be ints",
    "roll": "roll(x, x): the shift must be ints",
    "slogdet": "slogdet of (4, 3): not square",
    "take": "take(x, x): indices must be integers",
    "tensordot": "tensordot(x, x): contracted axes (4, 3) and (None, 4) differ",
    "view_as_complex": "complex output: mini_keras tensors are real (a clear error)",
    "where": "where(x) alone is nonzero(x), whose size depends on values",
}
# Keras ops not provided yet (none today). Marked strict xfail: implementing one turns its case
# red until removed.
NOT_YET: set[str] = set()
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
            except Exception:  # noqa: BLE001, S112 - Keras refuses this call: not in the set
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


def _case(call):
    if call[0] in NOT_YET:
        return pytest.param(*call, id=call[0], marks=pytest.mark.xfail(
            strict=True, raises=AssertionError, reason="not provided yet"))
    return pytest.param(*call, id=call[0])


@pytest.mark.parametrize("name, args, kwargs", [_case(c) for c in CALLS])
def test_symbolic_op_matches_keras(name, args, kwargs):
    x = mini_keras.Input((4, 3))
    if name == "ndim":
        assert ops.ndim(x) == 3
        return
    if LENIENT.get(name):  # a clear error, or Keras' answer
        try:
            result = getattr(ops, name)(*_fill(list(args), x), **kwargs)
        except (TypeError, ValueError) as error:
            assert "ops." in str(error) or f"{name}()" in str(error), str(error)
            return
        if "int32 pivots" in LENIENT[name]:
            assert _describe(result) == [("tensor", (None, 4, 3), "float32"),
                                         ("tensor", (None, 3), "int32")]
            return
        if "q's shape" in LENIENT[name]:
            assert _describe(result) == ("tensor", (None, 4, 3), "float32")
            return
        expected = _describe(getattr(keras.ops, name)(*_fill(list(args), keras.Input((4, 3))),
                                                      **kwargs))
        assert _describe(result) == expected
        return
    theirs = getattr(keras.ops, name)(*_fill(list(args), keras.Input((4, 3))), **kwargs)
    assert hasattr(ops, name), f"mini_keras.ops has no {name!r}"
    ours = getattr(ops, name)(*_fill(list(args), x), **kwargs)
    assert _describe(ours) == _describe(theirs)
    theirs, ours = _first_tensor(theirs), _first_tensor(ours)
    if ours is not None and ours.node is not None:  # saved under Keras' op class and module
        operation = type(theirs._keras_history.operation)
        layer = type(ours.node.layer)
        assert (layer.__name__, layer.__module__) == (operation.__name__, operation.__module__)


def _first_tensor(out):
    if isinstance(out, (list, tuple)):
        return next((t for t in map(_first_tensor, out) if t is not None), None)
    return out if isinstance(out, (KerasTensor, keras.KerasTensor)) else None
