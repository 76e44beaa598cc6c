"""``keras.backend`` against Keras 3: every name, dtype promotion on every pair, naming state."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import mini_keras as keras

DTYPES = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
          "bfloat16", "float16", "float32", "float64", "complex64", "complex128"]
ARGS = [*DTYPES, "int", "float", None]  # "int"/"float" stand for the Python types (weak)
PROBE = """
import itertools, json, sys
import keras
args = json.loads(sys.argv[1])
def py(a):
    return {"int": int, "float": float}.get(a, a)
out = {}
for a, b in itertools.product(args, args):
    try:
        out[f"{a}|{b}"] = keras.backend.result_type(py(a), py(b))
    except Exception as e:
        out[f"{a}|{b}"] = type(e).__name__
print(json.dumps(out))
"""


def _py(a):
    return {"int": int, "float": float}.get(a, a)


def _ours() -> dict:
    out = {}
    for a, b in itertools.product(ARGS, ARGS):
        try:
            out[f"{a}|{b}"] = keras.backend.result_type(_py(a), _py(b))
        except Exception as e:  # noqa: BLE001 (the error type is compared)
            out[f"{a}|{b}"] = type(e).__name__
    return out


@pytest.mark.parametrize("name", ["jax", "tensorflow"])  # 64-bit results differ on TF
def test_result_type_every_pair_matches_keras3(name, use_backend):
    pytest.importorskip("keras")
    env = {**os.environ, "KERAS_BACKEND": name, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(ARGS)], capture_output=True,
                         text=True, env=env, check=True, timeout=300)
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    use_backend(name)
    ours = _ours()
    assert {k: v for k, v in ours.items() if v != theirs[k]} == {}
    assert keras.backend.result_type() == "float32"
    assert keras.backend.result_type("int8", "uint8", "float16") == "float16"


@pytest.fixture(scope="module")
def keras3():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def test_every_keras3_name_exists(keras3):
    assert set(keras.backend.__all__) == {
        n for n in dir(keras3.backend) if not n.startswith("_")}


@pytest.mark.parametrize("dtype", [*DTYPES, "string", None, bool, float, str, np.float16,
                                   np.dtype("int8"), "float8_e4m3fn"])
def test_standardize_dtype_and_predicates(dtype, keras3, use_backend):
    use_backend(keras3.backend.backend())
    assert keras.backend.standardize_dtype(dtype) == keras3.backend.standardize_dtype(dtype)
    assert keras.backend.is_float_dtype(dtype) == keras3.backend.is_float_dtype(dtype)
    assert keras.backend.is_int_dtype(dtype) == keras3.backend.is_int_dtype(dtype)


def test_framework_dtypes_and_bad_dtype(backend):
    x = keras.ops.ones((2,), dtype="int16")
    assert keras.backend.standardize_dtype(x.dtype) == "int16"
    with pytest.raises(ValueError, match="Invalid dtype: floaty"):
        keras.backend.standardize_dtype("floaty")
    with pytest.raises(ValueError, match="float8"):
        keras.backend.result_type("float8_e5m2", "float32")


def test_config_functions_are_the_same(keras3):
    for name in ("epsilon", "floatx", "image_data_format"):
        assert getattr(keras.backend, name)() == getattr(keras3.backend, name)()
    keras.backend.set_epsilon(1e-5)
    try:
        assert keras.config.epsilon() == 1e-5
    finally:
        keras.backend.set_epsilon(1e-7)


def test_is_keras_tensor(keras3):
    for module in (keras, keras3):
        assert module.backend.is_keras_tensor(module.Input((2,)))
        assert not module.backend.is_keras_tensor(np.zeros(2))


def test_get_uid_and_clear_session(keras3):
    for module in (keras, keras3):
        module.backend.clear_session()
        assert module.layers.Dense(1).name == "dense"
        assert module.backend.get_uid("dense") == 2
        assert module.layers.Dense(1).name == "dense_2"
        assert module.backend.get_uid("fresh") == 1
        module.backend.clear_session(free_memory=False)
        assert module.layers.Dense(1).name == "dense"
