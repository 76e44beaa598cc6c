"""TorchModuleWrapper, JaxLayer and FlaxLayer (issue 19): the programs of
``interop_programs.py`` run on mini_keras and, in one subprocess per framework, on Keras 3 (the
reference): the same losses, predictions and weight shapes, and ``.keras`` files that load both
ways. Each layer also matches its framework run by hand, and refuses the other backends."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import mini_keras as keras
from tests.layers import interop_programs as programs

# float32 programs of a few dozen ops, same kernels on both sides: ~1e-6 relative.
RTOL, ATOL = 1e-5, 1e-6
PROGRAM_BACKEND = {"torch_module_wrapper": "torch", "jax_layer": "jax", "flax_layer": "jax"}


def _keras3(program, directory) -> dict:
    pytest.importorskip("keras")
    env = {**os.environ, "KERAS_BACKEND": PROGRAM_BACKEND[program], "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = subprocess.run([sys.executable, str(Path(programs.__file__)), str(directory), program],
                         check=False, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode:
        raise AssertionError(f"Keras 3 failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])[program]


@pytest.mark.parametrize("program", list(PROGRAM_BACKEND))
def test_interop_layer_matches_keras3(program, use_backend, tmp_path):
    use_backend(PROGRAM_BACKEND[program])
    if program == "flax_layer":
        pytest.importorskip("flax")
    ours = programs.PROGRAMS[program](keras, str(tmp_path))      # writes ours_<program>.keras
    theirs = _keras3(program, tmp_path)                           # loads ours, writes keras_...
    assert ours["weight_shapes"] == theirs["weight_shapes"]
    for key in ("losses", "predictions"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=RTOL, atol=ATOL, err_msg=key)
    if program != "jax_layer":  # both ways through .keras files
        np.testing.assert_allclose(theirs["other_file_predictions"], ours["predictions"],
                                   rtol=RTOL, atol=ATOL)
        again = programs.PROGRAMS[program](keras, str(tmp_path))  # now loads Keras 3's file
        np.testing.assert_allclose(again["other_file_predictions"], theirs["predictions"],
                                   rtol=RTOL, atol=ATOL)


def test_torch_module_wrapper_trains_the_module_like_a_torch_loop(use_backend):
    """fit's SGD steps equal ``torch.optim.SGD`` on a copy of the module; the wrapped module's
    own parameters are the trained weights (shared storage)."""
    use_backend("torch")
    import torch
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))
    reference = copy.deepcopy(module)
    x, y = programs.data()
    model = keras.Sequential([keras.Input((4,)), keras.layers.TorchModuleWrapper(module)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    losses = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    manual = []
    for _ in range(2):
        epoch = []
        for start in range(0, len(x), 8):
            optimizer.zero_grad()
            loss = torch.mean((reference(torch.tensor(x[start:start + 8]))
                               - torch.tensor(y[start:start + 8])) ** 2)
            loss.backward()
            optimizer.step()
            epoch.append(float(loss))
        manual.append(np.mean(epoch))
    np.testing.assert_allclose(losses, manual, rtol=1e-5)
    for mine, ref in zip(module.parameters(), reference.parameters(), strict=True):
        np.testing.assert_allclose(mine.detach().numpy(), ref.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
    assert [tuple(w.shape) for w in model.weights] == [tuple(p.shape)
                                                       for p in module.parameters()]


def test_torch_module_wrapper_config_needs_unsafe_mode(use_backend):
    use_backend("torch")
    import torch
    layer = keras.layers.TorchModuleWrapper(torch.nn.Linear(3, 2))
    config = layer.get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        keras.layers.TorchModuleWrapper.from_config(config)
    clone = keras.layers.TorchModuleWrapper.from_config(config, safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)),
                               keras.ops.convert_to_numpy(layer(x)), rtol=1e-6)


def test_jax_layer_matches_its_function_and_jax_grad(use_backend):
    """Outputs are ``call_fn``'s; one SGD step of fit is ``params - lr * jax.grad(loss)``."""
    use_backend("jax")
    import jax
    import jax.numpy as jnp

    def init_fn(rng, inputs):
        return {"w": jax.random.normal(rng, (inputs.shape[-1], 2)), "b": jnp.ones((2,))}

    def call_fn(params, inputs):
        return jnp.sin(inputs @ params["w"]) + params["b"]

    x, y = programs.data(n=8)
    layer = keras.layers.JaxLayer(call_fn, init_fn)
    model = keras.Sequential([keras.Input((4,)), layer])
    params = jax.tree_util.tree_map(lambda v: v.value, layer.params)
    np.testing.assert_allclose(model.predict(x, verbose=0), call_fn(params, x), rtol=1e-6)

    def loss(p):
        return jnp.mean((call_fn(p, x) - y) ** 2)

    expected = jax.tree_util.tree_map(lambda p, g: p - 0.1 * g, params, jax.grad(loss)(params))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    for name in ("w", "b"):
        np.testing.assert_allclose(layer.params[name].numpy(), expected[name], rtol=1e-5,
                                   atol=1e-6)


def test_flax_layer_updates_batch_stats_and_splits_weights(use_backend):
    use_backend("jax")
    pytest.importorskip("flax")
    import flax.linen as nn
    import jax

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x, training=False):
            return nn.BatchNorm(use_running_average=not training)(nn.Dense(3)(x))

    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    variables = Net().init(jax.random.PRNGKey(0), x)
    layer = keras.layers.FlaxLayer(Net(), variables=variables)
    assert [w.trainable for w in layer.weights].count(False) == 2  # batch_stats mean and var
    layer(x, training=True)
    _, updated = Net().apply(variables, x, training=True, mutable=["batch_stats"])
    expected = jax.tree_util.tree_leaves(updated["batch_stats"])
    got = [w.numpy() for w in layer.non_trainable_weights]
    for mine, ref in zip(got, expected, strict=True):
        np.testing.assert_allclose(mine, ref, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("make", ["TorchModuleWrapper", "JaxLayer"])
def test_interop_layers_refuse_other_backends(make, use_backend):
    use_backend("numpy")
    with pytest.raises(ValueError, match="only supported with the .* backend.*'numpy'"):
        if make == "TorchModuleWrapper":
            keras.layers.TorchModuleWrapper(object())
        else:
            keras.layers.JaxLayer(lambda inputs: inputs)


def test_jax_layer_rejects_unknown_call_fn_arguments(use_backend):
    use_backend("jax")
    with pytest.raises(ValueError, match="Unsupported argument in `call_fn`: `weights`"):
        keras.layers.JaxLayer(lambda weights, inputs: inputs)
    with pytest.raises(ValueError, match="cannot all be `None`"):
        keras.layers.JaxLayer(lambda params, inputs: inputs)
