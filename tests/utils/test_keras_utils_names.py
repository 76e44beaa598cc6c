"""The ``keras.utils`` names of issue 19 (serialization helpers, Progbar, get_source_inputs,
model_to_dot / plot_model) against Keras 3."""

from __future__ import annotations

import os

import numpy as np
import pytest

import mini_keras as keras

NAMES = ["register_keras_serializable", "custom_object_scope", "get_custom_objects",
         "serialize_keras_object", "deserialize_keras_object", "Progbar", "plot_model",
         "model_to_dot", "get_source_inputs", "pack_x_y_sample_weight",
         "unpack_x_y_sample_weight"]


@pytest.fixture(scope="module")
def keras3():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    return pytest.importorskip("keras")


def test_names_exist_in_both(keras3):
    for name in NAMES:
        assert hasattr(keras3.utils, name) and name in keras.utils.__all__, name


def test_serialization_helpers_are_the_saving_ones():
    for name in NAMES[:5]:
        assert getattr(keras.utils, name) is getattr(keras.saving, name)


def _graph(module):
    a, b = module.Input((2,), name="a"), module.Input((2,), name="b")
    dense = module.layers.Dense(2, activation="relu", name="dense")
    out = module.layers.Add(name="add")([dense(b), a])
    return a, b, out, module.Model([a, b], out)


def test_get_source_inputs_like_keras3(keras3):
    for module in (keras, keras3):
        a, b, out, _ = _graph(module)
        sources = module.utils.get_source_inputs(out)
        assert [s is b for s in sources] == [True, False] and sources[1] is a
        assert module.utils.get_source_inputs(a) == [a]


def test_progbar_averages_like_keras3(keras3, capsys):
    updates = [(1, [("loss", 4.0), ("acc", 0.5)]), (3, [("loss", 1.0), ("acc", 0.9)])]
    ours = keras.utils.Progbar(4, stateful_metrics=["acc"], verbose=0)
    theirs = keras3.utils.Progbar(4, stateful_metrics=["acc"], verbose=0)
    for current, values in updates:
        ours.update(current, values)
        theirs.update(current, values)
    for name in ("loss", "acc"):
        total, count = theirs._values[name]
        np.testing.assert_allclose(ours._values[name], total / count)
    np.testing.assert_allclose(ours._values["loss"], (4.0 * 1 + 1.0 * 2) / 3)
    ours.add(1, [("loss", 9.0)])  # finalizes: Keras shows the last value
    theirs.add(1, [("loss", 9.0)])
    np.testing.assert_allclose(ours._values["loss"], theirs._values["loss"][0])
    with pytest.raises(ValueError, match="only one of"):
        keras.utils.Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def _edges(dot):
    names = {n.get_name(): n.get_label() for n in dot.get_nodes() if n.get_label()}
    return sorted((names[e.get_source()].split()[0].strip('"'),
                   names[e.get_destination()].split()[0].strip('"')) for e in dot.get_edges())


def test_model_to_dot_and_plot_model(tmp_path):
    pytest.importorskip("pydot")
    _, _, _, model = _graph(keras)
    dot = keras.utils.model_to_dot(model, show_shapes=True, show_layer_activations=True)
    assert _edges(dot) == [("a", "add"), ("b", "dense"), ("dense", "add")]
    labels = " ".join(n.get_label() or "" for n in dot.get_nodes())
    assert "Output shape: (None, 2)" in labels and "Activation: relu" in labels
    cluster = keras.utils.model_to_dot(model, subgraph=True)
    assert cluster.get_name() == f"cluster_{model.name}"
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        keras.utils.model_to_dot(model, colour=True)
    import shutil
    if shutil.which("dot") is None:
        with pytest.raises(ImportError, match="graphviz"):
            keras.utils.plot_model(model, to_file=tmp_path / "m.png")
        return
    keras.utils.plot_model(model, to_file=tmp_path / "m.png", show_shapes=True)
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    keras.utils.plot_model(seq, to_file=tmp_path / "s.svg")
    assert b"<svg" in (tmp_path / "s.svg").read_bytes()
