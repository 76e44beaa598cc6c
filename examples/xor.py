"""XOR: why a single neuron fails and a hidden layer succeeds.

What it teaches: XOR is not linearly separable, so one Dense unit (a perceptron with a sigmoid)
cannot get all four points right (at most 3 of 4); adding a hidden layer lets the network bend the
decision boundary and reach 100%. Run on any backend:

    MINI_KERAS_BACKEND=jax python examples/xor.py
"""

import numpy as np

import mini_keras as keras

x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype="float32")
y = np.array([[0], [1], [1], [0]], dtype="float32")


def train(model, epochs=300) -> float:
    """Train with Adam on the four points; return the final accuracy."""
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=epochs, batch_size=4, verbose=0)
    return history.history["accuracy"][-1]


def main(epochs: int = 300) -> tuple[float, float]:
    """Train a single-layer and a two-layer network; print both accuracies."""
    keras.utils.set_random_seed(0)
    single = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    mlp = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                            keras.layers.Dense(1, activation="sigmoid")])
    acc_single, acc_mlp = train(single, epochs), train(mlp, epochs)
    print(f"backend: {keras.config.backend()}")
    print(f"single Dense layer accuracy: {acc_single:.2f}  (cannot separate XOR)")
    print(f"MLP with a hidden layer:     {acc_mlp:.2f}")
    print("MLP predictions:", mlp.predict(x, verbose=0).ravel().round(3))
    return acc_single, acc_mlp


if __name__ == "__main__":
    main()
