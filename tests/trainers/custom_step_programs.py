"""Keras 3 custom-training programs, written as Keras' guides write them, run on a given ``keras``.

Each program takes the ``keras`` module (``mini_keras`` or Keras 3) and returns plain numbers
(losses, metric values, final weights), so a test runs the *same code* on both libraries and
compares. Run as a script, it executes programs under Keras 3 and prints JSON:

    KERAS_BACKEND=jax python custom_step_programs.py PROGRAM [PROGRAM...]
"""

from __future__ import annotations

import json
import sys

import numpy as np

BATCH, EPOCHS, LR = 8, 2, 0.05


def data(n: int = 32):
    """A small regression problem (deterministic)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 1)) + 0.1).astype("float32")
    return x, y


def functional(keras, cls):
    """``cls(inputs, outputs)``: Dense(8, tanh) -> Dense(1), weights drawn from a fixed rng."""
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(8, activation="tanh")(inputs)
    model = cls(inputs, keras.layers.Dense(1)(hidden))
    rng = np.random.default_rng(1)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def _fit(keras, cls, **compile_kwargs) -> dict:
    model = functional(keras, cls)
    model.compile(optimizer=keras.optimizers.SGD(LR), **compile_kwargs)
    x, y = data()
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0)
    logs = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    return {"history": _floats(history.history), "evaluate": _floats(logs),
            "weights": [w.tolist() for w in model.get_weights()]}


def _floats(logs: dict) -> dict:
    return {k: np.asarray(v, "float64").tolist() for k, v in logs.items()}


# ---------------------------------------------------------------- per-framework train_step
def tf_gradient_tape_train_step(keras) -> dict:
    """Guide: "Customizing what happens in fit() with TensorFlow"."""
    import tensorflow as tf

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply(gradients, self.trainable_variables)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return _fit(keras, CustomModel, loss="mse", metrics=["mae"])


def torch_backward_train_step(keras) -> dict:
    """Guide: "Customizing what happens in fit() with PyTorch"."""
    import torch

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return _fit(keras, CustomModel, loss="mse", metrics=["mae"])


def jax_stateless_train_step(keras) -> dict:
    """Guide: "Customizing what happens in fit() with JAX" (``train_step(self, state, data)``)."""
    import jax

    class CustomModel(keras.Model):
        def loss_and_updates(self, trainable_variables, non_trainable_variables, x, y,
                                     training=False):
            y_pred, non_trainable_variables = self.stateless_call(
                trainable_variables, non_trainable_variables, x, training=training)
            loss = self.compute_loss(x, y, y_pred)
            return loss, (y_pred, non_trainable_variables)

        def train_step(self, state, data):
            (trainable_variables, non_trainable_variables, optimizer_variables,
             metrics_variables) = state
            x, y = data
            grad_fn = jax.value_and_grad(self.loss_and_updates, has_aux=True)
            (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
                trainable_variables, non_trainable_variables, x, y, training=True)
            trainable_variables, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable_variables)
            new_metrics_vars, logs = [], []
            for metric in self.metrics:
                this_metric_vars = metrics_variables[
                    len(new_metrics_vars):len(new_metrics_vars) + len(metric.variables)]
                if metric.name == "loss":
                    this_metric_vars = metric.stateless_update_state(this_metric_vars, loss)
                else:
                    this_metric_vars = metric.stateless_update_state(this_metric_vars, y, y_pred)
                logs = metric.stateless_result(this_metric_vars)
                new_metrics_vars += this_metric_vars
            state = (trainable_variables, non_trainable_variables, optimizer_variables,
                     new_metrics_vars)
            return logs, state

    return _fit(keras, CustomModel, loss="mse", metrics=["mae"])


# ---------------------------------------------------------------- backend-agnostic patterns
def custom_test_step(keras) -> dict:
    """A ``test_step(data)`` override (loss and metrics by hand); fit keeps the default step."""

    class CustomModel(keras.Model):
        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    return _fit(keras, CustomModel, loss="mse", metrics=["mae"])


def compute_loss_override(keras) -> dict:
    """``compute_loss`` overridden (an L1 term on the predictions added to the compiled loss)."""

    class CustomModel(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = super().compute_loss(x, y, y_pred, sample_weight, training)
            return loss + 0.01 * keras.ops.mean(keras.ops.abs(y_pred))

    return _fit(keras, CustomModel, loss="mse", metrics=["mae"])


def loss_tracker_metrics(keras) -> dict:
    """The ``loss_tracker`` pattern: own metrics listed by an overridden ``metrics``, a custom
    Metric subclass, compiled without a loss, ``compute_loss`` and the default train step."""

    class MeanAbsoluteError(keras.metrics.Metric):
        def __init__(self, name="mean_absolute_error", **kwargs):
            super().__init__(name=name, **kwargs)
            self.total = self.add_variable(shape=(), initializer="zeros", name="total")
            self.count = self.add_variable(shape=(), initializer="zeros", name="count")

        def update_state(self, y_true, y_pred, sample_weight=None):
            error = keras.ops.abs(keras.ops.subtract(y_true, y_pred))
            self.total.assign(self.total + keras.ops.sum(error))
            self.count.assign(self.count + keras.ops.cast(keras.ops.size(error), "float32"))

        def result(self):
            return self.total / self.count

        def reset_state(self):
            self.total.assign(0.0)
            self.count.assign(0.0)

    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = MeanAbsoluteError(name="mae")

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            loss = keras.ops.mean(keras.ops.square(y - y_pred))
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return loss

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    return _fit(keras, CustomModel)


def _batches():
    x, y = data()
    for _ in range(EPOCHS):
        for start in range(0, len(x), BATCH):
            yield x[start:start + BATCH], y[start:start + BATCH]


def _loop_result(model, losses) -> dict:
    return {"losses": [float(v) for v in losses],
            "weights": [w.tolist() for w in model.get_weights()]}


def tf_gradient_tape_loop(keras) -> dict:
    """Guide: "Writing a training loop from scratch in TensorFlow"."""
    import tensorflow as tf

    model = functional(keras, keras.Model)
    optimizer = keras.optimizers.SGD(LR)
    loss_fn = keras.losses.MeanSquaredError()
    losses = []
    for x, y in _batches():
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_weights)
        optimizer.apply(grads, model.trainable_weights)
        losses.append(float(loss))
    return _loop_result(model, losses)


def torch_optim_loop(keras) -> dict:
    """Guide: "Writing a training loop from scratch in PyTorch" (a ``torch.optim`` optimizer
    over ``model.parameters()``)."""
    import torch

    model = functional(keras, keras.Model)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    losses = []
    for x, y in _batches():
        loss = loss_fn(model(torch.from_numpy(x), training=True), torch.from_numpy(y))
        model.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    return _loop_result(model, losses)


def jax_stateless_loop(keras) -> dict:
    """Guide: "Writing a training loop from scratch in JAX" (``jax.jit`` over the stateless
    API)."""
    import jax

    model = functional(keras, keras.Model)
    optimizer = keras.optimizers.SGD(LR)
    loss_fn = keras.losses.MeanSquaredError()

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables = model.stateless_call(
            trainable_variables, non_trainable_variables, x, training=True)
        return loss_fn(y, y_pred), non_trainable_variables

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables = state
        x, y = data
        (loss, non_trainable_variables), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y)
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        return loss, (trainable_variables, non_trainable_variables, optimizer_variables)

    optimizer.build(model.trainable_variables)
    state = ([v.value for v in model.trainable_variables],
             [v.value for v in model.non_trainable_variables],
             [v.value for v in optimizer.variables])
    losses = []
    for batch in _batches():
        loss, state = train_step(state, batch)
        losses.append(float(loss))
    for variable, value in zip(model.trainable_variables, state[0]):
        variable.assign(value)
    return _loop_result(model, losses)


def fit_reference(keras) -> dict:
    """What ``fit`` with SGD(LR) gives on the plain functional model (raw loops must match)."""
    return _fit(keras, keras.Model, loss="mse")


PROGRAMS = {f.__name__: f for f in (tf_gradient_tape_train_step, torch_backward_train_step,
                                    jax_stateless_train_step, custom_test_step,
                                    compute_loss_override, loss_tracker_metrics,
                                    tf_gradient_tape_loop, torch_optim_loop, jax_stateless_loop,
                                    fit_reference)}
"""Program name -> function; the backends each runs on are the test's business."""


if __name__ == "__main__":
    import keras

    print(json.dumps({name: PROGRAMS[name](keras) for name in sys.argv[1:]}))
