"""Preprocessing benchmarks against Keras 3, in one process (issue 17):

1. ``TextVectorization`` over 100k short sentences: ``adapt`` and one call (int output,
   ``output_sequence_length=16``);
2. an augmentation pipeline (RandomFlip, RandomRotation, RandomZoom, RandomContrast) over a
   batch of 256 32x32 RGB images, in training mode.

    python benchmarks/preprocessing.py [--reps 5] [--backends numpy,torch,jax,tensorflow]

Keras 3 runs on its TensorFlow backend (its text layers are TensorFlow ops). Times are medians
of ``--reps`` runs after one warm-up; the ratio is mini_keras / Keras (target <= 1.0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

WORDS = ["the", "a", "cat", "dog", "sat", "ran", "far", "away", "movie", "great", "bad", "good", "film", "plot", "actor", "scene", "story", "very", "quite", "not", "really", "boring", "fun", "long", "short", "Love,", "hate!", "it's", "OK."]


def sentences(n: int, seed: int = 0) -> np.ndarray:
    """``n`` sentences of 4-12 words drawn from a small vocabulary (with punctuation/case)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 13, size=n)
    picks = rng.integers(0, len(WORDS), size=int(lengths.sum()))
    out, i = [], 0
    for n_words in lengths:
        out.append(" ".join(WORDS[j] for j in picks[i:i + n_words]))
        i += n_words
    return np.array(out)


def median_time(fn, reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def text_case(lib, texts, to_numpy):
    def run():
        layer = lib.layers.TextVectorization(max_tokens=1000, output_sequence_length=16)
        layer.adapt(texts)
        return to_numpy(layer(texts))
    return run


def augment_case(lib, images, to_numpy):
    layers = [lib.layers.RandomFlip(seed=1), lib.layers.RandomRotation(0.1, seed=2),
              lib.layers.RandomZoom(0.1, seed=3), lib.layers.RandomContrast(0.2, seed=4)]

    def run():
        x = images
        for layer in layers:
            x = layer(x, training=True)
        return to_numpy(x)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--backends", default="numpy,torch,jax,tensorflow")
    args = parser.parse_args()
    import keras

    import mini_keras
    from mini_keras import backends, config

    texts = sentences(args.sentences)
    images = np.random.default_rng(0).uniform(0, 255, size=(256, 32, 32, 3)).astype("float32")
    reference = {"text": median_time(text_case(keras, texts, np.asarray), args.reps),
                 "augment": median_time(augment_case(keras, images, np.asarray), args.reps)}
    rows = []
    for name in args.backends.split(","):
        if name not in backends.available():
            continue
        config.set_backend(name)
        to_numpy = mini_keras.ops.convert_to_numpy
        ours = {"text": median_time(text_case(mini_keras, texts, to_numpy), args.reps),
                "augment": median_time(augment_case(mini_keras, images, to_numpy), args.reps)}
        rows.append((name, ours))
    print("| workload | Keras 3 (tf) | " + " | ".join(f"mini_keras {n}" for n, _ in rows) + " |")
    print("|---|---|" + "---|" * len(rows))
    titles = {"text": f"TextVectorization adapt+call, {args.sentences} sentences",
              "augment": "Flip+Rotation+Zoom+Contrast, 256 x 32x32x3"}
    for key, title in titles.items():
        cells = [f"{ours[key] * 1e3:.0f} ms ({ours[key] / reference[key]:.2f}x)"
                 for _, ours in rows]
        print(f"| {title} | {reference[key] * 1e3:.0f} ms | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
