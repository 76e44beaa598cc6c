"""What ``fit`` does, written out: a subclassed model trained by a hand-written loop.

What it teaches: ``model.fit`` is a loop you could write yourself. For every batch it runs the
model, computes the loss, asks the backend for the gradient of the loss with respect to every
trainable weight, and lets the optimizer update the weights. Here we do each step by hand with
``mini_keras.ops``: ``ops.value_and_grad`` differentiates a function of the weights' values, and
a ``StatelessScope`` makes the model read those values instead of its stored variables (that is
how the same code is differentiated by numpy, PyTorch, JAX and TensorFlow). Trained from the same
seed on the same batches, the hand-written loop and ``fit`` report the same losses. Run on any
backend:

    MINI_KERAS_BACKEND=tensorflow python examples/custom_training_loop.py
"""

import functools

import numpy as np

import mini_keras as keras
from mini_keras import datasets, ops
from mini_keras.core.stateless import StatelessScope


class DigitClassifier(keras.Model):
    """A subclassed model: layers in ``__init__``, the forward pass in ``call``."""

    def __init__(self, hidden=32, **kwargs):
        super().__init__(**kwargs)
        self.flatten = keras.layers.Flatten()
        self.hidden = keras.layers.Dense(hidden, activation="relu")
        self.classifier = keras.layers.Dense(10, activation="softmax")

    def call(self, images):
        return self.classifier(self.hidden(self.flatten(images)))


def train_by_hand(model, optimizer, loss_fn, x, y, epochs, batch_size):
    """The loop inside ``fit`` (without shuffling, callbacks or metrics); returns epoch losses."""
    weights = model.trainable_variables

    def loss_of(values, xb, yb):
        with StatelessScope(zip(weights, values)):  # the model reads `values` as its weights
            return loss_fn(yb, model(xb, training=True))

    epoch_losses = []
    for _ in range(epochs):
        total = 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[start:start + batch_size], y[start:start + batch_size]
            loss_of_batch = functools.partial(loss_of, xb=xb, yb=yb)
            loss, grads = ops.value_and_grad(loss_of_batch)([w.value for w in weights])
            optimizer.apply(grads, weights)               # w <- w - step(gradient)
            total += float(ops.convert_to_numpy(loss)) * len(xb)
        epoch_losses.append(total / len(x))               # fit reports the sample-weighted mean
    return epoch_losses


def main(epochs: int = 3, limit: int = 512) -> tuple[list, list]:
    """Train twice from the same seed, by hand and with ``fit``; return both loss histories."""
    (x, y), _ = datasets.digits.load_data()
    x, y = (x[:limit] / 16.0).astype("float32"), y[:limit].astype("int32")
    histories = []
    for use_fit in (False, True):
        keras.utils.set_random_seed(0)                    # same initial weights both times
        model = DigitClassifier()
        model(x[:1])                                      # build the weights
        optimizer = keras.optimizers.Adam(1e-2)
        loss_fn = keras.losses.SparseCategoricalCrossentropy()
        if use_fit:
            model.compile(optimizer=optimizer, loss=loss_fn)
            history = model.fit(x, y, epochs=epochs, batch_size=64, shuffle=False, verbose=0)
            histories.append(history.history["loss"])
        else:
            histories.append(train_by_hand(model, optimizer, loss_fn, x, y, epochs, 64))
    print(f"backend: {keras.config.backend()}")
    for epoch, (by_hand, by_fit) in enumerate(zip(*histories), start=1):
        print(f"epoch {epoch}: hand-written loop loss {by_hand:.5f}   fit loss {by_fit:.5f}")
    print("max difference:", float(np.max(np.abs(np.subtract(*histories)))))
    return histories[0], histories[1]


if __name__ == "__main__":
    main()
