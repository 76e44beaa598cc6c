"""Initializers added for Keras 3 parity on every backend: STFT and Identity values equal
Keras 3's, Orthogonal is orthogonal, the lower-case names are Keras' aliases, and configs
round-trip through serialize/deserialize in Keras 3's schema."""

import numpy as np
import pytest
from catalogue_helpers import keras_numpy, ours_numpy, real_keras

import mini_keras as keras

STFT_CASES = [
    ((16, 1, 9), {}),
    ((16, 1, 9), {"side": "imag"}),
    ((12, 1, 7), {"window": "hamming", "scaling": "spectrum", "periodic": True}),
    ((8, 1, 5), {"window": "blackman", "scaling": None}),
    ((8, 1, 5), {"window": None}),
    ((6, 1, 4), {"window": list(np.linspace(0.1, 1.0, 6))}),
]


@pytest.mark.parametrize(("shape", "kwargs"), STFT_CASES,
                         ids=[f"stft{i}" for i in range(len(STFT_CASES))])
def test_stft_matches_keras(backend, shape, kwargs):
    got = ours_numpy(keras.initializers.STFT(**kwargs)(shape))
    expected = keras_numpy(real_keras().initializers.STFT(**kwargs)(shape))
    assert got.dtype == expected.dtype and got.shape == expected.shape
    # Keras builds the angles in float32; ours in float64, so cos/sin differ by float32 ulps
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4)])
def test_identity_matches_keras(backend, shape):
    got = ours_numpy(keras.initializers.IdentityInitializer(gain=1.5)(shape))
    expected = keras_numpy(real_keras().initializers.IdentityInitializer(gain=1.5)(shape))
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (2, 3, 4)])
def test_orthogonal_is_orthogonal_and_reproducible(backend, shape):
    """Keras draws with each backend's own generator, so the values cannot match; the
    property they share is orthogonality (rows or columns, whichever are fewer)."""
    init = keras.initializers.OrthogonalInitializer(gain=2.0, seed=7)
    w = ours_numpy(init(shape)).astype(np.float64).reshape(-1, shape[-1])
    gram = w.T @ w if w.shape[0] >= w.shape[1] else w @ w.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(len(gram)), atol=1e-5)
    np.testing.assert_array_equal(ours_numpy(init(shape)), ours_numpy(init(shape)))


def test_names_are_keras_aliases_and_configs_round_trip():
    theirs = real_keras().initializers
    names = [n for n in dir(theirs) if not n.startswith("_") and isinstance(
        getattr(theirs, n), type)]
    for name in names:
        ours_cls, their_cls = getattr(keras.initializers, name), getattr(theirs, name)
        if their_cls.__name__ == "Initializer":
            continue
        assert ours_cls.__name__ == their_cls.__name__, name
        if name[0].islower():
            assert keras.initializers.get(name).__class__ is ours_cls
            assert keras.initializers.deserialize(name).__class__ is ours_cls
    for cls_name, kwargs in [("Orthogonal", {"gain": 0.5, "seed": 3}), ("Identity", {"gain": 2}),
                             ("STFT", {"side": "imag", "window": "hamming"}),
                             ("GlorotUniform", {"seed": 1}), ("Constant", {"value": 0.3})]:
        config = theirs.serialize(getattr(theirs, cls_name)(**kwargs))
        ours = keras.initializers.deserialize(config)
        assert type(ours).__name__ == cls_name
        ours_config = keras.initializers.serialize(ours)["config"]
        # Keras 3.15 writes no "gain" for Identity (it is lost on reload); ours keeps it
        for key, value in config["config"].items():
            if value is not None or key in ("seed", "scaling", "window"):
                assert ours_config[key] == value, (cls_name, key)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="STFT: `side` must be 'real' or 'imag'"):
        keras.initializers.STFT(side="both")
    with pytest.raises(ValueError, match="Unknown window 'hannn'"):
        keras.initializers.STFT(window="hannn")
    with pytest.raises(ValueError, match=r"window must have shape \(4,\)"):
        keras.initializers.STFT(window=[1.0, 2.0])((4, 1, 3))
    with pytest.raises(ValueError, match="Identity: needs a 2-D shape"):
        keras.initializers.identity()((2, 2, 2))


@pytest.mark.parametrize("name", ["VarianceScaling", "GlorotUniform", "HeUniform",
                                  "LecunUniform"])
def test_fan_axes_set_the_scale_and_the_config_as_keras(name):
    """``input_axes``/``output_axes`` (Keras 3): the uniform limit comes from those axes' sizes,
    so the largest |value| of a big sample sits just under Keras' computed limit."""
    keras3 = real_keras()
    shape, axes = (6, 5, 40), {"input_axes": [0], "output_axes": [1, 2]}
    kwargs = {"distribution": "uniform", "mode": "fan_avg"} if name == "VarianceScaling" else {}
    ours = getattr(keras.initializers, name)(seed=1, **axes, **kwargs)
    theirs = getattr(keras3.initializers, name)(seed=1, **axes, **kwargs)
    assert ours.get_config() == theirs.get_config()
    fan_in, fan_out = keras3.src.initializers.random_initializers.compute_fans(shape, **axes)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[
        theirs.mode]
    limit = np.sqrt(3.0 * theirs.scale / n)
    values = ours_numpy(ours(shape))
    assert np.abs(values).max() <= limit
    assert np.abs(values).max() > 0.98 * limit  # 1200 uniform draws reach the top 2%
    assert np.abs(keras_numpy(theirs(shape))).max() <= limit
