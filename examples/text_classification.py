"""Sentiment classification of movie reviews: Embedding + LSTM, and a small Transformer.

What it teaches: text becomes numbers in three steps. Each word is replaced by its index in a
vocabulary, reviews are padded or cut to one length, and an Embedding layer learns a vector per
word. An LSTM then reads the vectors in order and keeps a memory of what it has seen; the
Transformer block instead lets every word look at every other word at once (self-attention),
with a position embedding telling it where each word stands. Both end in one sigmoid unit: the
probability that the review is positive.

The data is IMDB (25,000 labelled reviews), downloaded once. Offline, the example generates a
small corpus of synthetic reviews (filler words plus a majority of positive or negative words)
and says so, so it always runs. Run on any backend:

    MINI_KERAS_BACKEND=jax python examples/text_classification.py
"""

import numpy as np

import mini_keras as keras
from mini_keras import datasets, layers, ops

POSITIVE = ["great", "excellent", "wonderful", "loved", "brilliant", "moving", "fun", "best",
            "beautiful", "superb"]
NEGATIVE = ["awful", "boring", "terrible", "worst", "hated", "dull", "bad", "waste", "poor",
            "mess"]
FILLER = ["the", "movie", "film", "a", "was", "and", "plot", "actors", "story", "it", "this",
          "scene", "music", "ending", "i", "very", "really", "but", "with", "of"]


def synthetic_reviews(n: int, length: int = 20, seed: int = 0):
    """Generate ``n`` reviews: filler words, 3 words of the review's sentiment and 1 of the other.

    Words are encoded as IMDB does: 0 padding, 1 start, 2 out-of-vocabulary, words from 3.
    Returns ``(sequences (n, length + 1) int32, labels (n,) int32, vocabulary size)``.
    """
    rng = np.random.default_rng(seed)
    vocabulary = FILLER + POSITIVE + NEGATIVE
    index = {word: i + 3 for i, word in enumerate(vocabulary)}
    labels = rng.integers(0, 2, n)
    reviews = []
    for label in labels:
        words = list(rng.choice(FILLER, length - 4))
        majority, minority = (POSITIVE, NEGATIVE) if label else (NEGATIVE, POSITIVE)
        for word in list(rng.choice(majority, 3)) + [rng.choice(minority)]:
            words.insert(int(rng.integers(0, len(words) + 1)), word)
        reviews.append([1] + [index[w] for w in words])
    return np.array(reviews, dtype="int32"), labels.astype("int32"), len(vocabulary) + 3


def pad(sequences, maxlen: int) -> np.ndarray:
    """Left-pad with 0 (or keep the last ``maxlen`` words), like Keras' ``pad_sequences``."""
    out = np.zeros((len(sequences), maxlen), dtype="int32")
    for i, seq in enumerate(sequences):
        seq = list(seq)[-maxlen:]
        if seq:
            out[i, -len(seq):] = seq
    return out


def load_reviews(dataset: str = "auto", num_words: int = 10000, maxlen: int = 200,
                 limit: int = 5000):
    """Return ``(x_train, y_train), (x_test, y_test), vocabulary size, name``."""
    if dataset in ("auto", "imdb"):
        try:
            with datasets.download_timeout(5):
                (x_train, y_train), (x_test, y_test) = datasets.imdb.load_data(num_words=num_words)
            return ((pad(x_train[:limit], maxlen), y_train[:limit]),
                    (pad(x_test[:limit], maxlen), y_test[:limit]), num_words, "imdb")
        except datasets.DownloadError as e:
            if dataset == "imdb":
                raise
            print(f"IMDB is not available offline ({e}).\n"
                  "Using a generated corpus of synthetic reviews instead.")
    x, y, vocabulary_size = synthetic_reviews(1200)
    return (x[:1000], y[:1000]), (x[1000:], y[1000:]), vocabulary_size, "synthetic"


class TokenAndPositionEmbedding(keras.Layer):
    """Word embedding plus a learned embedding of each position (0, 1, 2, ...)."""

    def __init__(self, maxlen, vocabulary_size, dim, **kwargs):
        super().__init__(**kwargs)
        self.tokens = layers.Embedding(vocabulary_size, dim)
        self.positions = layers.Embedding(maxlen, dim)

    def call(self, x):
        positions = ops.arange(0, ops.shape(x)[-1])
        return ops.add(self.tokens(x), self.positions(positions))


class TransformerBlock(keras.Layer):
    """Self-attention then a position-wise feed-forward network, each with a residual + norm."""

    def __init__(self, dim, num_heads, hidden, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=dim // num_heads)
        self.hidden = layers.Dense(hidden, activation="relu")
        self.project = layers.Dense(dim)
        self.norm1 = layers.LayerNormalization(epsilon=1e-6)
        self.norm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, x, training=False):
        attended = self.dropout1(self.attention(x, x), training=training)
        x = self.norm1(ops.add(x, attended))
        fed = self.dropout2(self.project(self.hidden(x)), training=training)
        return self.norm2(ops.add(x, fed))


def lstm_model(maxlen, vocabulary_size, dim=32):
    """Embedding -> LSTM -> sigmoid."""
    return keras.Sequential([keras.Input((maxlen,), dtype="int32"),
                             layers.Embedding(vocabulary_size, dim), layers.LSTM(dim),
                             layers.Dense(1, activation="sigmoid")])


def transformer_model(maxlen, vocabulary_size, dim=32):
    """Token + position embedding -> Transformer block -> average over words -> sigmoid."""
    inputs = keras.Input((maxlen,), dtype="int32")
    x = TokenAndPositionEmbedding(maxlen, vocabulary_size, dim)(inputs)
    x = TransformerBlock(dim, num_heads=2, hidden=32)(x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def main(epochs: int = 3, dataset: str = "auto", models=("lstm", "transformer")) -> dict:
    """Train each model; print and return ``{model name: test accuracy}``."""
    (x_train, y_train), (x_test, y_test), vocabulary_size, name = load_reviews(dataset)
    maxlen = x_train.shape[1]
    builders = {"lstm": lstm_model, "transformer": transformer_model}
    accuracies = {}
    for kind in models:
        keras.utils.set_random_seed(0)
        model = builders[kind](maxlen, vocabulary_size)
        model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="binary_crossentropy",
                      metrics=["accuracy"])
        # Labels as a column (n, 1), the shape of the model's output.
        model.fit(x_train, y_train.reshape(-1, 1), epochs=epochs, batch_size=32, verbose=0)
        accuracies[kind] = model.evaluate(x_test, y_test.reshape(-1, 1), verbose=0,
                                          return_dict=True)["accuracy"]
        print(f"backend: {keras.config.backend()}  data: {name}  {kind}: "
              f"{model.count_params():,} parameters, test accuracy {accuracies[kind]:.4f}")
    return accuracies


if __name__ == "__main__":
    main()
