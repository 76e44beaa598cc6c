"""``keras.applications.mobilenet``: MobileNet (Howard et al., 2017), depthwise separable
convolutions with a width multiplier ``alpha``."""

from __future__ import annotations

import warnings

from mini_keras import layers
from mini_keras.applications import _base, imagenet_utils
from mini_keras.common.settings import image_data_format

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

_URL = _base.BASE_URL + "mobilenet/"
_SIZES = (128, 160, 192, 224)
# (pointwise filters, strides) of the 13 depthwise separable blocks
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def square_default_size(input_shape, sizes, input_tensor=None):
    """The pretrained resolution an ``input_shape`` (or a symbolic ``input_tensor``) asks for:
    its side if square and among ``sizes``, else 224."""
    first = image_data_format() == "channels_first"
    if input_shape is not None:
        rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0],
                                                                      input_shape[1])
    elif input_tensor is not None and hasattr(input_tensor, "shape"):
        shape = tuple(input_tensor.shape)
        rows, cols = (shape[2], shape[3]) if first else (shape[1], shape[2])
    else:
        return 224
    return rows if rows == cols and rows in sizes else 224


def pretrained_rows(input_shape, sizes, weights):
    """The image side of the weights file to load (224 when the shape is not one of
    ``sizes``, with Keras' warning)."""
    first = image_data_format() == "channels_first"
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if weights == "imagenet" and (rows != cols or rows not in sizes):
        warnings.warn(f"`input_shape` is undefined or non-square, or `rows` is not in "
                      f"{list(sizes)}. Weights for input shape (224, 224) will be loaded as "
                      "the default.", stacklevel=3)
        return 224
    return rows


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    channel_axis = 1 if image_data_format() == "channels_first" else -1
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=channel_axis, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, filters, alpha, depth_multiplier, strides, block_id):
    channel_axis = 1 if image_data_format() == "channels_first" else -1
    x = inputs
    if strides != 1:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == 1 else "valid",
                               depth_multiplier=depth_multiplier, strides=(strides, strides),
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(filters * alpha), (1, 1), padding="same", use_bias=False,
                      strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """Instantiate the MobileNet model (default input 224x224, at least 32x32).

    Args:
        input_shape: one image's shape (only without the top, or 128/160/192/224 square).
        alpha: width multiplier (pretrained: 0.25, 0.5, 0.75 or 1.0).
        depth_multiplier: depthwise convolutions' depth multiplier (pretrained: 1).
        dropout: dropout rate before the classifier.
        include_top: include the classifier (1x1 convolution ``conv_preds``) at the top.
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        name: the model's name (default ``mobilenet_<alpha>_<rows>``).

    Returns:
        A ``Model``.
    """
    _base.check_weights(weights, include_top, classes, "MobileNet")
    _base.check_pooling(pooling, "MobileNet")
    input_shape = _base.obtain_input_shape(
        input_shape, default_size=square_default_size(input_shape, _SIZES), min_size=32,
        data_format=image_data_format(), require_flatten=include_top, weights=weights)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError("MobileNet: if imagenet weights are being loaded, depth multiplier "
                             f"must be 1. Received depth_multiplier={depth_multiplier}")
        if alpha not in (0.25, 0.50, 0.75, 1.0):
            raise ValueError("MobileNet: if imagenet weights are being loaded, alpha can be one "
                             f"of `0.25`, `0.50`, `0.75` or `1.0` only. Received alpha={alpha}")
    rows = pretrained_rows(input_shape, _SIZES, weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, strides) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides, block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    alpha_text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0"}.get(alpha, "2_5")
    file_name = f"mobilenet_{alpha_text}_{rows}_tf{'' if include_top else '_no_top'}.h5"
    return _base.finish_model(img_input, input_tensor, x, name, weights,
                              (file_name, _URL + file_name, None))


def preprocess_input(x, data_format=None):
    """Preprocess images for MobileNet: pixels scaled to [-1, 1] ("tf")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
