"""Apartment prices with a small MLP: 4 input features, a hidden layer of 5 units, 1 output.

What it teaches: the course's picture of a neural network for regression. Each apartment is
described by 4 features (size, number of rooms, distance to the city centre, age); a hidden
layer of 5 ReLU perceptrons combines them, and one output unit with the identity activation
predicts the price. Standardizing the inputs first (zero mean, unit variance) lets one learning
rate suit features measured in m², rooms, km and years. We compare the test error with the
simplest baseline, always predicting the average price.

The data set is synthetic and documented here, so the "true" rule is known:

    price (100 million won) = 0.06 * size_m2 + 0.25 * rooms - 1.2 * log(1 + distance_km)
                              - 0.04 * age_years + 2.0 + noise,  noise ~ N(0, 0.3²)

with size ~ U(30, 150) m², rooms = 1 + size // 30 (±1 at random, 1 to 6), distance ~ U(0.5, 30)
km and age ~ U(0, 40) years. The logarithm makes distance matter most near the centre, which a
purely linear model cannot capture but the hidden layer can. Run on any backend:

    MINI_KERAS_BACKEND=tensorflow python examples/apartment_prices.py
"""

import numpy as np

import mini_keras as keras

FEATURES = ("size (m²)", "rooms", "distance to centre (km)", "age (years)")


def make_apartments(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` apartments following the rule in the module docstring.

    Returns:
        features of shape (n, 4) and prices of shape (n, 1), float32.
    """
    rng = np.random.default_rng(seed)
    size = rng.uniform(30, 150, n)
    rooms = np.clip(1 + size // 30 + rng.integers(-1, 2, n), 1, 6)
    distance = rng.uniform(0.5, 30, n)
    age = rng.uniform(0, 40, n)
    price = (0.06 * size + 0.25 * rooms - 1.2 * np.log1p(distance) - 0.04 * age + 2.0
             + rng.normal(0, 0.3, n))
    x = np.stack([size, rooms, distance, age], axis=1).astype("float32")
    return x, price[:, None].astype("float32")


def main(epochs: int = 150) -> tuple[float, float]:
    """Train the 4-5-1 MLP; print a few predictions; return (test MAE, baseline MAE)."""
    keras.utils.set_random_seed(0)
    x, y = make_apartments()
    x_train, y_train, x_test, y_test = x[:480], y[:480], x[480:], y[480:]
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)  # statistics of the training set only
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(5, activation="relu", name="hidden"),
        keras.layers.Dense(1, name="price"),               # identity activation: a regression
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    history = model.fit((x_train - mean) / std, y_train, epochs=epochs, batch_size=32, verbose=0)
    test_mae = model.evaluate((x_test - mean) / std, y_test, verbose=0, return_dict=True)["mae"]
    baseline_mae = float(np.mean(np.abs(y_test - y_train.mean())))
    print(f"backend: {keras.config.backend()}  parameters: {model.count_params()} "
          f"(4*5 + 5 hidden, 5*1 + 1 output)")
    print(f"final training loss (MSE): {history.history['loss'][-1]:.3f}")
    print(f"test mean absolute error: {test_mae:.3f}  (predicting the average: {baseline_mae:.3f})")
    predictions = model.predict((x_test[:3] - mean) / std, verbose=0).ravel()
    for features, true, pred in zip(x_test[:3], y_test[:3, 0], predictions):
        described = ", ".join(f"{name} {value:.0f}" for name, value in zip(FEATURES, features))
        print(f"  {described}: price {true:.2f}, predicted {pred:.2f} (100 million won)")
    return test_mae, baseline_mae


if __name__ == "__main__":
    main()
