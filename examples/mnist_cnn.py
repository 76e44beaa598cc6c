"""MNIST with a convolutional network: the classic Conv2D / MaxPooling2D digit classifier.

What it teaches: instead of treating pixels as an unordered vector (mnist_mlp.py), a
convolution slides small 3x3 filters over the image, so the same edge or stroke detector is
reused everywhere and neighbouring pixels stay together; max pooling halves the resolution so
the next layer sees a wider area. With far fewer weights per layer it beats the MLP. Offline it
uses the bundled 8x8 digits (``padding="same"`` keeps those small images from shrinking away).
Run on any backend:

    MINI_KERAS_BACKEND=torch python examples/mnist_cnn.py
"""

from mnist_mlp import load_images  # the MNIST-or-digits loader, next to this file

import mini_keras as keras


def main(epochs: int = 5, dataset: str = "auto", limit: int | None = None) -> float:
    """Train the CNN; print and return its test accuracy."""
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test), name = load_images(dataset, limit)
    model = keras.Sequential([
        keras.Input(x_train.shape[1:]),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.1, verbose=2)
    accuracy = model.evaluate(x_test, y_test, verbose=0, return_dict=True)["accuracy"]
    print(f"backend: {keras.config.backend()}  dataset: {name}  test accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
