"""MNIST with a multilayer perceptron: the classic first network for handwritten digits.

What it teaches: an image is just a vector of pixels. Flatten turns each 28x28 image into 784
numbers, a hidden Dense layer with ReLU learns features, Dropout fights over-fitting, and a
10-way softmax gives one probability per digit; "sparse categorical cross-entropy" compares it
with the integer label. MNIST (60,000 training images) is downloaded once into
~/.mini_keras/datasets; offline, the example says so and uses the 8x8 digits bundled with
scikit-learn instead, so it always runs. Run on any backend:

    MINI_KERAS_BACKEND=jax python examples/mnist_mlp.py
"""

import numpy as np

import mini_keras as keras
from mini_keras import datasets


def load_images(dataset: str = "auto", limit: int | None = None):
    """Return ``(x_train, y_train), (x_test, y_test, name)`` with pixels scaled to [0, 1].

    Args:
        dataset: ``"mnist"``, ``"digits"`` (bundled, 8x8) or ``"auto"`` (MNIST, falling back to
            digits when it cannot be downloaded within a few seconds).
        limit: keep at most this many training images (quick runs).
    """
    if dataset in ("auto", "mnist"):
        try:
            with datasets.download_timeout(5):
                (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
            train, test = _scale(x_train, y_train, 255.0, limit), _scale(x_test, y_test, 255.0)
            return train, test, "mnist"
        except datasets.DownloadError as e:
            if dataset == "mnist":
                raise
            print(f"MNIST is not available offline ({e}).\n"
                  "Falling back to the 8x8 digits bundled with scikit-learn.")
    (x_train, y_train), (x_test, y_test) = datasets.digits.load_data()
    return _scale(x_train, y_train, 16.0, limit), _scale(x_test, y_test, 16.0), "digits"


def _scale(x, y, max_value, limit=None):
    x = (x.astype("float32") / max_value)[..., None]  # add a channel axis: (n, h, w, 1)
    return x[:limit], y.astype("int32")[:limit]


def main(epochs: int = 5, dataset: str = "auto", limit: int | None = None) -> float:
    """Train the MLP; print and return its test accuracy."""
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test), name = load_images(dataset, limit)
    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1, verbose=2)
    accuracy = model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"]
    print(f"backend: {keras.config.backend()}  dataset: {name}  test accuracy: {accuracy:.4f}")
    predicted = np.argmax(model.predict(x_test[:10], verbose=0), axis=-1)
    print(f"first test labels: {y_test[:10]}\npredicted:         {predicted}")
    return accuracy


if __name__ == "__main__":
    main()
