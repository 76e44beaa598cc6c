"""Framework modules as layers, written as Keras 3's docs write them, run on a given ``keras``.

Each program takes the ``keras`` module (``mini_keras`` or Keras 3) and a directory, trains a
model holding a ``TorchModuleWrapper`` / ``JaxLayer`` / ``FlaxLayer`` with ``fit``, saves it to
``<dir>/<library>_<program>.keras``, loads the other library's file when present, and returns
plain numbers. Run as a script, it runs programs under Keras 3 and prints JSON:

    KERAS_BACKEND=torch python interop_programs.py DIR PROGRAM [PROGRAM...]
"""

from __future__ import annotations

import json
import os
import sys

import numpy as np

BATCH, EPOCHS, LR = 8, 2, 0.05


def data(n: int = 16, outputs: int = 2):
    """A small regression problem (deterministic)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x @ rng.normal(size=(4, outputs))).astype("float32")


def _library(keras) -> str:
    return "ours" if keras.__name__ == "mini_keras" else "keras"


def _train_save_load(keras, layer, directory, program, load_kwargs, save=True):
    x, y = data()
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layer(inputs))
    model.compile(optimizer=keras.optimizers.SGD(LR), loss="mse")
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
    result = {"losses": [float(v) for v in history.history["loss"]],
              "predictions": np.asarray(model.predict(x, verbose=0)).ravel().tolist(),
              "weight_shapes": [list(w.shape) for w in model.weights]}
    if not save:
        return result
    mine = _library(keras)
    model.save(os.path.join(directory, f"{mine}_{program}.keras"))
    other = os.path.join(directory, f"{'keras' if mine == 'ours' else 'ours'}_{program}.keras")
    if os.path.exists(other):  # the other library's file: its predictions, loaded here
        loaded = keras.models.load_model(other, **load_kwargs)
        result["other_file_predictions"] = np.asarray(loaded.predict(x, verbose=0)).ravel() \
            .tolist()
    return result


def torch_module_wrapper(keras, directory):
    """``TorchModuleWrapper(nn.Sequential(Linear, BatchNorm1d, ReLU, Linear))`` trained by fit."""
    import torch
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8),
                                 torch.nn.ReLU(), torch.nn.Linear(8, 2))
    layer = keras.layers.TorchModuleWrapper(module, output_shape=(None, 2))
    return _train_save_load(keras, layer, directory, "torch_module_wrapper", {"safe_mode": False})


def jax_layer(keras, directory):
    """``JaxLayer`` of a pure two-layer function with ``params`` given at construction."""
    import jax.numpy as jnp
    rng = np.random.default_rng(1)
    params = {"dense": {"w": rng.normal(size=(4, 6)).astype("float32") * 0.5,
                        "b": np.zeros(6, "float32")},
              "out": rng.normal(size=(6, 2)).astype("float32") * 0.5}

    def call_fn(params, inputs):
        hidden = jnp.tanh(inputs @ params["dense"]["w"] + params["dense"]["b"])
        return hidden @ params["out"]

    layer = keras.layers.JaxLayer(call_fn, params=params)
    # a local function is no saveable object (Keras 3 needs registered call_fn): no file
    return _train_save_load(keras, layer, directory, "jax_layer", {}, save=False)


def _flax_mlp(keras):
    """A linen MLP with BatchNorm, registered with ``keras`` and with a config (so a model
    holding it saves, as Keras 3 requires)."""
    import flax.linen as nn

    class MLP(nn.Module):
        hidden: int = 6

        @nn.compact
        def __call__(self, x, training=False):
            x = nn.Dense(self.hidden)(x)
            x = nn.BatchNorm(use_running_average=not training, momentum=0.9)(x)
            return nn.Dense(2)(nn.relu(x))

        def get_config(self):
            return {"hidden": self.hidden}

        @classmethod
        def from_config(cls, config):
            return cls(**config)

    return keras.saving.register_keras_serializable(package="interop", name="MLP")(MLP)


def flax_layer(keras, directory):
    """``FlaxLayer`` of a linen module with BatchNorm state, from given variables."""
    import jax
    mlp = _flax_mlp(keras)
    variables = mlp().init(jax.random.PRNGKey(0), np.zeros((1, 4), "float32"))
    variables = jax.tree_util.tree_map(np.asarray, variables)
    layer = keras.layers.FlaxLayer(mlp(), variables=variables)
    return _train_save_load(keras, layer, directory, "flax_layer", {})


PROGRAMS = {f.__name__: f for f in (torch_module_wrapper, jax_layer, flax_layer)}
"""Program name -> function."""


if __name__ == "__main__":
    import keras

    print(json.dumps({name: PROGRAMS[name](keras, sys.argv[1]) for name in sys.argv[2:]}))
