"""Every data source fit/evaluate/predict take gives the numpy-array run's numbers, on every
backend: a source that drops, repeats or reorders batches changes the SGD trajectory and fails."""

import importlib.util

import numpy as np

import mini_keras as keras

N, FEATURES, BATCH, EPOCHS = 24, 3, 8, 2
STEPS = N // BATCH
RNG = np.random.default_rng(0)
X = RNG.normal(size=(N, FEATURES)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]], dtype="float32") + 0.3).astype("float32")


def _installed(name):
    return importlib.util.find_spec(name) is not None


def _batches(x=X, y=Y):
    return [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, N, BATCH)]


def _generator(epochs=EPOCHS):
    for _ in range(epochs):
        yield from _batches()


class Rows(keras.utils.PyDataset):
    """Batch ``i`` of X/Y."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def __len__(self):
        return STEPS

    def __getitem__(self, i):
        return X[i * BATCH:(i + 1) * BATCH], Y[i * BATCH:(i + 1) * BATCH]


def _torch_tensors():
    import torch
    return {"x": torch.from_numpy(X), "y": torch.from_numpy(Y), "batch_size": BATCH}


def _tf_tensors():
    import tensorflow as tf
    return {"x": tf.constant(X), "y": tf.constant(Y), "batch_size": BATCH}


def _jax_arrays():
    import jax.numpy as jnp
    return {"x": jnp.asarray(X), "y": jnp.asarray(Y), "batch_size": BATCH}


def _pandas():
    import pandas as pd
    return {"x": pd.DataFrame(X, columns=list("abc")), "y": pd.Series(Y[:, 0]), "batch_size": BATCH}


def _tf_dataset():
    import tensorflow as tf
    return {"x": tf.data.Dataset.from_tensor_slices((X, Y)).batch(BATCH)}


def _torch_loader():
    import torch
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    return {"x": torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=False)}


# name -> (framework needed, fit kwargs builder)
SOURCES = {
    "lists": (None, lambda: {"x": X.tolist(), "y": Y.tolist(), "batch_size": BATCH}),
    "pandas": ("pandas", _pandas),
    "torch tensors": ("torch", _torch_tensors),
    "tf tensors": ("tensorflow", _tf_tensors),
    "jax arrays": ("jax", _jax_arrays),
    "generator": (None, lambda: {"x": _generator(), "steps_per_epoch": STEPS}),
    "iterator": (None, lambda: {"x": iter(_batches() * EPOCHS), "steps_per_epoch": STEPS}),
    "PyDataset": (None, lambda: {"x": Rows()}),
    "PyDataset workers=2": (None, lambda: {"x": Rows(workers=2, max_queue_size=2)}),
    "tf.data": ("tensorflow", _tf_dataset),
    "torch DataLoader": ("torch", _torch_loader),
}


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def _fit(model, weights, **kwargs):
    """Fit from the initial weights (plain SGD has no other state) and return the losses."""
    model.set_weights(weights)
    history = model.fit(epochs=EPOCHS, shuffle=False, verbose=0, **kwargs)
    return np.array(history.history["loss"]), model.get_weights()


def test_every_source_trains_like_the_arrays(backend):
    model = _model()
    weights = model.get_weights()
    ref_losses, ref_weights = _fit(model, weights, x=X, y=Y, batch_size=BATCH)
    assert ref_losses[1] < ref_losses[0]
    for name, (framework, make) in SOURCES.items():
        if framework and not _installed(framework):
            continue
        losses, trained = _fit(model, weights, **make())
        np.testing.assert_allclose(losses, ref_losses, rtol=1e-5, atol=1e-7, err_msg=name)
        for a, b in zip(trained, ref_weights):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=name)


def test_evaluate_and_predict_from_every_source(backend):
    model = _model()
    ref_loss = model.evaluate(X, Y, batch_size=BATCH, verbose=0)
    ref_pred = model.predict(X, batch_size=BATCH, verbose=0)
    np.testing.assert_allclose(ref_loss, np.mean((ref_pred - Y) ** 2), rtol=1e-5)
    for name, (framework, make) in SOURCES.items():
        if framework and not _installed(framework):
            continue
        kwargs = make()
        kwargs.pop("steps_per_epoch", None)
        steps = {"steps": STEPS} if name in ("generator", "iterator") else {}
        loss = model.evaluate(**kwargs, **steps, verbose=0)
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-5, err_msg=name)
        kwargs = make()
        kwargs.pop("steps_per_epoch", None)
        kwargs.pop("y", None)
        pred = model.predict(**kwargs, **steps, verbose=0)
        np.testing.assert_allclose(pred, ref_pred, rtol=1e-5, atol=1e-6, err_msg=name)


def test_multi_input_dict_matched_by_name(backend):
    keras.utils.set_random_seed(0)
    a, b = keras.Input((2,), name="a"), keras.Input((1,), name="b")
    merged = keras.layers.Concatenate()([a, b])
    model = keras.Model({"a": a, "b": b}, keras.layers.Dense(1)(merged))
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    weights = model.get_weights()
    split = {"b": X[:, 2:], "a": X[:, :2]}  # key order differs from the inputs' order
    dict_losses, _ = _fit(model, weights, x=split, y=Y, batch_size=BATCH)

    def gen():
        for _ in range(EPOCHS):
            for i in range(0, N, BATCH):
                yield {"a": X[i:i + BATCH, :2], "b": X[i:i + BATCH, 2:]}, Y[i:i + BATCH]

    gen_losses, _ = _fit(model, weights, x=gen(), steps_per_epoch=STEPS)
    np.testing.assert_allclose(gen_losses, dict_losses, rtol=1e-5)
    # the same numbers by hand: the Dense layer sees [a, b] concatenated in the inputs' order
    model.set_weights(weights)
    kernel, bias = weights
    np.testing.assert_allclose(model.predict(split, verbose=0), X @ kernel + bias, rtol=1e-5,
                               atol=1e-6)


def test_numpy_user_imports_no_framework():
    """Arrays, generators and PyDatasets never load TensorFlow, torch or JAX."""
    import subprocess
    import sys
    code = (
        "import sys, numpy as np, mini_keras as keras\n"
        "m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])\n"
        "m.compile('sgd', 'mse')\n"
        "x, y = np.ones((8, 2), 'float32'), np.ones((8, 1), 'float32')\n"
        "m.fit(x, y, verbose=0); m.fit(iter([(x, y)]), verbose=0)\n"
        "m.predict(x.tolist(), verbose=0)\n"
        "print(sorted(f for f in ('torch', 'tensorflow', 'jax') if f in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**__import__("os").environ,
                                          "MINI_KERAS_BACKEND": "numpy"})
    assert out.stdout.strip().splitlines()[-1] == "[]"
