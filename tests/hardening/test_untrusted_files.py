"""Loading untrusted ``.keras`` / ``.weights.h5`` files: every crafted file gives a clear error.

Each test edits a file saved by ``model.save`` the way an attacker would (a Lambda naming a
library function, a zip bomb, a 200,000-deep config, a path-traversing member, a huge layer,
extra or string-typed weights) and checks the error type and the words a user needs: the
object, the entry and its limit, the option that opts in.
"""

import json
import os
import re
import struct
import zipfile

import h5py
import numpy as np
import pytest

import mini_keras as keras
from mini_keras import config
from mini_keras.saving.allowlist import UnsafeObjectError

X = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def _saved(tmp_path, lambda_fn=None):
    """A small saved model; returns its path and members ``{name: bytes}``."""
    layers = [keras.Input((3,))]
    if lambda_fn is not None:
        layers.append(keras.layers.Lambda(lambda_fn))
    model = keras.Sequential(layers + [keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    path = tmp_path / "model.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        return model, {name: zf.read(name) for name in zf.namelist()}


def _write(path, members: dict, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _with_config(tmp_path, members, edit):
    cfg = json.loads(members["config.json"])
    edit(cfg)
    return _write(tmp_path / "edited.keras", {**members, "config.json": json.dumps(cfg)})


# ---------------------------------------------------------------------------- safe_mode
@pytest.mark.parametrize("module,name", [
    ("mini_keras.compare", "plot_losses"),      # writes files
    ("mini_keras.utils", "plot_history"),       # writes files
    ("mini_keras.config", "set_epsilon"),       # changes global state
    ("mini_keras.saving.saving_lib", "atomic_write"),
    ("mini_keras.losses", "get"),               # a lookup helper, not a modeling function
])
def test_lambda_naming_a_library_function_is_refused(backend, tmp_path, module, name):
    _, members = _saved(tmp_path, keras.activations.relu)

    def point_at(cfg):
        cfg["config"]["layers"][1]["config"]["function"].update(module=module, config=name)

    path = _with_config(tmp_path, members, point_at)
    epsilon = config.epsilon()
    with pytest.raises(UnsafeObjectError) as info:
        keras.models.load_model(path)
    message = str(info.value)
    assert f"'{module}.{name}'" in message and f"custom_objects={{'{name}'" in message
    assert "safe_mode=False" in message and "register_keras_serializable" in message
    assert isinstance(info.value, ValueError)  # the type Keras 3 raises
    assert config.epsilon() == epsilon
    assert sorted(os.listdir(tmp_path)) == ["edited.keras", "model.keras"]


def test_class_outside_the_modeling_packages_is_refused(backend, tmp_path):
    _, members = _saved(tmp_path)

    def point_at(cfg):
        cfg["config"]["layers"][0].update(module="mini_keras.callbacks",
                                          class_name="ModelCheckpoint")

    with pytest.raises(UnsafeObjectError, match="ModelCheckpoint.*safe_mode=False"):
        keras.models.load_model(_with_config(tmp_path, members, point_at))


def test_allowed_functions_and_opt_ins_still_load(backend, tmp_path):
    model, _ = _saved(tmp_path, keras.activations.relu)  # a built-in activation
    loaded = keras.models.load_model(tmp_path / "model.keras")
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))

    def double(t):
        return t * 2.0

    model, _ = _saved(tmp_path, double)  # a user function: never imported from the file's
    with pytest.raises(TypeError, match="Could not locate function 'double'.*custom_objects"):
        keras.models.load_model(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras", custom_objects={"double": double})
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))


# ---------------------------------------------------------------------------- zip bombs
def test_config_bomb_is_refused_by_declared_size(tmp_path):
    _, members = _saved(tmp_path)
    bomb = b" " * (3 * 2**20) + members["config.json"]  # still valid JSON
    path = _write(tmp_path / "bomb.keras", {**members, "config.json": bomb})
    assert os.path.getsize(path) < 2**20 // 10  # 3 MiB of spaces deflate to a few KB
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path, max_config_bytes=2**20)
    message = str(info.value)
    assert "'config.json'" in message and "1,048,576 bytes" in message
    assert "max_config_bytes" in message and f"{len(bomb):,}" in message
    keras.models.load_model(path, max_config_bytes=4 * 2**20)  # the override opts in


def _lie_about_size(path, name, declared):
    """Rewrite the uncompressed size of ``name`` in the local and central headers."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    encoded = name.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(encoded)] == encoded:
                data[start + size_at:start + size_at + 4] = struct.pack("<I", declared)
            start += 4
    with open(path, "wb") as f:
        f.write(bytes(data))


def test_config_whose_declared_size_lies_is_refused(tmp_path):
    _, members = _saved(tmp_path)
    path = _write(tmp_path / "liar.keras", members)
    _lie_about_size(path, "config.json", 16)  # claims 16 bytes, inflates to more
    with pytest.raises(ValueError, match="liar.keras.*corrupted"):
        keras.models.load_model(path)


def test_weights_bomb_is_refused_before_inflating(backend, tmp_path):
    _, members = _saved(tmp_path)
    bomb = members["model.weights.h5"] + bytes(80 * 2**20)  # 80 MiB of zeros: ~80 KB zipped
    path = _write(tmp_path / "bomb.keras", {**members, "model.weights.h5": bomb})
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    message = str(info.value)
    assert "'model.weights.h5'" in message and f"declares {len(bomb):,} bytes" in message
    assert "max_weights_bytes" in message
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="model.weights.h5.*max_weights_bytes"):
        model.load_weights(path)


def test_config_asking_for_a_huge_layer_is_refused_before_allocating(backend, tmp_path):
    _, members = _saved(tmp_path)

    def grow(cfg):
        cfg["config"]["layers"][-1]["config"]["units"] = 10**9  # 12 GB of kernel

    path = _with_config(tmp_path, members, grow)
    with pytest.raises(ValueError) as info:
        keras.models.load_model(path)
    message = str(info.value)
    assert re.search(r"'dense(_\d+)?/kernel' of shape \(3, 1000000000\)", message)
    assert "12,000,000,000 bytes" in message and "max_weights_bytes" in message
    weights = len(members["model.weights.h5"])
    assert f"{weights:,}-byte 'model.weights.h5'" in message


def test_weights_member_claiming_more_than_deflate_allows(tmp_path):
    _, members = _saved(tmp_path)
    path = _write(tmp_path / "liar.keras", members)
    _lie_about_size(path, "model.weights.h5", 2**31)
    with pytest.raises(ValueError, match="declares 2,147,483,648 bytes, more than its"):
        keras.models.load_model(path)


def test_deeply_nested_config_gives_a_clear_error(tmp_path):
    _, members = _saved(tmp_path)
    deep = b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    path = _write(tmp_path / "deep.keras", {**members, "config.json": deep})
    with pytest.raises(ValueError, match=r"nested 200,001 levels deep, over the limit of 256"):
        keras.models.load_model(path)


def test_deeply_nested_json_string_gives_a_clear_error():
    deep = "[" * 200_000 + "]" * 200_000
    with pytest.raises(ValueError, match=r"model_from_json.*nested 200,000 levels deep"):
        keras.models.model_from_json(deep)


def test_path_traversal_members_are_never_written(backend, tmp_path):
    """The loader reads named members into memory and never extracts, so '../' names and
    absolute names in the archive cannot write outside (or anywhere)."""
    model, members = _saved(tmp_path)
    inside = tmp_path / "inside"
    inside.mkdir()
    evil = {"../escaped.txt": b"x", "/tmp/absolute_from_zip.txt": b"x",
            "assets/../../escaped2.txt": b"x"}
    path = _write(inside / "traversal.keras", {**members, **evil})
    before = set(os.listdir(tmp_path)), set(os.listdir(inside))
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert (set(os.listdir(tmp_path)), set(os.listdir(inside))) == before
    assert not os.path.exists("/tmp/absolute_from_zip.txt")


# ---------------------------------------------------------------------------- weights content
def _two_dense_weights(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(2)])
    path = tmp_path / "two.weights.h5"
    model.save_weights(path)
    return path


def test_weights_of_an_extra_layer_are_refused(backend, tmp_path):
    path = _two_dense_weights(tmp_path)
    one = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError) as info:
        one.load_weights(path)
    message = str(info.value)
    assert "'layers/dense_1/vars/0'" in message and "'layers/dense_1/vars/1'" in message
    assert "skip_mismatch=True" in message
    with pytest.warns(UserWarning, match="layers/dense_1/vars/0"):
        one.load_weights(path, skip_mismatch=True)
    with h5py.File(path) as h5:
        np.testing.assert_array_equal(one.layers[0].kernel.numpy(), h5["layers/dense/vars/0"])


def test_string_kernel_gives_a_dtype_error(backend, tmp_path):
    path = _two_dense_weights(tmp_path)
    with h5py.File(path, "a") as h5:
        del h5["layers/dense/vars/0"]
        h5["layers/dense/vars/0"] = np.array([["a", "b"], ["c", "d"]], dtype="S1")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(2)])
    with pytest.raises(TypeError) as info:
        model.load_weights(path)
    message = str(info.value)
    assert re.search(r"'dense(_\d+)?/kernel'", message) and "float32" in message
    assert "|S1" in message
    assert "layers/dense/vars" in message


def test_huge_h5_dataset_is_refused_by_shape_before_reading(backend, tmp_path):
    """An h5 dataset can declare 10**12 elements in a few bytes of file (no data written):
    the shape is compared with the variable before anything is read."""
    path = _two_dense_weights(tmp_path)
    with h5py.File(path, "a") as h5:
        del h5["layers/dense/vars/0"]
        h5.create_dataset("layers/dense/vars/0", shape=(10**6, 10**6), dtype="float32")
    assert os.path.getsize(path) < 2**20
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"expects shape \(2, 2\), received \(1000000, 1000000\)"):
        model.load_weights(path)


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9])
def test_truncated_files_give_a_clear_error(tmp_path, cut):
    _, _ = _saved(tmp_path)
    data = (tmp_path / "model.keras").read_bytes()
    path = tmp_path / "cut.keras"
    path.write_bytes(data[:int(len(data) * cut)])
    with pytest.raises(ValueError, match="cut.keras.*corrupted or truncated"):
        keras.models.load_model(path)


def test_random_byte_flips_never_crash_the_loader(tmp_path):
    """Fuzz: flip bytes of a valid file; loading either works or raises a clear ValueError or
    TypeError (never an IndexError/KeyError/RecursionError from deep inside)."""
    _, _ = _saved(tmp_path)
    data = bytearray((tmp_path / "model.keras").read_bytes())
    rng = np.random.default_rng(7)
    path = tmp_path / "flipped.keras"
    outcomes = set()
    for _ in range(40):
        flipped = bytearray(data)
        for i in rng.integers(0, len(flipped), size=3):
            flipped[i] ^= int(rng.integers(1, 256))
        path.write_bytes(bytes(flipped))
        try:
            keras.models.load_model(path)
            outcomes.add("loaded")
        except (ValueError, TypeError) as e:
            assert "flipped.keras" in str(e) or "Layer" in str(e) or "config" in str(e), e
            outcomes.add(type(e).__name__)
    assert "ValueError" in outcomes


def test_loading_reads_no_pickle(tmp_path):
    """h5 object/pickled data cannot reach numpy's pickle loader: h5py never unpickles, and
    the weights are read as plain arrays."""
    path = _two_dense_weights(tmp_path)
    with h5py.File(path, "a") as h5:
        del h5["layers/dense/vars/1"]
        h5.create_dataset("layers/dense/vars/1", data=np.array([b"\x80\x04K\x01."] * 2,
                                                                dtype=h5py.vlen_dtype(bytes)))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(2)])
    with pytest.raises((TypeError, ValueError), match="dense"):
        model.load_weights(path)
