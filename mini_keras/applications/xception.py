"""``keras.applications.xception``: Xception (Chollet, "Deep Learning with Depthwise
Separable Convolutions", CVPR 2017)."""

from __future__ import annotations

from mini_keras import layers
from mini_keras.applications import _base, _standard, imagenet_utils

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def _sepconv_bn(x, filters, name, relu_first=True):
    axis = _standard.channel_axis()
    if relu_first:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=axis, name=f"{name}_bn")(x)


def _residual(x, filters):
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=_standard.channel_axis())(r)


def _entry_block(x, block, filters, first_filters=None, relu_first=True):
    """Two separable convolutions, max pooling, plus a strided 1x1 projection."""
    residual = _residual(x, filters)
    x = _sepconv_bn(x, first_filters or filters, f"block{block}_sepconv1", relu_first)
    if not relu_first:  # block 2: the ReLU comes between the two convolutions only
        x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sepconv_bn(x, filters, f"block{block}_sepconv2", relu_first)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.Add()([x, residual])


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Instantiate Xception (default input 299x299, at least 71x71)."""
    img_input, _ = _standard.start("Xception", weights, include_top, classes, pooling,
                                   input_tensor, input_shape, default_size=299, min_size=71)
    axis = _standard.channel_axis()
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _entry_block(x, 2, 128, relu_first=False)
    x = _entry_block(x, 3, 256)
    x = _entry_block(x, 4, 728)
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = _sepconv_bn(x, 728, f"block{block}_sepconv{i}")
        x = layers.Add()([x, residual])
    x = _entry_block(x, 13, 1024, first_filters=728)
    x = layers.SeparableConv2D(1536, (3, 3), padding="same", use_bias=False,
                               name="block14_sepconv1")(x)
    x = layers.BatchNormalization(axis=axis, name="block14_sepconv1_bn")(x)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = layers.SeparableConv2D(2048, (3, 3), padding="same", use_bias=False,
                               name="block14_sepconv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block14_sepconv2_bn")(x)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    return _base.finish_model(img_input, input_tensor, x, name, weights,
                              _standard.tf_kernels_file("xception", "xception", include_top,
                                                        _HASHES))


Xception.__doc__ += _base.ARGS_DOC


def preprocess_input(x, data_format=None):
    """Preprocess images for Xception: pixels scaled to [-1, 1] ("tf")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
