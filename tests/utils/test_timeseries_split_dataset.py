"""timeseries_dataset_from_array and split_dataset: the same batches/splits as Keras 3, in both
formats (tf.data and the framework-free NumpyDataset), and fit takes them on every backend."""

from __future__ import annotations

import os

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@pytest.fixture(scope="module")
def keras3():
    return pytest.importorskip("keras")


def _batches(dataset):
    return [tuple(np.asarray(v) for v in b) if isinstance(b, tuple) else np.asarray(b)
            for b in dataset]


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if isinstance(b, tuple):
            assert isinstance(a, tuple) and len(a) == len(b)
            for u, v in zip(a, b):
                assert u.dtype == v.dtype and u.shape == v.shape
                np.testing.assert_array_equal(u, v)
        else:
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)


DATA = np.arange(60, dtype="float64").reshape(30, 2)
TARGETS = np.arange(30, dtype="int32") * 10
CASES = [
    {"targets": TARGETS, "sequence_length": 5},
    {"targets": None, "sequence_length": 4, "sequence_stride": 3, "sampling_rate": 2, "batch_size": 4},
    {"targets": TARGETS, "sequence_length": 3, "start_index": 2, "end_index": 25, "batch_size": 5},
    {"targets": TARGETS[:12], "sequence_length": 3, "batch_size": 5},
    {"targets": TARGETS, "sequence_length": 6, "batch_size": None, "sequence_stride": 2},
]


@pytest.mark.parametrize("fmt", ["tf", "numpy"])
@pytest.mark.parametrize("case", CASES, ids=range(len(CASES)))
def test_timeseries_batches_equal_keras(keras3, case, fmt):
    case = dict(case)
    targets = case.pop("targets")
    theirs = keras3.utils.timeseries_dataset_from_array(DATA, targets, **case)
    ours = keras.utils.timeseries_dataset_from_array(DATA, targets, format=fmt, **case)
    if fmt == "numpy":
        assert isinstance(ours, keras.utils.NumpyDataset)
        assert len(ours) == int(theirs.cardinality())
    else:
        assert type(ours).__module__.startswith("tensorflow")
    _assert_same(_batches(ours), _batches(theirs))


def test_timeseries_shuffle_tf_equals_keras_numpy_same_windows(keras3):
    kwargs = {"sequence_length": 4, "batch_size": 3, "shuffle": True, "seed": 7}
    theirs = _batches(keras3.utils.timeseries_dataset_from_array(DATA, TARGETS, **kwargs))
    _assert_same(_batches(keras.utils.timeseries_dataset_from_array(DATA, TARGETS, **kwargs)),
                 theirs)
    flat = _batches(keras.utils.timeseries_dataset_from_array(DATA, TARGETS, format="numpy",
                                                              **kwargs))
    ours_t = np.sort(np.concatenate([b[1] for b in flat]))
    np.testing.assert_array_equal(ours_t, np.sort(np.concatenate([b[1] for b in theirs])))


@pytest.mark.parametrize("kwargs, match", [
    ({"sequence_length": 3, "start_index": -1}, "start_index"),
    ({"sequence_length": 3, "start_index": 5, "end_index": 4}, "end_index"),
    ({"sequence_length": 3, "sampling_rate": 0}, "sampling_rate"),
    ({"sequence_length": 3, "sequence_stride": 40}, "sequence_stride"),
    ({"sequence_length": 3, "batch_size": 0}, "batch_size"),
    ({"sequence_length": 3, "format": "grain"}, "grain"),
    ({"sequence_length": 3, "format": "torch"}, "format"),
])
def test_timeseries_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, NotImplementedError), match=match):
        keras.utils.timeseries_dataset_from_array(DATA, None, **kwargs)


X = np.arange(40, dtype="float32").reshape(20, 2)
Y = np.arange(20, dtype="int64")
SPLITS = [{"left_size": 0.8}, {"right_size": 5}, {"left_size": 6, "right_size": 4},
          {"left_size": 0.3, "right_size": 0.5}, {"left_size": 7, "shuffle": True, "seed": 3}]


@pytest.mark.parametrize("fmt", ["tensorflow", "numpy"])
@pytest.mark.parametrize("kwargs", SPLITS, ids=range(len(SPLITS)))
@pytest.mark.parametrize("source", ["array", "tuple", "tf_batched"])
def test_split_dataset_equals_keras(keras3, kwargs, source, fmt):
    import tensorflow as tf
    data = {"array": X, "tuple": (X, Y),
            "tf_batched": tf.data.Dataset.from_tensor_slices((X, Y)).batch(3)}[source]
    theirs = keras3.utils.split_dataset(data, **kwargs)
    ours = keras.utils.split_dataset(data, preferred_backend=fmt, **kwargs)
    for mine, reference in zip(ours, theirs):
        if fmt == "numpy":
            assert isinstance(mine, keras.utils.NumpyDataset)
        else:
            assert type(mine).__module__.startswith("tensorflow")
        _assert_same(_batches(mine), _batches(reference))


def test_split_dataset_torch(keras3):
    pytest.importorskip("torch")
    left, right = keras.utils.split_dataset((X, Y), left_size=0.75, preferred_backend="torch")
    assert (len(left), len(right)) == (15, 5)
    np.testing.assert_array_equal(np.stack([s[1].numpy() for s in right]), Y[15:])
    left, right = keras.utils.split_dataset(X, left_size=5, shuffle=True, seed=1,
                                            preferred_backend="torch")
    rows = np.concatenate([np.stack([s[0].numpy() for s in part]) for part in (left, right)])
    np.testing.assert_array_equal(np.sort(rows[:, 0]), X[:, 0])
    again, _ = keras.utils.split_dataset(left, left_size=2)  # a torch Dataset in: torch out
    assert len(again) == 2 and type(again).__module__.startswith("torch")


@pytest.mark.parametrize("kwargs, error", [
    ({}, ValueError), ({"left_size": 0}, ValueError), ({"left_size": 20}, ValueError),
    ({"left_size": 1.5}, ValueError), ({"left_size": "a"}, TypeError),
    ({"left_size": 0.7, "right_size": 0.6}, ValueError), ({"left_size": 15, "right_size": 10},
                                                        ValueError),
])
def test_split_dataset_sizes_raise_like_keras(keras3, kwargs, error):
    with pytest.raises(error):
        keras3.utils.split_dataset(X, **kwargs)
    with pytest.raises(error, match="split_dataset"):
        keras.utils.split_dataset(X, preferred_backend="numpy", **kwargs)


def test_split_dataset_unsupported_source():
    with pytest.raises(TypeError, match="tf.data.Dataset"):
        keras.utils.split_dataset({"a": X}, left_size=0.5, preferred_backend="numpy")
    with pytest.raises(ValueError, match="index 1"):
        keras.utils.split_dataset([X, [1, 2]], left_size=0.5, preferred_backend="numpy")


def test_numpy_dataset_methods():
    ds = keras.utils.NumpyDataset((X, Y), batch_size=6)
    assert len(ds) == ds.cardinality() == 4 and ds[-1][0].shape == (2, 2)
    assert len(ds.unbatch()) == 20 and len(ds.unbatch().batch(6, drop_remainder=True)) == 3
    np.testing.assert_array_equal(ds.skip(1).take(2)[1][1], Y[12:18])
    with pytest.raises(ValueError, match="already batched"):
        ds.batch(2)
    with pytest.raises(ValueError, match="same number of rows"):
        keras.utils.NumpyDataset((X, Y[:3]))


@pytest.mark.parametrize("fmt", ["tf", "numpy"])
def test_fit_from_timeseries_dataset(backend, fmt):
    series = np.sin(np.arange(40, dtype="float32") / 3)[:, None]
    targets = np.roll(series, -4)

    def model():
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
        m.compile(optimizer="sgd", loss="mse")
        return m

    ds = keras.utils.timeseries_dataset_from_array(series, targets, 4, batch_size=8, format=fmt)
    windows = np.stack([series[i:i + 4] for i in range(37)])
    reference = model().fit(windows, targets[:37], batch_size=8, epochs=2, shuffle=False,
                            verbose=0).history["loss"]
    losses = model().fit(ds, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, reference, rtol=1e-5, atol=1e-6)


def test_numpy_datasets_pickle():
    import pickle
    datasets = [keras.utils.NumpyDataset((X, Y), batch_size=6).skip(1),
                keras.utils.timeseries_dataset_from_array(DATA, TARGETS, 3, batch_size=7,
                                                          format="numpy"),
                keras.utils.split_dataset((X, Y), left_size=5, preferred_backend="numpy")[1]]
    for ds in datasets:
        _assert_same(_batches(pickle.loads(pickle.dumps(ds))), _batches(ds))


def test_format_tf_without_tensorflow_falls_back(monkeypatch):
    import importlib.util

    from mini_keras.utils import dataset_format
    real = importlib.util.find_spec
    monkeypatch.setattr(dataset_format.importlib.util, "find_spec",
                        lambda name, *a: None if name == "tensorflow" else real(name, *a))
    with pytest.warns(UserWarning, match="format='numpy'"):
        ds = keras.utils.timeseries_dataset_from_array(DATA, None, 4, batch_size=8)
    assert isinstance(ds, keras.utils.NumpyDataset)
    _assert_same(_batches(ds), _batches(keras.utils.timeseries_dataset_from_array(
        DATA, None, 4, batch_size=8, format="numpy")))


def test_split_dataset_dicts_torch_and_numpy_inputs(keras3):
    import tensorflow as tf
    torch = pytest.importorskip("torch")
    dicts = tf.data.Dataset.from_tensor_slices({"a": X, "b": Y}).batch(4)
    tensors = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(Y))
    for data, kwargs in ((dicts, {"left_size": 0.5, "shuffle": True, "seed": 2}),
                         (tensors, {"left_size": 5, "preferred_backend": "tensorflow"})):
        theirs = keras3.utils.split_dataset(data, **kwargs)
        for fmt in ("tensorflow", "numpy"):
            ours = keras.utils.split_dataset(data, **dict(kwargs, preferred_backend=fmt))
            for mine, reference in zip(ours, theirs):
                mine, reference = list(mine.as_numpy_iterator()), list(
                    reference.as_numpy_iterator())
                assert len(mine) == len(reference)
                for a, b in zip(mine, reference):
                    for key in (a if isinstance(a, dict) else range(len(a))):
                        np.testing.assert_array_equal(a[key], b[key])
    batched = keras.utils.NumpyDataset((X, Y), batch_size=4)
    left, right = keras.utils.split_dataset(batched, right_size=0.25)
    assert isinstance(left, keras.utils.NumpyDataset) and left.batch_size == 4
    np.testing.assert_array_equal(np.concatenate([b[1] for b in right]), Y[15:])


def test_split_dataset_kind_follows_the_backend_as_keras(backend):
    left, _ = keras.utils.split_dataset((X, Y), left_size=4)
    expected = "torch" if backend == "torch" else "tensorflow"
    assert type(left).__module__.startswith(expected)
    with pytest.raises(ValueError, match="preferred_backend"):
        keras.utils.split_dataset(X, left_size=4, preferred_backend="paddle")


def test_numpy_dataset_map_and_prefetch_like_tf_data(keras3):
    import tensorflow as tf
    theirs = tf.data.Dataset.from_tensor_slices((X, Y))
    ours = keras.utils.NumpyDataset((X, Y))

    def sample_fn(x, y):
        return x * 2, y + 1

    def batch_fn(x, y):
        return {"x": x[:, :1]}, y

    reference = theirs.map(sample_fn).batch(6).map(batch_fn).prefetch(tf.data.AUTOTUNE)
    mapped = ours.map(sample_fn).batch(6).map(batch_fn).prefetch(tf.data.AUTOTUNE)
    assert mapped.workers == 2 and len(mapped) == int(reference.cardinality())
    for (mx, my), (rx, ry) in zip(mapped, reference.as_numpy_iterator()):
        np.testing.assert_array_equal(mx["x"], rx["x"])
        np.testing.assert_array_equal(my, ry)
    with pytest.raises(TypeError, match="callable"):
        ours.map(3)
    with pytest.raises(ValueError, match="buffer_size"):
        ours.prefetch(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(ours.map(lambda x, y: (x / 40, y / 20)).batch(5).prefetch(2), epochs=1, verbose=0)
