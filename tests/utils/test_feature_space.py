"""``keras.utils.FeatureSpace`` against Keras 3 (same data, same adapt -> same encoded features),
in both output modes, inside ``tf.data`` feeding ``fit`` on every backend, as the inputs of a
functional model (Keras' structured-data guide), and through a ``.keras`` file."""

from __future__ import annotations

import numpy as np
import pytest

import mini_keras as keras

tf = pytest.importorskip("tensorflow")
RNG = np.random.default_rng(0)
N = 40
DATA = {"age": RNG.normal(40, 10, size=N).astype("float32"),
        "fare": RNG.uniform(0, 100, size=N).astype("float32"),
        "sex": RNG.choice(["m", "f"], size=N), "cls": RNG.integers(1, 4, size=N).astype("int32"),
        "city": RNG.choice(["a", "b", "c", "d"], size=N),
        "code": RNG.integers(0, 50, size=N).astype("int32"),
        "raw": RNG.normal(size=N).astype("float32")}
LABELS = RNG.integers(0, 2, size=N).astype("float32")


def _space(lib, output_mode="concat", **kwargs):
    space = lib.utils.FeatureSpace
    features = {"age": space.float_normalized(), "fare": space.float_discretized(num_bins=4),
                "sex": space.string_categorical(), "cls": space.integer_categorical(),
                "city": space.string_hashed(num_bins=8), "code": space.integer_hashed(num_bins=6),
                "raw": space.float_rescaled(scale=2.0, offset=1.0)}
    return space(features=features, crosses=[space.cross(("sex", "cls"), crossing_dim=5)],
                 output_mode=output_mode, **kwargs)


def _keras3():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("output_mode", ["concat", "dict"])
def test_feature_space_matches_keras3(backend, output_mode, batched):
    keras3 = _keras3()
    dataset = tf.data.Dataset.from_tensor_slices(DATA)
    dataset = dataset.batch(16) if batched else dataset
    theirs, ours = _space(keras3, output_mode), _space(keras, output_mode)
    theirs.adapt(dataset)
    ours.adapt(dataset)
    expected, got = theirs(DATA), ours(DATA)
    if output_mode == "concat":
        expected, got = {"all": expected}, {"all": got}
    assert sorted(got) == sorted(expected)
    for name in expected:  # float32 normalization: a few ulps
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got[name]),
                                   np.asarray(expected[name]), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


def test_string_named_features_and_dict_adapt_match_keras3(backend):
    keras3 = _keras3()
    features = {"age": "float", "fare": "float_normalized", "sex": "string_categorical",
                "cls": "integer_categorical", "city": "string_hashed", "code": "integer_hashed"}
    kwargs = {"hashing_dim": 7, "crosses": [("sex", "city")], "crossing_dim": 9}
    theirs = keras3.utils.FeatureSpace(features, **kwargs)
    ours = keras.utils.FeatureSpace(features, **kwargs)
    subset = {k: DATA[k] for k in features}
    theirs.adapt(subset)
    ours.adapt(subset)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(subset)), theirs(subset),
                               rtol=1e-5, atol=1e-6)
    one = {k: v[0] for k, v in subset.items()}  # one example: one encoded vector
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(one)), theirs(one), rtol=1e-5,
                               atol=1e-6)


def test_feature_space_in_tf_data_trains_a_model(backend):
    """Keras' guide: ``dataset.map(lambda x, y: (space(x), y))`` feeds ``fit``; the guide's
    inference model takes the raw dict through ``get_inputs``."""
    space = _space(keras)
    dataset = tf.data.Dataset.from_tensor_slices((DATA, LABELS)).batch(8)
    space.adapt(dataset.map(lambda x, y: x))
    encoded = dataset.map(lambda x, y: (space(x), y))
    expected = np.concatenate([keras.ops.convert_to_numpy(space({k: v[i:i + 8]
                                                                 for k, v in DATA.items()}))
                               for i in range(0, N, 8)])
    np.testing.assert_allclose(np.concatenate([x for x, _ in encoded.as_numpy_iterator()]),
                               expected, rtol=1e-6)
    features = space.get_encoded_features()
    outputs = keras.layers.Dense(1, activation="sigmoid")(features)
    training_model = keras.Model(features, outputs)
    training_model.compile(optimizer="adam", loss="binary_crossentropy")
    history = training_model.fit(encoded, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    inference = keras.Model(space.get_inputs(), training_model(features))
    np.testing.assert_allclose(
        np.asarray(inference.predict({k: v[:, None] for k, v in DATA.items()}, verbose=0)),
        np.asarray(training_model.predict(expected, verbose=0)), rtol=1e-5, atol=1e-6)


def test_feature_space_saves_and_loads(backend, tmp_path):
    space = _space(keras, output_mode="dict")
    space.adapt(DATA)
    space.save(tmp_path / "space.keras")
    loaded = keras.models.load_model(tmp_path / "space.keras")
    assert isinstance(loaded, keras.utils.FeatureSpace)
    before, after = space(DATA), loaded(DATA)
    for name in before:
        np.testing.assert_allclose(keras.ops.convert_to_numpy(after[name]),
                                   keras.ops.convert_to_numpy(before[name]), rtol=1e-6,
                                   err_msg=name)


def test_feature_space_errors_name_the_problem():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        keras.utils.FeatureSpace({})
    with pytest.raises(ValueError, match="Invalid feature type: 'floaty'"):
        keras.utils.FeatureSpace({"a": "floaty"})
    with pytest.raises(ValueError, match="unknown features"):
        keras.utils.FeatureSpace({"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="output_mode"):
        keras.utils.FeatureSpace({"a": "float"}, output_mode="list")
    space = keras.utils.FeatureSpace({"a": "float_normalized"})
    with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)`"):
        space({"a": [1.0]})
    space.adapt({"a": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"lacks the features \['a'\]"):
        space({"b": [1.0]})
    with pytest.raises(ValueError, match="has not been encoded"):
        keras.utils.FeatureSpace({"c": keras.utils.FeatureSpace.integer_categorical(
            output_mode="int")}).adapt({"c": [1, 2]})
