"""``keras.applications.vgg16``: VGG16 (Simonyan & Zisserman, ICLR 2015)."""

from __future__ import annotations

from mini_keras.applications import imagenet_utils
from mini_keras.applications._vgg import build_vgg

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """Instantiate the VGG16 model (default input 224x224, at least 32x32).

    Args:
        include_top: include the 3 fully-connected layers at the top.
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: one image's shape (only without the top; default 224x224x3).
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        name: the model's name.

    Returns:
        A ``Model``.
    """
    return build_vgg((2, 2, 3, 3, 3), ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"), include_top=include_top, weights=weights,
                     input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                     classes=classes, classifier_activation=classifier_activation, name=name,
                     model="vgg16")


def preprocess_input(x, data_format=None):
    """Preprocess images for VGG16: RGB -> BGR and ImageNet's mean pixel subtracted ("caffe")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
