"""Linear regression by gradient descent: monthly salary from years of experience.

What it teaches: a single Dense(1) unit *is* the line y = w*x + b, the mean squared error is the
loss, and gradient descent walks w and b to the least-squares solution (w ≈ 0.685, b ≈ 1.564 on
the course's table). Run on any backend:

    MINI_KERAS_BACKEND=torch python examples/linear_regression.py
"""

import numpy as np

import mini_keras as keras

# The course's data: years of experience vs monthly salary (millions of won).
years = np.array([[0], [3], [5], [8], [10], [13]], dtype="float32")
salary = np.array([[2.6], [3.1], [4.3], [6.5], [8.4], [11.2]], dtype="float32")


def main(epochs: int = 400) -> tuple[float, float]:
    """Fit the line and print the learned parameters and two predictions."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
    history = model.fit(years, salary, epochs=epochs, batch_size=6, shuffle=False, verbose=0)
    kernel, bias = model.get_weights()
    w, b = float(kernel[0, 0]), float(bias[0])
    print(f"backend: {keras.config.backend()}  final loss: {history.history['loss'][-1]:.4f}")
    print(f"learned w = {w:.3f}, b = {b:.3f}   (least squares: w = 0.685, b = 1.564)")
    for x in (2.0, 12.0):
        pred = float(model.predict(np.array([[x]], dtype="float32"), verbose=0)[0, 0])
        print(f"predicted salary after {x:g} years: {pred:.2f}")
    return w, b


if __name__ == "__main__":
    main()
