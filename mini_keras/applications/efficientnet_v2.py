"""``keras.applications.efficientnet_v2``: EfficientNetV2B0..B3, S, M, L (Tan & Le, ICML 2021).

The early stages are "fused" inverted residual blocks (a full convolution instead of 1x1
expansion + depthwise), the later ones EfficientNet's blocks with squeeze-excitation. With
``include_preprocessing`` the model takes pixels in [0, 255] (the B variants normalize them as
EfficientNet does, S/M/L rescale to [-1, 1]), so ``preprocess_input`` is the identity.
Layer names, order and initializers are Keras 3's, so its weight files load.
"""

from __future__ import annotations

import math

from mini_keras import initializers, layers
from mini_keras.applications import _base, imagenet_utils
from mini_keras.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
    passthrough,
)
from mini_keras.common.settings import image_data_format

_URL = _base.BASE_URL + "efficientnet_v2/"
# Per size: (width coefficient, depth coefficient, default size, stages, ImageNet md5 with
# top, without top). The model's default name is "efficientnetv2-" + size.
_B_STAGES = ((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1),
             (3, 2, 32, 48, 4, 0, 2, 1), (3, 3, 48, 96, 4, 0.25, 2, 0),
             (3, 5, 96, 112, 6, 0.25, 1, 0), (3, 8, 112, 192, 6, 0.25, 2, 0))
# A stage: (kernel size, repeats, filters in, filters out, expand ratio, squeeze-excitation
# ratio, strides, fused: 1 for the fused block, 0 for EfficientNet's).
_SIZES = {
    "b0": (1.0, 1.0, 224, _B_STAGES, "21ecbf6da12460d5c40bb2f29ceb2188",
           "893217f2bb855e2983157299931e43ff"),
    "b1": (1.0, 1.1, 240, _B_STAGES, "069f0534ff22adf035c89e2d9547a9dc",
           "0e80663031ca32d657f9caa404b6ec37"),
    "b2": (1.1, 1.2, 260, _B_STAGES, "424e49f28180edbde1e94797771950a7",
           "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": (1.2, 1.4, 300, _B_STAGES, "1f1fc43bd98a6e4fd8fdfd551e02c7a0",
           "f6abf7b5849ac99a89b50dd3fd532856"),
    "s": (1.0, 1.0, 384, ((3, 2, 24, 24, 1, 0, 1, 1), (3, 4, 24, 48, 4, 0, 2, 1),
                          (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
                          (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)),
          "e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "m": (1.0, 1.0, 480, ((3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
                          (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
                          (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
                          (3, 5, 304, 512, 6, 0.25, 1, 0)),
          "a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "l": (1.0, 1.0, 480, ((3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
                          (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
                          (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
                          (3, 7, 384, 640, 6, 0.25, 1, 0)),
          "27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
__all__ = [f"EfficientNetV2{size.upper()}" for size in _SIZES] + [
    "decode_predictions", "preprocess_input"]
_BN_MOMENTUM = 0.9


def round_filters(filters, width_coefficient, min_depth=8, divisor=8):
    """Scale ``filters`` by the width coefficient, to the nearest multiple of ``divisor``
    (at least ``min_depth``)."""
    scaled = filters * width_coefficient
    return int(max(min_depth or divisor, int(scaled + divisor / 2) // divisor * divisor))


def _conv(filters, kernel_size, name, **kwargs):
    kwargs.setdefault("use_bias", False)
    return layers.Conv2D(filters, kernel_size, padding="same",
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name, **kwargs)


def _bn(name):
    axis = 1 if image_data_format() == "channels_first" else 3
    return layers.BatchNormalization(axis=axis, momentum=_BN_MOMENTUM, name=name)


def _squeeze_excite(x, filters, filters_in, se_ratio, activation, name):
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    shape = (filters, 1, 1) if image_data_format() == "channels_first" else (1, 1, filters)
    se = layers.Reshape(shape, name=f"{name}se_reshape")(se)
    se = _conv(max(1, int(filters_in * se_ratio)), 1, f"{name}se_reduce",
               activation=activation, use_bias=True)(se)
    se = _conv(filters, 1, f"{name}se_expand", activation="sigmoid", use_bias=True)(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x, inputs, strides, filters_in, filters_out, drop_rate, name):
    if strides == 1 and filters_in == filters_out:
        if drop_rate:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def block(inputs, *, fused, filters_in, filters_out, expand_ratio, kernel_size, strides,
          se_ratio, activation, drop_rate, name):
    """One EfficientNetV2 block (``fused``: a full ``kernel_size`` convolution does the
    expansion; else 1x1 expansion then depthwise convolution), with optional
    squeeze-excitation and, when shapes match, a skip with stochastic depth ``drop_rate``."""
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, kernel_size if fused else 1, f"{name}expand_conv",
                  strides=strides if fused else 1)(x)
        x = _bn(f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if not fused:
        x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="same",
                                   use_bias=False, depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   name=f"{name}dwconv2")(x)
        x = _bn(f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, filters_in, se_ratio, activation, name)
    # The fused block without expansion does its single convolution here.
    single = fused and expand_ratio == 1
    x = _conv(filters_out, kernel_size if single else 1, f"{name}project_conv",
              strides=strides if single else 1)(x)
    x = _bn(f"{name}project_bn")(x)
    if single:
        x = layers.Activation(activation, name=f"{name}project_activation")(x)
    return _residual(x, inputs, strides, filters_in, filters_out, drop_rate, name)


def build_efficientnet_v2(size, *, include_top, weights, input_tensor, input_shape, pooling,
                          classes, classifier_activation, include_preprocessing, name,
                          dropout_rate=0.2, drop_connect_rate=0.2, activation="swish"):
    """Build EfficientNetV2-``size`` (``"b0"``..``"b3"``, ``"s"``, ``"m"``, ``"l"``); the other
    arguments are the public functions'."""
    width, depth, default_size, stages, *hashes = _SIZES[size]
    model = f"EfficientNetV2{size.upper()}"
    _base.check_weights(weights, include_top, classes, model)
    _base.check_pooling(pooling, model)
    input_shape = _base.obtain_input_shape(input_shape, default_size=default_size,
                                           min_size=32, data_format=image_data_format(),
                                           require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    first = image_data_format() == "channels_first"

    x = img_input
    if include_preprocessing:
        channels = input_shape[0 if first else -1]
        if size.startswith("b") and channels == 3:  # EfficientNet's (V1) preprocessing
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=list(imagenet_utils._TORCH_MEAN),
                                     variance=[s ** 2 for s in imagenet_utils._TORCH_STD],
                                     axis=1 if first else 3)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = _conv(round_filters(stages[0][2], width), 3, "stem_conv", strides=2)(x)
    x = _bn("stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total, index = float(sum(stage[1] for stage in stages)), 0
    for i, (kernel, repeats, f_in, f_out, expand, se_ratio, strides, fused) in enumerate(
            stages, start=1):
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for j in range(math.ceil(depth * repeats)):
            x = block(x, fused=bool(fused), filters_in=f_in if j == 0 else f_out,
                      filters_out=f_out, expand_ratio=expand, kernel_size=kernel,
                      strides=strides if j == 0 else 1, se_ratio=se_ratio,
                      activation=activation, drop_rate=drop_connect_rate * index / total,
                      name=f"block{i}{chr(ord('a') + j)}_")
            index += 1

    x = _conv(round_filters(1280, width), 1, "top_conv")(x)
    x = _bn("top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    fname = f"efficientnetv2-{size}" + (".h5" if include_top else "_notop.h5")
    file = (fname, _URL + fname, hashes[0 if include_top else 1])
    return _base.finish_model(img_input, input_tensor, x, name, weights, file)


_DOC = """Instantiate the {model} model (default input {size}x{size}, at least 32x32).

    Args:
        include_top: include the fully-connected ``predictions`` layer at the top.
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: one image's shape (only without the top).
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        include_preprocessing: the model preprocesses its input (float pixels in [0, 255]).
        name: the model's name.

    Returns:
        A ``Model``.
    """


def _make(size):
    model = f"EfficientNetV2{size.upper()}"

    def function(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 include_preprocessing=True, name=f"efficientnetv2-{size}"):
        return build_efficientnet_v2(size, include_top=include_top, weights=weights,
                                     input_tensor=input_tensor, input_shape=input_shape,
                                     pooling=pooling, classes=classes,
                                     classifier_activation=classifier_activation,
                                     include_preprocessing=include_preprocessing, name=name)

    function.__name__ = function.__qualname__ = model
    function.__doc__ = _DOC.format(model=model, size=_SIZES[size][2])
    return function


EfficientNetV2B0 = _make("b0")
EfficientNetV2B1 = _make("b1")
EfficientNetV2B2 = _make("b2")
EfficientNetV2B3 = _make("b3")
EfficientNetV2S = _make("s")
EfficientNetV2M = _make("m")
EfficientNetV2L = _make("l")


def preprocess_input(x, data_format=None):
    """A pass-through kept for compatibility: EfficientNetV2's preprocessing is in the model.

    Args:
        x: a floating point numpy array or a tensor.
        data_format: None, ``"channels_last"`` or ``"channels_first"`` (checked only).

    Returns:
        ``x`` unchanged.
    """
    return passthrough(x, data_format, "efficientnet_v2")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
