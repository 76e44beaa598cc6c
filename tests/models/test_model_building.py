"""Functional API (multi-input/output, shared layers, nesting), subclassing, shapes, summary."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import layers


def _two_input_two_output():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    shared = layers.Dense(5, activation="tanh", name="shared")
    merged = layers.Concatenate(name="concat")([shared(layers.Dense(4, name="pa")(a)),
                                                shared(layers.Dense(4, name="pb")(b))])
    reg = layers.Dense(1, name="reg")(merged)
    cls = layers.Dense(3, activation="softmax", name="cls")(merged)
    return keras.Model([a, b], [reg, cls], name="two_heads")


def test_functional_multi_io_matches_numpy_forward(backend):
    model = _two_input_two_output()
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")
    reg, cls = model.predict([xa, xb], verbose=0)
    w = {layer.name: layer.get_weights() for layer in model.layers if layer.weights}
    dense = lambda x, kb: x @ kb[0] + kb[1]
    h = np.concatenate([np.tanh(dense(dense(xa, w["pa"]), w["shared"])),
                        np.tanh(dense(dense(xb, w["pb"]), w["shared"]))], axis=1)
    logits = dense(h, w["cls"])
    soft = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(reg, dense(h, w["reg"]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cls, soft / soft.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)
    # the shared layer appears once, with one set of weights
    assert [layer.name for layer in model.layers].count("shared") == 1
    assert len(model.get_layer("shared").weights) == 2


def test_per_output_losses_and_loss_weights(backend):
    keras.utils.set_random_seed(3)
    model = _two_input_two_output()
    model.compile(optimizer="sgd", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 2.0}, metrics=["accuracy"])
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 3)).astype("float32")
    y_reg = rng.normal(size=(8, 1)).astype("float32")
    y_cls = rng.integers(0, 3, size=(8,))
    logs = model.evaluate([xa, xb], [y_reg, y_cls], verbose=0, return_dict=True)
    reg, cls = model.predict([xa, xb], verbose=0)
    mse = np.mean((reg - y_reg) ** 2)
    ce = -np.mean(np.log(np.clip(cls[np.arange(8), y_cls], 1e-7, 1)))
    np.testing.assert_allclose(logs["loss"], 0.5 * mse + 2.0 * ce, rtol=1e-5)
    assert "cls_accuracy" in logs and "reg_accuracy" in logs
    history = model.fit([xa, xb], [y_reg, y_cls], epochs=3, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_nested_model_as_layer(backend):
    inner_in = keras.Input((3,))
    inner = keras.Model(inner_in, layers.Dense(2, name="inner_dense")(inner_in), name="inner")
    x = keras.Input((3,))
    outer = keras.Model(x, layers.Dense(1, name="head")(inner(x)), name="outer")
    data = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")
    k1, b1 = inner.get_weights()
    k2, b2 = outer.get_layer("head").get_weights()
    np.testing.assert_allclose(outer.predict(data, verbose=0), (data @ k1 + b1) @ k2 + b2,
                               rtol=1e-5, atol=1e-6)
    assert len(outer.weights) == 4
    outer.compile(optimizer="adam", loss="mse")
    outer.fit(data, np.ones((5, 1), "float32"), epochs=1, verbose=0)


class _Residual(keras.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.inner = layers.Dense(units, activation="relu")
        self.out = layers.Dense(1)

    def call(self, inputs):
        return self.out(inputs + self.inner(inputs))


class _Scale(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs):
        return inputs * self.scale


def test_subclassed_model_and_layer_train(backend):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), _Scale(), layers.Dense(4)])
    sub = _Residual(4)
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = x.sum(1, keepdims=True)
    for m in (model, sub):
        m.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
        first = m.evaluate(x, y if m is sub else np.repeat(y, 4, 1), verbose=0)
        m.fit(x, y if m is sub else np.repeat(y, 4, 1), epochs=20, batch_size=8, verbose=0)
        assert m.evaluate(x, y if m is sub else np.repeat(y, 4, 1), verbose=0) < first
    assert [v.name for v in sub.weights] == ["kernel", "bias", "kernel", "bias"]
    assert model.layers[0].weights[0].name == "scale"


def test_compute_output_shape_without_data(backend):
    model = _two_input_two_output()
    assert model.compute_output_shape([(None, 4), (None, 3)]) == [(None, 1), (None, 3)]
    conv = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(4, 3), layers.MaxPooling2D(),
                             layers.Flatten(), layers.Dense(10)])
    assert conv.compute_output_shape((None, 8, 8, 1)) == (None, 10)
    assert layers.Dense(7).compute_output_shape((None, 5)) == (None, 7)


def test_summary_lists_layers_shapes_and_params(backend):
    lines = []
    _two_input_two_output().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "shared (Dense)" in text and "(None, 5)" in text
    params = 4 * 4 + 4 + 3 * 4 + 4 + 4 * 5 + 5 + 10 * 1 + 1 + 10 * 3 + 3
    assert f"Total params: {params:,}" in text


def test_unconnected_input_and_foreign_tensor_errors(backend):
    a, b = keras.Input((2,), name="used"), keras.Input((2,), name="unused")
    out = layers.Dense(1)(a)
    with pytest.raises(ValueError, match="unused.*not connected"):
        keras.Model([a, b], out)
    c = keras.Input((2,), name="other")
    with pytest.raises(ValueError, match="other"):
        keras.Model(a, layers.Add()([layers.Dense(2)(a), c]))


def test_layer_reused_with_incompatible_shape(backend):
    dense = layers.Dense(3, name="reused")
    dense(np.zeros((2, 4), "float32"))
    with pytest.raises(ValueError, match="reused.*axis -1.*4.*\\(2, 5\\)"):
        dense(np.zeros((2, 5), "float32"))


class _ScaleLeft(layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="scale")

    def call(self, inputs):
        return self.scale * inputs + inputs


def test_python_operators_on_variables_train_identically_across_backends():
    """`x * variable` / `variable * x` in custom layers get gradients on every backend."""
    from mini_keras import backends
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    results = {}
    for name in backends.available():
        keras.config.set_backend(name)
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), _Scale(), _ScaleLeft(), layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x, y, epochs=3, batch_size=8, verbose=0)
        results[name] = model.get_weights()
    keras.config.set_backend("numpy")
    assert not np.allclose(results["numpy"][0], 1.0)  # the scales were trained
    for name, weights in results.items():
        for a, b in zip(results["numpy"], weights):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg=name)


def test_ops_on_symbolic_tensors_become_graph_nodes(backend, tmp_path):
    """``keras.ops`` calls on KerasTensors build op nodes: the model computes them (checked
    against numpy) and survives a save/load round trip."""
    inp = keras.Input((4,))
    hidden = layers.Dense(3, name="hidden")(inp)
    joined = keras.ops.concatenate([hidden, keras.ops.square(inp)], axis=-1)
    out = keras.ops.mean(joined, axis=1, keepdims=True)
    model = keras.Model(inp, out)
    assert [layer.op_name for layer in model.layers[2:]] == ["square", "concatenate", "mean"]
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    kernel, bias = model.get_layer("hidden").get_weights()
    expected = np.concatenate([x @ kernel + bias, x ** 2], axis=-1).mean(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "ops.keras")
    loaded = keras.models.load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
