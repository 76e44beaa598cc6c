"""The ``.keras`` format: a zip of ``metadata.json``, ``config.json`` and ``model.weights.h5``.

The h5 layout is Keras 3's, so files are exchanged with Keras both ways: each saveable object
(layer, optimizer, the model itself) writes its own variables as datasets ``"0"``, ``"1"``...
in a group ``<path>/vars``, where ``path`` is built from attribute names, e.g.
``layers/dense/vars/0`` (kernel), ``layers/dense_1/vars/1`` (bias), ``optimizer/vars/0``
(iterations). Objects in a list are named after their snake-cased class (``dense``,
``dense_1``), never after their layer names, so the paths are reproducible. Files are written
to a temporary file in the target folder and moved into place, so a crash mid-save leaves any
previous file intact. Nothing is ever pickled.
"""

from __future__ import annotations

import datetime
import errno
import io
import json
import os
import tempfile
import warnings
import zipfile
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import h5py

from mini_keras.saving import assets, file_limits, weights_checks
from mini_keras.saving.file_limits import DEFAULT_MAX_CONFIG_BYTES, corrupt
from mini_keras.saving.serialization import (
    deserialize_keras_object,
    safe_mode_scope,
    serialize_keras_object,
)

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"
# Attributes that are bookkeeping, not state: never walked for nested saveables.
_MODEL_SKIP = {"_layers", "_input_layer", "_input_layers", "_stack", "_nodes", "inputs",
               "outputs", "_inputs_struct", "_outputs_struct", "outputs_spec", "_parent",
               "_inbound_nodes", "history", "loss_tracker", "_loss_tracker", "_metric_objects",
               "_compile_metrics",
               "_losses_per_output", "_seed_generators", "_trainable_variables",
               "_non_trainable_variables", "_losses", "input_spec", "_graph_input",
               "_output_tensor"}


class FileNotFound(FileNotFoundError, ValueError):
    """The file to load does not exist (both a FileNotFoundError and, as in Keras, a ValueError)."""


# ---------------------------------------------------------------------------- public API
def save_model(model, filepath, overwrite: bool = True) -> None:
    """Save architecture, weights and compile state (optimizer included) to a ``.keras`` file.

    Args:
        model: the model.
        filepath: path ending in ``.keras``.
        overwrite: replace an existing file (otherwise raise FileExistsError).

    Raises:
        ValueError: the path does not end in ``.keras``.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"Invalid filepath extension for saving: {filepath!r}. Use a path ending "
                         "in `.keras` for a whole model (model.save) or in `.weights.h5` for "
                         "weights only (model.save_weights).")
    _check_overwrite(filepath, overwrite)
    config_json = json.dumps(serialize_keras_object(model), default=_json_default)
    metadata_json = json.dumps(_metadata(model))

    def write(fileobj):
        with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(METADATA_FILENAME, metadata_json)
            zf.writestr(CONFIG_FILENAME, config_json)
            buffer = io.BytesIO()
            with _h5py().File(buffer, "w") as h5:
                write_weights(model, h5)
            zf.writestr(WEIGHTS_FILENAME, buffer.getvalue())
            assets.write_assets(model, zf)

    atomic_write(filepath, write)


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True,
               max_config_bytes: int = DEFAULT_MAX_CONFIG_BYTES,
               max_weights_bytes: int | None = None):
    """Load a model saved by :func:`save_model` (or by Keras 3's ``model.save``).

    The model is rebuilt on the current default backend, whatever backend saved it. Reads are
    bounded, so an untrusted file cannot exhaust memory (see ``saving/file_limits.py``).

    Args:
        filepath: path to a ``.keras`` file.
        custom_objects: dict ``name -> class or function`` for user-defined objects.
        compile: restore the compile state (optimizer with its variables, loss, metrics).
        safe_mode: resolve only registered objects and the library's modeling built-ins, and
            refuse Python lambdas (e.g. in ``Lambda`` layers); pass False only for trusted files.
        max_config_bytes: most bytes ``config.json`` may inflate to (default 64 MiB).
        max_weights_bytes: most bytes ``model.weights.h5`` may inflate to (default: derived
            from the model the config describes, 8x its variables plus 64 MiB).

    Returns:
        The model.

    Raises:
        ValueError: wrong extension, a corrupted/truncated file, a member over its limit, a
            config nested too deeply, an object refused by safe mode, or weights that do not
            match the model.
        FileNotFoundError: no such file.
        TypeError: a custom class that is neither registered nor in ``custom_objects``, or
            non-numeric weights.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError(f"File format not supported: filepath={filepath!r}. mini_keras loads "
                         "`.keras` files with load_model; load `.weights.h5` files with "
                         "model.load_weights().")
    with open_archive(filepath) as zf:
        text = file_limits.read_member(zf, CONFIG_FILENAME, filepath, max_config_bytes,
                                       "max_config_bytes")
        file_limits.check_config_depth(text, filepath)
        try:
            config = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ValueError(corrupt(filepath, f"config.json is not valid JSON: {e}")) from e
        budget = file_limits.build_budget(zf, WEIGHTS_FILENAME, filepath, max_weights_bytes)
        with safe_mode_scope(safe_mode), budget:
            model = deserialize_keras_object(config, custom_objects, compile=False)
            if compile and config.get("compile_config"):
                model.compile_from_config(config["compile_config"],
                                          custom_objects=custom_objects)
        weights = file_limits.read_member(
            zf, WEIGHTS_FILENAME, filepath,
            max_weights_bytes or file_limits.weights_limit(model), "max_weights_bytes")
        asset_files = assets.read_asset_files(zf, filepath)
    with _open_h5(weights, filepath) as h5:
        read_weights(model, h5, filepath=filepath)
    assets.load_assets(model, asset_files)  # after the weights, as Keras (tf-idf weights)
    return model


def save_weights(model, filepath, overwrite: bool = True) -> None:
    """Save the model's weights (and built optimizer state) to a ``.weights.h5`` file.

    Raises:
        ValueError: the path does not end in ``.weights.h5``.
    """
    filepath = os.fspath(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath!r}")
    _check_overwrite(filepath, overwrite)

    def write(fileobj):
        with _h5py().File(fileobj, "w") as h5:
            write_weights(model, h5)

    atomic_write(filepath, write)


def load_weights(model, filepath, skip_mismatch: bool = False,
                 max_weights_bytes: int | None = None, by_name: bool = False) -> None:
    """Load weights from a ``.weights.h5`` file, the weights inside a ``.keras`` file, or a
    legacy ``.h5``/``.hdf5`` file (Keras 2, ``keras.applications``' pretrained files).

    Args:
        model: a built model with the same architecture.
        filepath: ``.weights.h5``, ``.keras`` or legacy ``.h5``/``.hdf5`` path.
        skip_mismatch: warn and skip layers whose variables do not match, and weights in the
            file that no layer reads, instead of raising.
        max_weights_bytes: most bytes the weights inside a ``.keras`` may inflate to (default:
            derived from the model).
        by_name: legacy ``.h5`` only: match layers by name instead of by order.

    Raises:
        ValueError: the file's weights do not match the model (missing, extra, or of another
            shape), or the file is corrupted.
        TypeError: non-numeric weights.
    """
    filepath = os.fspath(filepath)
    if by_name and (filepath.endswith(".weights.h5")
                    or not filepath.endswith((".h5", ".hdf5"))):
        raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                         f"Received: filepath={filepath!r}")
    if filepath.endswith(".keras"):
        with open_archive(filepath) as zf:
            data = file_limits.read_member(
                zf, WEIGHTS_FILENAME, filepath,
                max_weights_bytes or file_limits.weights_limit(model), "max_weights_bytes")
    elif filepath.endswith(".weights.h5"):
        if not os.path.exists(filepath):
            raise FileNotFound(f"File not found: filepath={filepath!r}")
        with open(filepath, "rb") as f:
            data = f.read()
    elif filepath.endswith((".h5", ".hdf5")):
        from mini_keras.saving import legacy_h5
        legacy_h5.load_weights(model, filepath, skip_mismatch=skip_mismatch, by_name=by_name)
        return
    else:
        raise ValueError(f"File format not supported: filepath={filepath!r}. load_weights reads "
                         "`.weights.h5`, `.keras` or legacy `.h5` files.")
    with _open_h5(data, filepath) as h5:
        read_weights(model, h5, skip_mismatch=skip_mismatch, filepath=filepath)


# ---------------------------------------------------------------------------- files
def atomic_write(filepath: str, write) -> None:
    """Call ``write(fileobj)`` on a temporary file next to ``filepath``, then move it in place.

    On any error the temporary file is removed and an existing ``filepath`` is untouched; a
    full disk raises an OSError (errno ENOSPC) that says so.
    """
    folder = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix="-" + os.path.basename(filepath))
    try:
        with os.fdopen(fd, "w+b") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException as e:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OSError(e.errno, f"Could not save {filepath!r}: no space left on the device "
                          f"(or quota exceeded) while writing ({e}). "
                          + ("The previous file is unchanged. " if os.path.exists(filepath)
                             else "") + "Free some space and save again.") from e
        raise


class open_archive:
    """Open a ``.keras`` zip for reading, turning every corruption into a clear ValueError."""

    def __init__(self, filepath: str):
        self.filepath = filepath
        if not os.path.exists(filepath):
            raise FileNotFound(f"File not found: filepath={filepath!r}. Please ensure the file "
                               "is an accessible `.keras` zip file.")
        # No testzip(): it would inflate every member before any size check. Members are
        # read by file_limits.read_member, which checks sizes first and CRCs as it reads.
        try:
            self.zf = zipfile.ZipFile(filepath, "r")
        except file_limits.ZIP_ERRORS as e:
            raise ValueError(corrupt(filepath, e)) from e

    def __enter__(self) -> zipfile.ZipFile:
        return self.zf

    def __exit__(self, *exc):
        self.zf.close()


def _h5py():
    """Import h5py on first use (it is the `io` extra, not a core dependency)."""
    try:
        import h5py
    except ImportError as e:
        raise ImportError('Saving and loading weights needs h5py: pip install "mini_keras[io]"') from e
    return h5py


def _open_h5(data: bytes, filepath: str) -> h5py.File:
    try:
        return _h5py().File(io.BytesIO(data), "r")
    except OSError as e:
        raise ValueError(corrupt(filepath, f"unreadable weights file: {e}")) from e


def _check_overwrite(filepath: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath!r} exists and overwrite=False.")


def _metadata(model) -> dict:
    from mini_keras import __version__
    return {"keras_version": "3.0.0", "mini_keras_version": __version__,
            "backend": getattr(model, "backend", None),
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}


def _json_default(obj):
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable: {obj!r}")


# ---------------------------------------------------------------------------- h5 layout
def _is_saveable(obj) -> bool:
    from mini_keras.layers.layer import Layer
    from mini_keras.optimizers.optimizer import Optimizer
    return isinstance(obj, (Layer, Optimizer))


def _own_variables(obj) -> list:
    from mini_keras.optimizers.optimizer import Optimizer
    if isinstance(obj, Optimizer):
        return obj.variables if obj.built else []
    return list(obj._trainable_variables) + list(obj._non_trainable_variables)


def _children(obj):
    """``(attribute, child)`` pairs in Keras' order: a model's ``layers`` first, then public
    attributes alphabetically, then private ones."""
    from mini_keras.models.functional import Functional
    from mini_keras.models.sequential import Sequential
    from mini_keras.optimizers.optimizer import Optimizer
    if isinstance(obj, Optimizer):
        inner = getattr(obj, "inner_optimizer", None)
        if inner is not None:  # a LossScaleOptimizer: Keras 3 also writes the wrapped one
            yield "inner_optimizer", inner
        return
    if isinstance(obj, (Sequential, Functional)):
        yield "layers", obj.layers
    for name in sorted(vars(obj), key=lambda n: "~" + n if n.startswith("_") else n):
        if name in _MODEL_SKIP:
            continue
        value = vars(obj)[name]
        if _is_saveable(value) or isinstance(value, (list, tuple, dict)):
            yield name, value


def _walk(obj, path: str, visit, visited: set) -> None:
    """Call ``visit(obj, path)`` on every saveable reachable from ``obj``, once each."""
    if id(obj) in visited:
        return
    visited.add(id(obj))
    visit(obj, path)
    for attr, child in _children(obj):
        child_path = f"{path}/{attr}" if path else attr
        if _is_saveable(child):
            _walk(child, child_path, visit, visited)
        else:
            _walk_container(child, child_path, visit, visited, set())


def _walk_container(container, path, visit, visited, seen_containers) -> None:
    from mini_keras.layers.layer import to_snake_case
    if id(container) in seen_containers:
        return
    seen_containers.add(id(container))
    items = list(container.values()) if isinstance(container, dict) else list(container)
    used: dict[str, int] = {}
    for item in items:
        if _is_saveable(item):
            name = _unique(to_snake_case(type(item).__name__), used)
            _walk(item, f"{path}/{name}", visit, visited)
        elif isinstance(item, (list, tuple, dict)):
            name = _unique("container", used)
            _walk_container(item, f"{path}/{name}", visit, visited, seen_containers)


def _unique(name: str, used: dict) -> str:
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def write_weights(model, h5: h5py.File) -> None:
    """Write every saveable's own variables into ``h5`` (Keras 3 layout)."""

    def visit(obj, path):
        variables = _own_variables(obj)
        from mini_keras.optimizers.optimizer import Optimizer
        if isinstance(obj, Optimizer) and not variables:
            return
        group = h5.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = obj.name
        sub = getattr(obj, "_weights_subgroup", None)
        if sub:  # recurrent layers: Keras 3 keeps their weights in the cell's group
            group = h5.create_group(f"{path}/{sub}/vars")
            group.attrs["name"] = f"{obj.name}_{sub}"
        if hasattr(obj, "save_own_variables"):  # its own keys (tf-idf weights, a state_dict)
            obj.save_own_variables(group)
            return
        for i, v in enumerate(variables):
            group.create_dataset(str(i), data=np.asarray(v.numpy()))

    _walk(model, "", visit, set())


def read_weights(model, h5: h5py.File, skip_mismatch: bool = False,
                 filepath: str | None = None) -> None:
    """Assign every saveable's own variables from ``h5``.

    Raises:
        ValueError: a layer's saved variables are missing or differ in number or shape, or the
            file holds weights no layer reads (unless ``skip_mismatch``). Optimizer state that
            does not match is skipped with a warning, as Keras does.
        TypeError: a saved array is not numeric.
    """
    from mini_keras import backends
    from mini_keras.optimizers.optimizer import Optimizer

    optimizer = getattr(model, "optimizer", None)
    if (isinstance(optimizer, Optimizer) and not optimizer.built and "optimizer/vars" in h5
            and len(h5["optimizer/vars"]) and model.built):
        with backends.backend_scope(model.backend):
            optimizer.build(model.trainable_variables)

    read_groups: set = set()

    def visit(obj, path):
        variables = _own_variables(obj)
        key = f"{path}/vars" if path else "vars"
        sub = getattr(obj, "_weights_subgroup", None)
        if sub and f"{path}/{sub}/vars" in h5:
            key = f"{path}/{sub}/vars"
        read_groups.add(key)
        saved = h5.get(key, {})
        if hasattr(obj, "load_own_variables"):
            obj.load_own_variables(saved)
            return
        if isinstance(obj, Optimizer):
            if not len(saved):  # saved before the optimizer was built: nothing to restore
                return
            if len(saved) != len(variables):
                warnings.warn(f"Skipping variable loading for optimizer '{obj.name}', because "
                              f"it has {len(variables)} variables whereas the saved optimizer "
                              f"has {len(saved)} variables.", stacklevel=4)
                return
        elif len(saved) != len(variables):
            message = (f"Layer '{obj.name}' ({type(obj).__name__}) expected "
                       f"{len(variables)} variables ({[v.path for v in variables]}), but "
                       f"received {len(saved)} variables during loading (h5 group '{key}').")
            if skip_mismatch:
                warnings.warn(message, stacklevel=4)
                return
            raise ValueError(message)
        # Shapes are checked on the h5 datasets before anything is read into memory.
        arrays = [saved[str(i)] for i in range(len(variables))]
        for v, a in zip(variables, arrays):
            if tuple(a.shape) != tuple(v.shape):
                message = (f"Layer '{obj.name}' ({type(obj).__name__}): variable '{v.path}' "
                           f"expects shape {tuple(v.shape)}, received {tuple(a.shape)} from "
                           f"the file (h5 dataset '{key}').")
                if skip_mismatch:
                    warnings.warn(message, stacklevel=4)
                    return
                raise ValueError(message)
        arrays = [np.asarray(a) for a in arrays]
        for v, a in zip(variables, arrays):
            weights_checks.check_numeric(a, obj, v, key)
        for v, a in zip(variables, arrays):
            v.assign(a)

    _walk(model, "", visit, set())
    has_optimizer = isinstance(optimizer, Optimizer) and optimizer.built
    weights_checks.check_all_read(h5, read_groups, () if has_optimizer else ("optimizer/",),
                                  skip_mismatch, filepath)
