"""A text model (strings -> TextVectorization -> Embedding -> pooling -> Dense) trains from a
numpy string array on every backend, saves with its vocabulary in Keras 3's asset layout, and
exchanges .keras files with Keras 3 both ways; the layer also runs inside tf.data."""

import os
import zipfile

import numpy as np
import pytest

import mini_keras as keras

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # as the other Keras-reference tests
real = pytest.importorskip("keras")

TEXTS = np.array(["the cat sat", "the dog ran far", "a cat and a dog", "great movie",
                  "bad movie", "what a great cat", "a bad dog", "far away"])
LABELS = np.array([0, 1, 1, 0, 1, 0, 1, 0], "float32")


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def _text_model(lib, mode="int"):
    vectorizer = lib.layers.TextVectorization(
        max_tokens=20, output_mode=mode, output_sequence_length=5 if mode == "int" else None)
    vectorizer.adapt(TEXTS)
    inputs = lib.Input(shape=(1,), dtype="string")
    x = vectorizer(inputs)
    if mode == "int":
        x = lib.layers.GlobalAveragePooling1D()(lib.layers.Embedding(20, 4)(x))
    outputs = lib.layers.Dense(1, activation="sigmoid")(x)
    return lib.Model(inputs, outputs)


def test_text_model_trains_and_saves_with_vocabulary(backend, tmp_path):
    model = _text_model(keras)
    assert model.outputs[0].shape == (None, 1)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(TEXTS[:, None], LABELS, epochs=8, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] - 0.01
    before = model.predict(TEXTS[:, None], verbose=0)
    path = tmp_path / "text.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        vocab = zf.read("assets/layers/text_vectorization/vocabulary.txt").decode()
    assert vocab.split("\n") == model.layers[1].get_vocabulary()
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(TEXTS[:, None], verbose=0), before, rtol=1e-6)
    assert loaded.layers[1].get_vocabulary() == model.layers[1].get_vocabulary()


@pytest.mark.parametrize("mode", ["int", "tf_idf"])
def test_keras_file_loads_here_and_ours_loads_in_keras(backend, tmp_path, mode):
    theirs = _text_model(real, mode)
    keras_path = str(tmp_path / "keras.keras")
    theirs.save(keras_path)
    expected = np.asarray(theirs(TEXTS[:, None]))
    loaded = keras.models.load_model(keras_path)
    np.testing.assert_allclose(_np(loaded(TEXTS[:, None])), expected, rtol=1e-5, atol=1e-6)
    ours_path = str(tmp_path / "ours.keras")
    loaded.save(ours_path)
    back = real.saving.load_model(ours_path)
    np.testing.assert_allclose(np.asarray(back(TEXTS[:, None])), expected, rtol=1e-5,
                               atol=1e-6)


def test_tf_data_map_equals_direct_call_with_torch_backend():
    from tests.conftest import require_backend
    require_backend("torch")
    tf = pytest.importorskip("tensorflow")
    previous = keras.backends.default_name()
    keras.config.set_backend("torch")
    try:
        vectorizer = keras.layers.TextVectorization(output_sequence_length=6)
        vectorizer.adapt(TEXTS)
        dataset = tf.data.Dataset.from_tensor_slices(TEXTS).batch(3).map(vectorizer)
        mapped = np.concatenate([b for b in dataset.as_numpy_iterator()])
        np.testing.assert_array_equal(mapped, _np(vectorizer(TEXTS)))
        assert dataset.element_spec.shape.as_list() == [None, 6]
        multi = keras.layers.TextVectorization(output_mode="multi_hot")
        multi.adapt(tf.data.Dataset.from_tensor_slices(TEXTS).batch(4))
        mapped = np.concatenate(list(tf.data.Dataset.from_tensor_slices(TEXTS).batch(3)
                                     .map(multi).as_numpy_iterator()))
        np.testing.assert_allclose(mapped, _np(multi(TEXTS)))
    finally:
        keras.config.set_backend(previous)
