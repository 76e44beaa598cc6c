"""``keras.applications.resnet``: ResNet50/101/152 (He et al., "Deep Residual Learning", CVPR 2015)."""

from __future__ import annotations

from mini_keras.applications import imagenet_utils
from mini_keras.applications._resnet import build_resnet

__all__ = ["ResNet50", "ResNet101", "ResNet152", "decode_predictions", "preprocess_input"]


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax",
             name="resnet50"):
    """Instantiate the ResNet50 model (default input 224x224, at least 32x32).

    Args:
        include_top: include the global pooling + ``predictions`` layer at the top.
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
    return build_resnet((3, 4, 6, 3), False, include_top=include_top, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape,
                        pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation, name=name,
                        weights_name="resnet50")


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              name="resnet101"):
    """Instantiate the ResNet101 model (default input 224x224, at least 32x32).

    Args:
        include_top: include the global pooling + ``predictions`` layer at the top.
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
    return build_resnet((3, 4, 23, 3), False, include_top=include_top, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape,
                        pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation, name=name,
                        weights_name="resnet101")


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              name="resnet152"):
    """Instantiate the ResNet152 model (default input 224x224, at least 32x32).

    Args:
        include_top: include the global pooling + ``predictions`` layer at the top.
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
    return build_resnet((3, 8, 36, 3), False, include_top=include_top, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape,
                        pooling=pooling, classes=classes,
                        classifier_activation=classifier_activation, name=name,
                        weights_name="resnet152")


def preprocess_input(x, data_format=None):
    """Preprocess images for ResNet: RGB -> BGR and ImageNet's mean pixel subtracted ("caffe")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
