"""Merging layers on every backend: numpy formulas and Keras 3 outputs, gradients w.r.t. every
input that agree across backends (and with finite differences on numpy), shapes and errors."""

import numpy as np
import pytest

import mini_keras as keras
from mini_keras import backends

L = keras.layers


def numbers(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _normalized(x, axis):
    return x / np.linalg.norm(x, axis=axis, keepdims=True)


A, B, C = numbers((2, 3, 4), 0), numbers((2, 3, 4), 1), numbers((2, 3, 4), 2)
# (id, layer class name, constructor kwargs, inputs, numpy formula). Same API in Keras 3.
CASES = [
    ("add3", "Add", {}, [A, B, C], lambda a, b, c: a + b + c),
    ("add_broadcast", "Add", {}, [A, numbers((2, 1, 4), 3)], lambda a, b: a + b),
    ("add_lower_rank", "Add", {}, [A, numbers((2, 4), 4)], lambda a, b: a + b[:, None]),
    ("subtract", "Subtract", {}, [A, B], lambda a, b: a - b),
    ("multiply3", "Multiply", {}, [A, B, C], lambda a, b, c: a * b * c),
    ("average", "Average", {}, [A, B, C], lambda a, b, c: (a + b + c) / 3),
    ("maximum", "Maximum", {}, [A, B, C], lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    ("minimum", "Minimum", {}, [A, B], np.minimum),
    ("concatenate_last", "Concatenate", {}, [A, numbers((2, 3, 2), 5)],
     lambda a, b: np.concatenate([a, b], -1)),
    ("concatenate_axis1", "Concatenate", {"axis": 1}, [A, numbers((2, 1, 4), 6), B],
     lambda a, b, c: np.concatenate([a, b, c], 1)),
    ("dot_vectors", "Dot", {"axes": 1}, [A[:, 0], B[:, 0]],
     lambda a, b: np.sum(a * b, axis=1, keepdims=True)),
    ("dot_axes_pair", "Dot", {"axes": (1, 2)}, [A, numbers((2, 5, 3), 7)],
     lambda a, b: np.einsum("nij,nkj->nik", a.transpose(0, 2, 1), b)),
    ("dot_last_axes", "Dot", {"axes": -1}, [A, numbers((2, 5, 4), 8)],
     lambda a, b: np.einsum("nik,njk->nij", a, b)),
    ("dot_normalized", "Dot", {"axes": -1, "normalize": True}, [A, B],
     lambda a, b: np.einsum("nik,njk->nij", _normalized(a, -1), _normalized(b, -1))),
]
IDS = [case[0] for case in CASES]


def run(layer, inputs, probe):
    """Output of ``layer`` and the gradients of ``sum(output * probe)`` w.r.t. every input."""
    b = backends.get(layer.backend)

    def loss(values):
        y = layer(list(values))
        return b.sum(b.multiply(y, b.convert_to_tensor(probe))), y

    (_, y), grads = b.value_and_grad(loss, has_aux=True)(list(inputs))
    return b.convert_to_numpy(y), [b.convert_to_numpy(g) for g in grads]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_numpy_formula_and_keras(backend, case):
    _, class_name, kwargs, inputs, formula = case
    layer = getattr(L, class_name)(**kwargs)
    y = keras.ops.convert_to_numpy(layer(inputs))
    expected = formula(*inputs)
    assert y.shape == expected.shape == layer.compute_output_shape([x.shape for x in inputs])
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    keras3 = pytest.importorskip("keras")
    reference = keras3.ops.convert_to_numpy(getattr(keras3.layers, class_name)(**kwargs)(inputs))
    np.testing.assert_allclose(y, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradients_agree_across_backends(backend, case):
    _, class_name, kwargs, inputs, formula = case
    layer = getattr(L, class_name)(**kwargs)
    probe = numbers(formula(*inputs).shape, 9)
    y, grads = run(layer, inputs, probe)
    assert [g.shape for g in grads] == [x.shape for x in inputs]
    if backend != "numpy":
        with backends.backend_scope("numpy"):
            reference = getattr(L, class_name)(**kwargs)
        y_ref, grads_ref = run(reference, inputs, probe)
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5)
        for g, g_ref in zip(grads, grads_ref):
            np.testing.assert_allclose(g, g_ref, rtol=1e-4, atol=1e-5)
        return
    # numpy: central difference of the float64 formula along a random direction.
    direction = [numbers(x.shape, 10 + i).astype("float64") for i, x in enumerate(inputs)]
    eps = 1e-6

    def loss_at(sign):
        moved = [x.astype("float64") + sign * eps * d for x, d in zip(inputs, direction)]
        return float(np.sum(formula(*moved) * probe))

    numeric = (loss_at(1) - loss_at(-1)) / (2 * eps)
    analytic = sum(float(np.sum(g * d)) for g, d in zip(grads, direction))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4)


def test_training_and_inference_are_identical(backend):
    for layer in (L.Add(), L.Concatenate(), L.Dot(axes=-1, normalize=True)):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer([A, B], training=True)),
                                      keras.ops.convert_to_numpy(layer([A, B], training=False)))


def test_functional_shortcuts_and_symbolic_shapes(backend):
    a, b = keras.Input((3, 4)), keras.Input((3, 4))
    assert L.add([a, b]).shape == (None, 3, 4)
    assert L.concatenate([a, b], axis=1).shape == (None, 6, 4)
    assert L.dot([a, b], axes=2).shape == (None, 3, 3)
    assert L.Dot(axes=1)([keras.Input((4,)), keras.Input((4,))]).shape == (None, 1)
    model = keras.Model([a, b], L.subtract([L.maximum([a, b]), L.minimum([a, b])]))
    y = model.predict([A, B], verbose=0)
    np.testing.assert_allclose(y, np.abs(A - B), rtol=1e-6)
    assert L.Concatenate(axis=1).compute_output_shape([(None, None, 4), (None, 2, 4)]) == \
        (None, None, 4)


def test_config_round_trip():
    for layer in (L.Add(name="a"), L.Concatenate(axis=1), L.Dot(axes=(1, 2), normalize=True)):
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()


def test_mismatched_shapes_name_the_layer_and_the_shapes(backend):
    with pytest.raises(ValueError, match=r"Add 'my_add'.*incompatible.*\(2, 3\).*\(2, 4\)"):
        L.Add(name="my_add")([np.zeros((2, 3)), np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"Concatenate 'cat'.*\(2, 3, 4\).*\(2, 5, 2\)"):
        L.Concatenate(name="cat")([A, np.zeros((2, 5, 2), "float32")])
    with pytest.raises(ValueError, match=r"Subtract 'sub'.*exactly 2 inputs.*3"):
        L.Subtract(name="sub")([A, B, C])
    with pytest.raises(ValueError, match=r"Dot 'dot'.*axis 2 of \(2, 3, 4\) has size 4.*size 5"):
        L.Dot(axes=-1, name="dot")([A, np.zeros((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match=r"Multiply 'mul'.*batch sizes"):
        L.Multiply(name="mul")([np.zeros((2, 3)), np.zeros((3, 3))])
    with pytest.raises(ValueError, match="Maximum 'mx' must be called on a list"):
        L.Maximum(name="mx")(A)
    # A built layer still checks every call.
    add = L.Add(name="built_add")
    add([A, B])
    with pytest.raises(ValueError, match=r"built_add.*\(2, 3, 4\).*\(2, 3, 5\)"):
        add([A, np.zeros((2, 3, 5), "float32")])
    # Symbolic inputs fail at model-building time.
    with pytest.raises(ValueError, match=r"Concatenate 'sym'.*\(None, 3\).*\(None, 4, 1\)"):
        L.Concatenate(name="sym")([keras.Input((3,)), keras.Input((4, 1))])
