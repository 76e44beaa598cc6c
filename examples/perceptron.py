"""Rosenblatt's perceptron (1957): a step activation and the perceptron learning rule.

What it teaches: a single neuron ``step(w·x + b)`` fires (1) when the weighted sum reaches the
threshold and stays silent (0) otherwise. Rosenblatt's rule nudges the weights by the error:
``w += lr * (y - ŷ) * x``, ``b += lr * (y - ŷ)``. It needs no gradients (the step function has
none), and it converges whenever the classes can be split by a straight line: AND and OR are
learned in a few epochs. XOR cannot be split by one line, so the rule keeps cycling and never
gets all four points right; that failure (Minsky & Papert, 1969) led to the first "AI winter"
and, later, to hidden layers (see ``xor.py``). Run on any backend:

    MINI_KERAS_BACKEND=torch python examples/perceptron.py
"""

import numpy as np

import mini_keras as keras
from mini_keras import ops

x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def step(z):
    """The unit step: 1 where ``z >= 0``, else 0 (Rosenblatt's activation)."""
    return ops.cast(ops.greater_equal(z, 0.0), "float32")


def train_perceptron(y, epochs: int = 10, learning_rate: float = 0.5):
    """Train one step-activated Dense unit with the perceptron rule, one sample at a time.

    A learning rate of 0.5 keeps every weight a multiple of 1/2, so the sums are exact in
    float32 and a point lying exactly on the threshold is classified the same on every backend.

    Returns:
        (the trained layer, number of misclassified points after each epoch).
    """
    neuron = keras.layers.Dense(1, activation=step, kernel_initializer="zeros")
    neuron.build((None, 2))
    errors_per_epoch = []
    for _ in range(epochs):
        for xi, yi in zip(x, y):
            xi = xi[None, :]                                   # one sample, shape (1, 2)
            error = ops.subtract(float(yi), neuron(xi))        # +1, 0 or -1, shape (1, 1)
            neuron.kernel.assign_add(ops.multiply(learning_rate, ops.matmul(xi.T, error)))
            neuron.bias.assign_add(ops.multiply(learning_rate, ops.reshape(error, (1,))))
        predictions = ops.convert_to_numpy(neuron(x)).ravel()
        errors_per_epoch.append(int(np.sum(predictions != np.asarray(y))))
    return neuron, errors_per_epoch


def main(epochs: int = 10) -> dict[str, float]:
    """Train a perceptron on AND, OR and XOR; print and return the accuracy on each gate."""
    keras.utils.set_random_seed(0)
    print(f"backend: {keras.config.backend()}")
    accuracies = {}
    for gate, y in GATES.items():
        neuron, errors = train_perceptron(y, epochs)
        w = neuron.kernel.numpy().ravel()
        b = float(neuron.bias.numpy()[0])
        accuracies[gate] = 1.0 - errors[-1] / len(y)
        print(f"{gate:>3}: accuracy {accuracies[gate]:.2f}  w = {w.round(2)}, b = {b:.2f}  "
              f"errors per epoch: {errors}")
    print("AND and OR are linearly separable; XOR is not, so the perceptron never settles.")
    return accuracies


if __name__ == "__main__":
    main()
