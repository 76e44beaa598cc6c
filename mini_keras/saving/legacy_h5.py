"""Weights in Keras' legacy HDF5 layout (``.h5``/``.hdf5``): Keras 2 files, the pretrained
``keras.applications`` files and Keras 3's ``model.save("x.h5")``.

The root (or its ``model_weights`` group, for a whole-model file) lists ``layer_names``; each
layer's group lists its ``weight_names``, in the legacy order trainable weights first, then
non-trainable ones. Loading is by order of the layers that hold weights (Keras' default) or,
with ``by_name=True``, by layer name.
"""

from __future__ import annotations

import os
import warnings

import numpy as np


def _attribute(group, name: str) -> list[str]:
    """A list attribute, also when HDF5's header limit made Keras split it in chunks."""
    if name in group.attrs:
        values = list(group.attrs[name])
    else:
        values, chunk = [], 0
        while f"{name}{chunk}" in group.attrs:
            values.extend(group.attrs[f"{name}{chunk}"])
            chunk += 1
    return [v.decode("utf8") if hasattr(v, "decode") else str(v) for v in values]


def _legacy_weights(layer) -> list:
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _values(group) -> list[np.ndarray]:
    return [np.asarray(group[name]) for name in _attribute(group, "weight_names")]


def _assign(layer, variables, values, skip_mismatch: bool, where: str, filepath: str) -> None:
    if len(variables) != len(values):
        message = (f"Weight count mismatch for {where} in {filepath!r}: the layer expects "
                   f"{len(variables)} weight(s), the file holds {len(values)}.")
        if skip_mismatch:
            warnings.warn(message + " Skipped.", stacklevel=4)
            return
        raise ValueError(message)
    for variable, value in zip(variables, values):
        if tuple(variable.shape) != tuple(value.shape):
            message = (f"Shape mismatch for {where} in {filepath!r}: weight {variable.path!r} "
                       f"has shape {tuple(variable.shape)}, the file holds {tuple(value.shape)}.")
            if skip_mismatch:
                warnings.warn(message + " Skipped.", stacklevel=4)
                continue
            raise ValueError(message)
        variable.assign(value)


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False) -> None:
    """Load a legacy ``.h5`` weights (or whole-model) file into ``model``.

    Args:
        model: a built model.
        filepath: the ``.h5``/``.hdf5`` file.
        skip_mismatch: warn and skip layers whose weight count or shapes differ.
        by_name: match layers by name (layers absent from the file keep their weights)
            instead of by the order of the layers holding weights.

    Raises:
        ValueError: the layer or weight counts, or shapes, do not match (naming which).
    """
    from mini_keras.saving.saving_lib import _h5py

    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"File not found: filepath={filepath!r}")
    with _h5py().File(filepath, "r") as f:
        group = f["model_weights"] if ("layer_names" not in f.attrs
                                       and "model_weights" in f) else f
        names = [n for n in _attribute(group, "layer_names")
                 if _attribute(group[n], "weight_names")]
        if by_name:
            layers = {layer.name: layer for layer in model.layers}
            for name in names:
                if name in layers:
                    _assign(layers[name], _legacy_weights(layers[name]), _values(group[name]),
                            skip_mismatch, f"layer {name!r}", filepath)
            return
        layers = [layer for layer in model.layers if _legacy_weights(layer)]
        if len(names) != len(layers):
            raise ValueError(f"Layer count mismatch when loading weights from {filepath!r}: "
                             f"the model has {len(layers)} layers with weights, the file "
                             f"{len(names)}.")
        for k, (name, layer) in enumerate(zip(names, layers)):
            _assign(layer, _legacy_weights(layer), _values(group[name]), skip_mismatch,
                    f"layer #{k} (named {layer.name!r} in the model, {name!r} in the file)",
                    filepath)
