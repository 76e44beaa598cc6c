"""load_img / img_to_array / array_to_img / save_img against Keras 3 on files made here."""

import numpy as np
import pytest

import mini_keras

keras = pytest.importorskip("keras")
pytest.importorskip("PIL")

IMAGE = np.random.default_rng(0).uniform(0, 255, size=(9, 14, 3)).astype("float32")


@pytest.mark.parametrize("kwargs", [
    {},
    {"color_mode": "grayscale"},
    {"color_mode": "rgba", "target_size": (5, 7)},
    {"target_size": (6, 6), "interpolation": "bilinear", "keep_aspect_ratio": True},
    {"target_size": (12, 4), "interpolation": "bicubic"},
])
def test_load_img_and_img_to_array_match_keras(tmp_path, kwargs):
    path = str(tmp_path / "a.png")
    keras.utils.save_img(path, IMAGE)
    ours = mini_keras.utils.img_to_array(mini_keras.utils.load_img(path, **kwargs))
    ref = keras.utils.img_to_array(keras.utils.load_img(path, **kwargs))
    assert ours.dtype == ref.dtype and ours.shape == ref.shape
    np.testing.assert_array_equal(ours, ref)
    first = mini_keras.utils.img_to_array(mini_keras.utils.load_img(path, **kwargs),
                                          data_format="channels_first")
    np.testing.assert_array_equal(first, ref.transpose(2, 0, 1))


@pytest.mark.parametrize("array", [IMAGE, IMAGE[..., :1] / 300.0, np.dstack([IMAGE, IMAGE[..., :1]])])
def test_array_to_img_and_save_img_match_keras(tmp_path, array):
    ours = np.asarray(mini_keras.utils.array_to_img(array))
    ref = np.asarray(keras.utils.array_to_img(array))
    np.testing.assert_array_equal(ours, ref)
    mini_keras.utils.save_img(str(tmp_path / "m.png"), array, scale=False)
    keras.utils.save_img(str(tmp_path / "k.png"), array, scale=False)
    np.testing.assert_array_equal(keras.utils.img_to_array(keras.utils.load_img(
        str(tmp_path / "m.png"), color_mode="rgba")), keras.utils.img_to_array(
        keras.utils.load_img(str(tmp_path / "k.png"), color_mode="rgba")))
    with pytest.raises(ValueError, match="rank 3"):
        mini_keras.utils.array_to_img(array[0])
