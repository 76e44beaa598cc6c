"""Smoke tests: every example's ``main()`` runs on every backend with few epochs and learns."""

import importlib
import pathlib
import sys

import numpy as np
import pytest

import mini_keras as keras

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module", autouse=True)
def _examples_on_path():
    sys.path.insert(0, str(EXAMPLES))
    yield
    sys.path.remove(str(EXAMPLES))


def example(name, *layers):
    """Import ``examples/<name>.py``; skip when a layer it needs does not exist yet."""
    missing = [layer for layer in layers if not hasattr(keras.layers, layer)]
    if missing:
        pytest.skip(f"examples/{name}.py needs mini_keras.layers.{', '.join(missing)}")
    return importlib.import_module(name)


def test_xor(backend):
    single, mlp = example("xor").main(epochs=150)
    assert single <= 0.75
    assert mlp == 1.0


def test_linear_regression(backend):
    w, b = example("linear_regression").main(epochs=400)
    np.testing.assert_allclose([w, b], [0.685, 1.564], atol=0.02)


def test_perceptron_learns_and_or_but_not_xor(backend):
    accuracies = example("perceptron").main(epochs=6)
    assert accuracies["AND"] == 1.0 and accuracies["OR"] == 1.0
    assert accuracies["XOR"] <= 0.75


def test_gradient_descent_follows_numpy_reference(backend, tmp_path):
    module = example("gradient_descent")
    png = tmp_path / "surface.png"
    w, b, loss = module.main(epochs=20, output=str(png))
    x, y = module.years.ravel().astype(float), module.salary.ravel().astype(float)
    w_ref = b_ref = 0.0
    for _ in range(20):  # plain gradient descent on the MSE, by hand
        error = w_ref * x + b_ref - y
        w_ref, b_ref = w_ref - 0.01 * 2 * np.mean(error * x), b_ref - 0.01 * 2 * np.mean(error)
    np.testing.assert_allclose([w, b], [w_ref, b_ref], rtol=1e-4, atol=1e-5)
    assert loss < 1.5 and png.stat().st_size > 0


def test_apartment_prices_beats_the_average(backend):
    test_mae, baseline_mae = example("apartment_prices").main(epochs=40)
    assert test_mae < 0.5 * baseline_mae


def test_mnist_mlp_on_bundled_digits(backend):
    accuracy = example("mnist_mlp").main(epochs=2, dataset="digits")
    assert accuracy > 0.7


def test_mnist_cnn_on_bundled_digits(backend):
    accuracy = example("mnist_cnn", "Conv2D", "MaxPooling2D").main(epochs=2, dataset="digits",
                                                                   limit=600)
    assert accuracy > 0.3


def test_text_classification_offline_corpus(backend):
    module = example("text_classification", "Embedding", "LSTM", "MultiHeadAttention",
                     "LayerNormalization", "GlobalAveragePooling1D")
    accuracies = module.main(epochs=2, dataset="synthetic")
    assert accuracies["lstm"] > 0.8
    assert accuracies["transformer"] > 0.8


def test_custom_training_loop_matches_fit(backend):
    by_hand, by_fit = example("custom_training_loop").main(epochs=2, limit=256)
    np.testing.assert_allclose(by_hand, by_fit, rtol=1e-4)
    assert by_hand[1] < by_hand[0]


def test_every_example_is_tested_and_documented():
    tested = {"xor", "linear_regression", "perceptron", "gradient_descent", "apartment_prices",
              "mnist_mlp", "mnist_cnn", "text_classification", "custom_training_loop",
              "compare_backends", "distributed_training",  # compare_backends: tests/test_compare.py
              "export_and_serve"}  # export_and_serve: tests/export/test_example.py
    scripts = {p.stem for p in EXAMPLES.glob("*.py")}
    assert scripts == tested
    for path in EXAMPLES.glob("*.py"):
        assert "What it teaches" in path.read_text(encoding="utf-8"), path.name


def test_distributed_training_on_one_device(backend):
    # Several devices run in tests/distribution (subprocesses); here: the one-device path.
    accuracy = example("distributed_training").main(devices=1, epochs=3)
    assert accuracy >= 0.85
