"""``mini_keras.random`` on every backend: shapes, dtypes, ranges, distributions, seeding."""

import numpy as np
import pytest

from mini_keras import backends, random
from mini_keras.core.variable import Variable


def _np(backend, x):
    return np.asarray(backends.get(backend).convert_to_numpy(x))


def test_truncated_normal(backend):
    out = _np(backend, random.truncated_normal((4000,), mean=1.0, stddev=2.0, seed=3))
    assert out.shape == (4000,) and out.dtype == np.float32
    assert out.min() >= 1.0 - 4.0 - 1e-5 and out.max() <= 1.0 + 4.0 + 1e-5
    # a standard normal truncated at +-2 has std 0.8796; here scaled by 2
    assert abs(out.mean() - 1.0) < 0.1 and abs(out.std() - 2 * 0.8796) < 0.1
    assert _np(backend, random.truncated_normal((2, 3), dtype="float64", seed=1)).shape == (2, 3)


def test_categorical(backend):
    logits = np.log(np.array([[0.1, 0.6, 0.3], [0.98, 0.01, 0.01]], np.float32))
    out = _np(backend, random.categorical(logits, 3000, seed=5))
    assert out.shape == (2, 3000) and out.dtype == np.int32
    freq = np.stack([np.bincount(row, minlength=3) / 3000 for row in out])
    np.testing.assert_allclose(freq, np.exp(logits), atol=0.04)
    assert _np(backend, random.categorical(logits, 2, dtype="int64", seed=5)).dtype.kind == "i"


def test_randint(backend):
    out = _np(backend, random.randint((3000,), -2, 5, seed=7))
    assert out.shape == (3000,) and out.dtype == np.int32
    assert set(np.unique(out)) == set(range(-2, 5))


def test_shuffle_is_a_permutation(backend):
    x = np.arange(40, dtype=np.float32).reshape(8, 5)
    rows = _np(backend, random.shuffle(x, seed=11))
    assert sorted(map(tuple, rows)) == sorted(map(tuple, x)) and not np.array_equal(rows, x)
    cols = _np(backend, random.shuffle(x, axis=1, seed=11))
    np.testing.assert_array_equal(np.sort(cols, axis=1), x)
    assert np.all(cols - cols[:, :1] == (cols[0] - cols[0, 0])[None])  # one permutation


@pytest.mark.parametrize("draw", [
    lambda seed: random.truncated_normal((5,), seed=seed),
    lambda seed: random.categorical(np.zeros((2, 10), np.float32), 6, seed=seed),
    lambda seed: random.randint((6,), 0, 1000, seed=seed),
    lambda seed: random.shuffle(np.arange(20), seed=seed),
], ids=["truncated_normal", "categorical", "randint", "shuffle"])
def test_same_seed_same_numbers_other_seed_other_numbers(backend, draw):
    first, again, other = (_np(backend, draw(s)) for s in (42, 42, 43))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_seed_generator_advances_and_replays(backend):
    a, b = random.SeedGenerator(9), random.SeedGenerator(9)
    first, second = (_np(backend, random.randint((8,), 0, 10**6, seed=a)) for _ in range(2))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, _np(backend, random.randint((8,), 0, 10**6, seed=b)))


def test_samplers_inside_compile(backend):
    bk = backends.get(backend)
    generator = random.SeedGenerator(4, backend=backend)
    out = Variable(np.zeros(6, np.int32), name="out", backend=backend)

    def step():
        ids = random.randint((3,), 0, 50, seed=generator)
        order = random.shuffle(bk.arange(3), seed=generator)
        out.assign(bk.concatenate([ids, bk.cast(order, "int32")]))
        return ids

    compiled = bk.compile(step, [out, generator.state])
    compiled()
    first = _np(backend, out.value)
    compiled()
    second = _np(backend, out.value)
    assert sorted(first[3:]) == [0, 1, 2] and np.all((first[:3] >= 0) & (first[:3] < 50))
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("call, error, message", [
    (lambda: random.categorical(np.zeros(3, np.float32), 2), ValueError,
     "random.categorical: `logits` must be 2-D (batch, classes), received shape (3,)."),
    (lambda: random.randint((2,), 5, 5), ValueError,
     "random.randint: `minval` must be < `maxval`, received 5 and 5."),
    (lambda: random.randint((2,), 0, 5, dtype="float32"), TypeError,
     "random.randint: `dtype` must be an integer dtype, received 'float32'."),
    (lambda: random.shuffle(np.zeros((2, 2)), axis=2), ValueError,
     "random.shuffle: `axis`=2 is out of range for a tensor of rank 2."),
], ids=["categorical-rank", "randint-range", "randint-dtype", "shuffle-axis"])
def test_bad_arguments_same_message_on_every_backend(backend, call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message
