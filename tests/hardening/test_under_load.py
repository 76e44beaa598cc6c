"""Under load: predict from several threads, and no memory growth from repeated calls.

The full-size measurement (10,000 calls, 200 models, side by side with Keras 3) is
``benchmarks/memory_under_load.py``; these are its quick checks, on every backend.
"""

import gc
import threading

import numpy as np

import mini_keras as keras

RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 8)).astype("float32")


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def _model():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(4)])
    model.compile(optimizer="adam", loss="mse")
    return model


def test_predict_from_four_threads_matches_one_thread(backend):
    model = _model()
    kernel, bias, kernel2, bias2 = model.get_weights()
    expected = np.maximum(X @ kernel + bias, 0) @ kernel2 + bias2  # numpy reference
    results, errors = {}, []

    def work(i):
        try:
            for j in range(5):
                results[i, j] = model.predict(X[i::4], verbose=0)
        except Exception as e:  # noqa: BLE001 - any failure in a thread fails the test
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for (i, _), out in results.items():  # float32 8- and 16-term dot products
        np.testing.assert_allclose(out, expected[i::4], rtol=1e-5, atol=1e-5)
    assert len(results) == 20


def test_repeated_predict_and_call_do_not_grow_memory(backend):
    """400 calls after a warm-up: a per-call leak of a cached graph or tape (tens of kilobytes
    per call) would show as megabytes; the allocator's own noise stays below 5 MB. The warm-up
    is long (600 calls) because in a test worker that already holds gigabytes, the allocator
    keeps settling for a while (mlx grew 7 MB in a CI worker after a 200-call warm-up, 0 alone)."""
    model = _model()
    x1 = X[:1]
    for _ in range(300):
        model.predict(x1, verbose=0)
        model(x1)
    gc.collect()
    before = _rss_mb()
    for _ in range(200):
        model.predict(x1, verbose=0)
        model(x1)
    gc.collect()
    assert _rss_mb() - before < 5.0
