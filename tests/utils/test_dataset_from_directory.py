"""image/text/audio_dataset_from_directory against Keras 3 on the same files: class names, file
order, labels in every label_mode, image sizes/dtypes/values, validation splits, both formats
(tf.data and the framework-free NumpyDataset); and fit takes the result on every backend."""

from __future__ import annotations

import os
import wave

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.utils.audio_dataset import audio_datasets

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
CLASSES = ("cat", "dog", "zebra")


@pytest.fixture(scope="module")
def keras3():
    return pytest.importorskip("keras")


def _write_tree(root, write, per_class=(3, 4, 2), classes=CLASSES):
    rng = np.random.default_rng(0)
    for name, count in zip(classes, per_class):
        os.makedirs(root / name)
        for i in range(count):
            write(root / name / f"f{i}", rng, i)
    (root / "cat" / "notes.md").write_text("not a sample")
    return str(root)


def _png(path, rng, i, mode="RGB"):
    from PIL import Image
    h, w = 5 + i, 7 + (i % 2)
    shape = (h, w) if mode == "L" else (h, w, len(mode))
    Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(f"{path}.png")


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    return _write_tree(tmp_path_factory.mktemp("images"), _png)


@pytest.fixture(scope="module")
def gray_images(tmp_path_factory):
    return _write_tree(tmp_path_factory.mktemp("gray"),
                       lambda path, rng, i: _png(path, rng, i, mode="L"))


def _elements(dataset):
    out = []
    for element in dataset.as_numpy_iterator():
        out.append(tuple(np.asarray(v) for v in element) if isinstance(element, tuple)
                   else (np.asarray(element),))
    return out


def _assert_close(ours, theirs, atol=0.0):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            assert u.dtype == v.dtype and u.shape == v.shape, (u.dtype, v.dtype, u.shape, v.shape)
            if u.dtype.kind in "OSU":
                assert list(u.ravel()) == list(v.ravel())
            else:
                np.testing.assert_allclose(u, v, rtol=0, atol=atol)


IMAGE_CASES = [
    {"shuffle": False},
    {"shuffle": False, "label_mode": "categorical", "image_size": (6, 9), "batch_size": 4},
    {"shuffle": False, "label_mode": None, "batch_size": None},
    {"shuffle": False, "class_names": ["zebra", "cat"], "label_mode": "binary"},
    {"shuffle": False, "labels": [0, 1, 0, 1, 1, 0, 0, 1, 1], "color_mode": "rgba"},
    {"shuffle": False, "crop_to_aspect_ratio": True, "image_size": (4, 7), "interpolation": "nearest"},
    {"shuffle": False, "data_format": "channels_first", "image_size": (3, 5)},
    {"seed": 3, "batch_size": 4},
    {"seed": 5, "validation_split": 0.34, "subset": "training", "batch_size": 2},
    {"seed": 5, "validation_split": 0.34, "subset": "validation"},
]


@pytest.mark.parametrize("fmt", ["tf", "numpy"])
@pytest.mark.parametrize("case", IMAGE_CASES, ids=range(len(IMAGE_CASES)))
def test_images_equal_keras(keras3, images, case, fmt):
    kwargs = {"image_size": (8, 8), "verbose": False, **case}
    theirs = keras3.utils.image_dataset_from_directory(images, **kwargs)
    ours = keras.utils.image_dataset_from_directory(images, format=fmt, **kwargs)
    assert ours.class_names == theirs.class_names
    assert ours.file_paths == theirs.file_paths
    if fmt == "tf":  # decoded and resized by TensorFlow as Keras: exact, same shuffle
        _assert_close(_elements(ours), _elements(theirs))
        return
    assert isinstance(ours, keras.utils.NumpyDataset)
    if case.get("shuffle", True):  # same files in the same order; no tf.data shuffle buffer
        plain = dict(kwargs, shuffle=False, validation_split=None, subset=None)
        unshuffled = keras3.utils.image_dataset_from_directory(images, **plain)
        rows = {p: i for i, p in enumerate(unshuffled.file_paths)}
        flat = [np.concatenate(col) for col in zip(*_elements(unshuffled))]
        order = [rows[p] for p in ours.file_paths]
        size = kwargs.get("batch_size", 32)
        expected = [tuple(col[order[i:i + size]] for col in flat)
                    for i in range(0, len(order), size)]
        _assert_close(_elements(ours), expected, atol=1e-3)
    else:  # Pillow + ops.image.resize: Keras' own framework-free resize
        _assert_close(_elements(ours), _elements(theirs), atol=1e-3)


def test_images_both_subsets_and_grayscale(keras3, images, gray_images):
    kwargs = {"image_size": (4, 4), "validation_split": 0.25, "subset": "both", "seed": 2,
                  "verbose": False}
    theirs = keras3.utils.image_dataset_from_directory(images, **kwargs)
    for fmt in ("tf", "numpy"):
        ours = keras.utils.image_dataset_from_directory(images, format=fmt, **kwargs)
        assert isinstance(ours, list) and len(ours) == 2
        assert [d.file_paths for d in ours] == [d.file_paths for d in theirs]
    _assert_close(_elements(ours[1]), _elements(theirs[1]), atol=1e-3)  # validation: in order
    kwargs = {"image_size": (6, 6), "color_mode": "grayscale", "shuffle": False, "verbose": False}
    theirs = _elements(keras3.utils.image_dataset_from_directory(gray_images, **kwargs))
    for fmt in ("tf", "numpy"):
        ours = keras.utils.image_dataset_from_directory(gray_images, format=fmt, **kwargs)
        _assert_close(_elements(ours), theirs, atol=1e-3)


@pytest.mark.parametrize("kwargs, match", [
    ({"label_mode": "sparse"}, "label_mode"),
    ({"color_mode": "cmyk"}, "color_mode"),
    ({"image_size": (1, 2, 3)}, "image_size"),
    ({"interpolation": "cubic"}, "interpolation"),
    ({"validation_split": 0.2}, "subset"),
    ({"validation_split": 0.2, "subset": "training"}, "seed"),
    ({"label_mode": "binary"}, "2 classes"),
    ({"class_names": ["cat", "lion"]}, "class_names"),
    ({"labels": [0, 1]}, "one label per file"),
    ({"labels": "folders"}, "labels"),
    ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "only one"),
    ({"format": "grain"}, "grain"),
    ({"format": "numpy", "interpolation": "area"}, "format='tf'"),
])
def test_image_arguments_raise(images, kwargs, match):
    with pytest.raises((ValueError, NotImplementedError), match=match):
        keras.utils.image_dataset_from_directory(images, verbose=False, **kwargs)
    with pytest.raises(ValueError, match="does not exist"):
        keras.utils.image_dataset_from_directory(os.path.join(images, "nope"))


def _txt(path, rng, i):
    path.with_suffix(".txt").write_bytes(f"text {i} é {rng.integers(100)}".encode())


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    return _write_tree(tmp_path_factory.mktemp("texts"), _txt)


TEXT_CASES = [{"shuffle": False}, {"shuffle": False, "max_length": 7, "label_mode": "categorical"},
              {"shuffle": False, "label_mode": None, "batch_size": None},
              {"shuffle": False, "validation_split": 0.4, "subset": "validation"},
              {"seed": 4, "batch_size": 3}]


@pytest.mark.parametrize("fmt", ["tf", "numpy"])
@pytest.mark.parametrize("case", TEXT_CASES, ids=range(len(TEXT_CASES)))
def test_texts_equal_keras(keras3, texts, case, fmt):
    if fmt == "numpy" and case.get("shuffle", True):
        case = dict(case, shuffle=False)
    theirs = keras3.utils.text_dataset_from_directory(texts, verbose=False, **case)
    ours = keras.utils.text_dataset_from_directory(texts, verbose=False, format=fmt, **case)
    assert ours.class_names == theirs.class_names
    _assert_close(_elements(ours), _elements(theirs))


def _wav(path, rng, i, channels=1):
    samples = (rng.uniform(-1, 1, (20 + 5 * i, channels)) * 32767).astype("<i2")
    with wave.open(f"{path}.wav", "wb") as f:
        f.setnchannels(channels)
        f.setsampwidth(2)
        f.setframerate(8000)
        f.writeframes(samples.tobytes())


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    return _write_tree(tmp_path_factory.mktemp("audio"), lambda p, r, i: _wav(p, r, i, 2))


AUDIO_CASES = [{"shuffle": False, "batch_size": 2}, {"shuffle": False, "output_sequence_length": 22},
               {"shuffle": False, "label_mode": "binary", "class_names": ["dog", "cat"],
                    "batch_size": None},
               {"shuffle": False, "validation_split": 0.3, "subset": "both", "label_mode": None}]


@pytest.mark.parametrize("fmt", ["tf", "numpy"])
@pytest.mark.parametrize("case", AUDIO_CASES, ids=range(len(AUDIO_CASES)))
def test_audio_equal_keras(keras3, clips, case, fmt):
    theirs = keras3.utils.audio_dataset_from_directory(clips, verbose=False, **case)
    args = {"labels": "inferred", "label_mode": "int", "class_names": None, "batch_size": 32,
                "sampling_rate": None, "output_sequence_length": None, "ragged": False, "shuffle": True,
                "seed": None, "validation_split": None, "subset": None, "follow_links": False,
                "verbose": False}
    args.update(case)
    ours = (audio_datasets(clips, **args, fmt=fmt) if fmt == "numpy" else
            keras.utils.audio_dataset_from_directory(clips, verbose=False, **case))
    pairs = zip(ours, theirs) if case.get("subset") == "both" else [(ours, theirs)]
    for mine, reference in pairs:
        assert mine.class_names == reference.class_names
        _assert_close(_elements(mine), _elements(reference))


def test_audio_arguments_raise(clips):
    with pytest.raises(ValueError, match="ragged"):
        keras.utils.audio_dataset_from_directory(clips, ragged=True, output_sequence_length=3)
    with pytest.raises(NotImplementedError, match="sampling_rate"):
        keras.utils.audio_dataset_from_directory(clips, sampling_rate=16000)
    with pytest.raises(ValueError, match="16-bit"):
        path = os.path.join(clips, "cat", "bad.wav")
        with wave.open(path, "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(1)
            f.setframerate(8000)
            f.writeframes(b"\x00\x01")
        try:
            list(audio_datasets(clips, "inferred", "int", None, 32, None, None, False, False,
                                None, None, None, False, False, "numpy"))
        finally:
            os.remove(path)


@pytest.mark.parametrize("fmt", ["tf", "numpy"])
def test_fit_from_image_dataset(backend, images, fmt):
    kwargs = {"image_size": (4, 4), "batch_size": 4, "shuffle": False, "label_mode": "categorical",
                  "verbose": False}
    ds = keras.utils.image_dataset_from_directory(images, format=fmt, **kwargs)
    reference = keras.utils.image_dataset_from_directory(images, format="numpy", **kwargs)
    x, y = (np.concatenate(col) for col in zip(*reference))

    def model():
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.Flatten(), keras.layers.Dense(3,
                                                                         activation="softmax")])
        m.compile(optimizer="sgd", loss="categorical_crossentropy")
        return m

    expected = model().fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    losses = model().fit(ds, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(losses, expected.history["loss"], rtol=1e-5, atol=1e-6)


def test_directory_datasets_pickle_and_read_with_workers(images, texts, clips):
    import pickle
    datasets = [keras.utils.image_dataset_from_directory(images, image_size=(3, 3), seed=1,
                                                         format="numpy", verbose=False),
                keras.utils.text_dataset_from_directory(texts, shuffle=False, format="numpy",
                                                        verbose=False),
                audio_datasets(clips, "inferred", "int", None, 4, None, None, False, False, None,
                               None, None, False, False, "numpy")]
    for ds in datasets:
        copy = pickle.loads(pickle.dumps(ds))
        assert copy.class_names == ds.class_names and copy.file_paths == ds.file_paths
        _assert_close(_elements(copy), _elements(ds))
    ds = datasets[0]
    ds.workers = 2
    model = keras.Sequential([keras.Input((3, 3, 3)), keras.layers.Flatten(),
                              keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(True))
    assert np.isfinite(model.evaluate(ds, verbose=0))
