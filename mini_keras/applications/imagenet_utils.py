"""``keras.applications.imagenet_utils``: ImageNet preprocessing and decoding of predictions."""

from __future__ import annotations

import json

import numpy as np

from mini_keras import ops
from mini_keras.common.settings import floatx, image_data_format

__all__ = ["decode_predictions", "preprocess_input"]

CLASS_INDEX = None  # {"0": ["n01440764", "tench"], ...}, read once from Keras' cache
CLASS_INDEX_PATH = ("https://storage.googleapis.com/download.tensorflow.org/"
                    "data/imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocess a batch of images (values in [0, 255]) for an ImageNet model.

    Args:
        x: a numpy array or a tensor, 3D or 4D, with 3 colour channels. A floating numpy
            array is modified in place (as Keras does; pass a copy to keep it).
        data_format: ``"channels_last"`` / ``"channels_first"`` (None: the global setting).
        mode: ``"caffe"`` (RGB -> BGR, minus ImageNet's mean pixel, no scaling), ``"tf"``
            (scaled to [-1, 1]) or ``"torch"`` (scaled to [0, 1], then normalized by
            ImageNet's per-channel mean and standard deviation).

    Returns:
        The preprocessed array or tensor (float).

    Raises:
        ValueError: unknown ``mode`` or ``data_format``.
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    if data_format is None:
        data_format = image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _constants(mode):
    """(mean, std) per channel for ``mode`` (std None: no scaling)."""
    if mode == "torch":
        return _TORCH_MEAN, _TORCH_STD
    return _CAFFE_MEAN, None


def _channel_shape(ndim: int, data_format: str) -> tuple:
    """Shape that broadcasts a per-channel vector against an image (batch) of ``ndim``."""
    if data_format == "channels_first":
        return (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    return (1,) * (ndim - 1) + (3,)


def _preprocess_numpy(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
    else:  # caffe: RGB -> BGR (a view, so the caller's float array is written over)
        channel_axis = (0 if x.ndim == 3 else 1) if data_format == "channels_first" else -1
        x = np.flip(x, axis=channel_axis)
    mean, std = _constants(mode)
    shape = _channel_shape(x.ndim, data_format)
    x -= np.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x /= np.asarray(std, dtype=x.dtype).reshape(shape)
    return x


def _preprocess_tensor(x, data_format, mode):
    x = ops.convert_to_tensor(x) if not hasattr(x, "shape") else x
    if "float" not in str(ops.dtype(x)):
        x = ops.cast(x, floatx())
    if mode == "tf":
        return ops.subtract(ops.divide(x, 127.5), 1.0)
    ndim = len(x.shape)
    if mode == "torch":
        x = ops.divide(x, 255.0)
    else:
        channel_axis = (0 if ndim == 3 else 1) if data_format == "channels_first" else -1
        x = ops.flip(x, axis=channel_axis)
    mean, std = _constants(mode)
    shape = _channel_shape(ndim, data_format)
    x = ops.add(x, ops.reshape(ops.convert_to_tensor(-np.asarray(mean), dtype=x.dtype), shape))
    if std is not None:
        x = ops.divide(x, ops.reshape(ops.convert_to_tensor(np.asarray(std), dtype=x.dtype),
                                      shape))
    return x


def _class_index() -> dict:
    global CLASS_INDEX
    if CLASS_INDEX is None:
        from mini_keras.applications._base import pretrained_file
        path = pretrained_file("imagenet_class_index.json", CLASS_INDEX_PATH, CLASS_INDEX_HASH)
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds, top=5):
    """Decode the predictions of an ImageNet model into class names.

    Args:
        preds: a batch of predictions, shape ``(samples, 1000)`` (array or tensor).
        top: how many top guesses to return per sample.

    Returns:
        One list per sample of ``(class_name, class_description, score)`` tuples, best first.

    Raises:
        ValueError: ``preds`` is not of shape ``(samples, 1000)``.
        FileNotFoundError: the class index file (``imagenet_class_index.json``) is not in
            Keras' cache and cannot be downloaded (the message says where to put it).
    """
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D "
                         f"array of shape (samples, 1000)). Received array with shape: "
                         f"{tuple(preds.shape)}")
    index = _class_index()
    results = []
    for pred in np.asarray(ops.convert_to_numpy(preds)):
        best = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results
