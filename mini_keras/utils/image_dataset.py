"""``keras.utils.image_dataset_from_directory``: a labelled image dataset from class folders."""

from __future__ import annotations

import functools

import numpy as np

from mini_keras import config, ops
from mini_keras.backends import backend_scope
from mini_keras.utils import directory_index
from mini_keras.utils.dataset_format import resolve_format, tf_datasets
from mini_keras.utils.image_utils import _pil

_WHERE = "image_dataset_from_directory"
ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
                  "mitchellcubic")
CHANNELS = {"rgb": 3, "rgba": 4, "grayscale": 1}
_PIL_MODES = {1: ("L", ("L", "I;16", "I")), 3: ("RGB", ("RGB",)), 4: ("RGBA", ("RGBA",))}


def _image_size(image_size) -> tuple[int, int]:
    if isinstance(image_size, int):
        return image_size, image_size
    if not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError(f"{_WHERE}: `image_size` must be an int or a tuple of 2 ints "
                         f"(height, width), received image_size={image_size!r}")
    return int(image_size[0]), int(image_size[1])


def load_image(path, image_size, num_channels, interpolation, data_format,
               crop_to_aspect_ratio=False, pad_to_aspect_ratio=False) -> np.ndarray:
    """One image file as ``(height, width, channels)`` (or channels first), decoded with Pillow
    and resized by ``ops.image.resize`` on the host (the numpy backend): float32, except that
    "nearest" keeps the file's integer dtype, as ``tf.image.resize`` (so Keras 3) does."""
    mode, accepted = _PIL_MODES[num_channels]
    with _pil().open(path) as image:
        if image.mode not in accepted:
            image = image.convert(mode)
        pixels = np.asarray(image)
    dtype = pixels.dtype if interpolation == "nearest" else np.dtype("float32")
    pixels = pixels.astype("float32")
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    if data_format == "channels_first":
        pixels = pixels.transpose(2, 0, 1)
    with backend_scope("numpy"):
        resized = ops.image.resize(pixels, image_size, interpolation=interpolation,
                                   crop_to_aspect_ratio=crop_to_aspect_ratio,
                                   pad_to_aspect_ratio=pad_to_aspect_ratio,
                                   data_format=data_format)
        return np.asarray(ops.convert_to_numpy(resized)).astype(dtype)


def _load_images(options, paths):
    return np.stack([load_image(path, *options) for path in paths])


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """A dataset of images (and labels) from ``directory`` (Keras 3's function and order).

    With ``labels="inferred"`` each sub-folder of ``directory`` is a class (sorted, or in
    ``class_names`` order); images are ``.bmp/.gif/.jpeg/.jpg/.png`` files, resized to
    ``image_size`` as float32.

    Args:
        directory: the folder.
        labels: "inferred", None (images only) or a list/tuple of int labels, one per file in
            alphanumeric path order.
        label_mode: "int" (int32), "categorical" (float32 one-hot), "binary" (float32
            ``(n, 1)``; 2 classes) or None.
        class_names: the classes (sub-folder names) to use, in label order.
        color_mode: "grayscale", "rgb" or "rgba" (1, 3 or 4 channels).
        batch_size: images per batch; None yields single images.
        image_size: ``(height, width)`` (or one int).
        shuffle, seed: shuffle the files (with ``numpy.random.RandomState(seed)``; for
            ``format="tf"`` also a ``tf.data`` shuffle buffer of 8 batches, as Keras).
        validation_split, subset: keep the training ("training"), the last
            ``validation_split`` fraction ("validation") or both as a list ("both").
        interpolation: resize method ("bilinear", "nearest", "bicubic", "area", "lanczos3",
            "lanczos5", "gaussian", "mitchellcubic").
        follow_links: walk sub-folders that are symbolic links.
        crop_to_aspect_ratio: crop the centre to the target aspect ratio before resizing.
        pad_to_aspect_ratio: pad to the target aspect ratio before resizing.
        data_format: "channels_last" or "channels_first" (None: ``keras.config``'s).
        format: "tf" (a ``tf.data.Dataset``, decoded and resized by TensorFlow exactly as Keras
            3) or "numpy" (a framework-free :class:`NumpyDataset`, Pillow and
            ``ops.image.resize``); see ``mini_keras.utils.dataset_format``.
        verbose: print how many files and classes were found.

    Returns:
        A dataset of ``images`` or ``(images, labels)`` batches with ``.class_names`` and
        ``.file_paths`` (a list of two datasets for ``subset="both"``).
    """
    fmt = resolve_format(format, _WHERE)
    labels, label_mode = directory_index.check_arguments(
        _WHERE, "image", labels, label_mode, class_names, validation_split, subset, shuffle,
        seed)
    if color_mode not in CHANNELS:
        raise ValueError(f"{_WHERE}: `color_mode` must be one of {tuple(CHANNELS)}, received "
                         f"color_mode={color_mode!r}")
    num_channels = CHANNELS[color_mode]
    image_size = _image_size(image_size)
    interpolation = str(interpolation).lower()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"{_WHERE}: `interpolation` must be one of {INTERPOLATIONS}, "
                         f"received interpolation={interpolation!r}")
    if fmt == "numpy" and interpolation not in ops.image.RESIZE_INTERPOLATIONS:
        raise NotImplementedError(
            f"{_WHERE}: with format='numpy', `interpolation` must be one of "
            f"{ops.image.RESIZE_INTERPOLATIONS} (those of ops.image.resize), received "
            f"interpolation={interpolation!r}; format='tf' supports all of {INTERPOLATIONS}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(f"{_WHERE}: only one of `crop_to_aspect_ratio` and "
                         "`pad_to_aspect_ratio` can be True")
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{_WHERE}: `data_format` must be 'channels_last' or "
                         f"'channels_first', received data_format={data_format!r}")
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = directory_index.index_directory(
        _WHERE, directory, labels, ALLOWLIST_FORMATS, class_names, shuffle, seed,
        follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f"{_WHERE}: label_mode='binary' needs exactly 2 classes, received "
                         f"class_names={class_names}")
    parts = directory_index.subsets(_WHERE, "image", directory, paths, labels,
                                    validation_split, subset, shuffle, ALLOWLIST_FORMATS)
    options = (image_size, num_channels, interpolation, data_format, crop_to_aspect_ratio,
               pad_to_aspect_ratio)

    def tf_build(part_paths, encoded, size, buffer, part_seed):
        return tf_datasets().images(part_paths, encoded, *options, size, buffer, part_seed)

    datasets = directory_index.build(parts, label_mode, class_names, batch_size, seed, fmt,
                                     tf_build, functools.partial(_load_images, options))
    return datasets if subset == "both" else datasets[0]
