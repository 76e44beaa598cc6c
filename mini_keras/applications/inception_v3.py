"""``keras.applications.inception_v3``: InceptionV3 (Szegedy et al., "Rethinking the
Inception Architecture for Computer Vision", CVPR 2016)."""

from __future__ import annotations

from mini_keras import layers
from mini_keras.applications import _base, _standard, imagenet_utils

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]

_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Convolution (no bias) + batch normalization (no scale) + ReLU."""
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else f"{name}_conv")(x)
    axis = 1 if _standard.channel_axis() == 1 else 3
    x = layers.BatchNormalization(axis=axis, scale=False,
                                  name=None if name is None else f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _avg_branch(x, filters):
    pool = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(pool, filters, 1, 1)


def _chain(x, specs):
    """Successive conv2d_bn calls, one per ``(filters, rows, cols)``."""
    for filters, rows, cols in specs:
        x = conv2d_bn(x, filters, rows, cols)
    return x


def _concat(branches, name=None):
    axis = 1 if _standard.channel_axis() == 1 else 3
    return layers.Concatenate(axis=axis, name=name)(branches)


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v3"):
    """Instantiate InceptionV3 (default input 299x299, at least 75x75)."""
    img_input, _ = _standard.start("InceptionV3", weights, include_top, classes, pooling,
                                   input_tensor, input_shape, default_size=299, min_size=75)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for i, pool_filters in enumerate((32, 64, 64)):  # mixed 0, 1, 2: 35 x 35 x 256/288
        x = _concat([conv2d_bn(x, 64, 1, 1), _chain(x, [(48, 1, 1), (64, 5, 5)]),
                     _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]),
                     _avg_branch(x, pool_filters)], name=f"mixed{i}")
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")  # mixed 3: 17 x 17
    branch3x3dbl = _chain(x, [(64, 1, 1), (96, 3, 3)])
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    x = _concat([branch3x3, branch3x3dbl, layers.MaxPooling2D((3, 3), strides=(2, 2))(x)],
                name="mixed3")
    for i, width in enumerate((128, 160, 160, 192)):  # mixed 4..7: 17 x 17 x 768
        x = _concat([conv2d_bn(x, 192, 1, 1),
                     _chain(x, [(width, 1, 1), (width, 1, 7), (192, 7, 1)]),
                     _chain(x, [(width, 1, 1), (width, 7, 1), (width, 1, 7), (width, 7, 1),
                                (192, 1, 7)]),
                     _avg_branch(x, 192)], name=f"mixed{4 + i}")
    branch3x3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    branch7x7x3 = _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)])  # mixed 8: 8 x 8
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, strides=(2, 2), padding="valid")
    x = _concat([branch3x3, branch7x7x3, layers.MaxPooling2D((3, 3), strides=(2, 2))(x)],
                name="mixed8")
    for i in range(2):  # mixed 9, 10: 8 x 8 x 2048
        branch1x1 = conv2d_bn(x, 320, 1, 1)
        branch3x3 = conv2d_bn(x, 384, 1, 1)
        branch3x3 = _concat([conv2d_bn(branch3x3, 384, 1, 3), conv2d_bn(branch3x3, 384, 3, 1)],
                            name=f"mixed9_{i}")
        branch3x3dbl = _chain(x, [(448, 1, 1), (384, 3, 3)])
        branch3x3dbl = _concat([conv2d_bn(branch3x3dbl, 384, 1, 3),
                                conv2d_bn(branch3x3dbl, 384, 3, 1)])
        x = _concat([branch1x1, branch3x3, branch3x3dbl, _avg_branch(x, 192)],
                    name=f"mixed{9 + i}")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    return _base.finish_model(img_input, input_tensor, x, name, weights,
                              _standard.tf_kernels_file("inception_v3", "inception_v3",
                                                        include_top, _HASHES))


InceptionV3.__doc__ += _base.ARGS_DOC


def preprocess_input(x, data_format=None):
    """Preprocess images for InceptionV3: pixels scaled to [-1, 1] ("tf")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
