"""``keras.applications.efficientnet``: EfficientNetB0..B7 (Tan & Le, ICML 2019).

The preprocessing is part of the model (``Rescaling`` to [0, 1], then ``Normalization``),
so the models take pixels in [0, 255] and ``preprocess_input`` is the identity, as in Keras.
Layer names, order and initializers are Keras 3's, so its weight files load.
"""

from __future__ import annotations

import math

from mini_keras import layers
from mini_keras.applications import _base, imagenet_utils
from mini_keras.common.settings import image_data_format

_URL = "https://storage.googleapis.com/keras-applications/"
# md5 of the ImageNet weights files (with top, without top), per size.
_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# Per size: (width coefficient, depth coefficient, default size, top dropout rate).
_SCALING = {
    "b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2), "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3), "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5),
}
__all__ = [f"EfficientNet{size.upper()}" for size in _SCALING] + [
    "decode_predictions", "preprocess_input"]
# The B0 stages: (kernel size, repeats, filters in, filters out, expand ratio, strides);
# every block has an identity skip where shapes allow and squeeze-excitation ratio 0.25.
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))
_SE_RATIO = 0.25
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling", "config": {
    "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"}}
IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)


def round_filters(filters, width_coefficient, divisor=8):
    """Scale ``filters`` by the width coefficient, to a multiple of ``divisor`` (never more
    than 10% below the scaled value)."""
    scaled = filters * width_coefficient
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:
        rounded += divisor
    return int(rounded)


def _conv(filters, kernel_size, name, **kwargs):
    """A bias-free Conv2D with EfficientNet's initializer (Keras' defaults otherwise)."""
    kwargs.setdefault("padding", "same")
    kwargs.setdefault("use_bias", False)
    return layers.Conv2D(filters, kernel_size, kernel_initializer=CONV_KERNEL_INITIALIZER,
                         name=name, **kwargs)


def mb_conv_block(inputs, *, activation, drop_rate, name, filters_in, filters_out,
                  kernel_size, strides, expand_ratio, se_ratio):
    """EfficientNet's inverted residual block: 1x1 expansion, depthwise convolution,
    squeeze-excitation, 1x1 projection, and an identity skip (with stochastic depth
    ``drop_rate``) when the shapes match. Layer names start with ``name``."""
    bn_axis = 1 if image_data_format() == "channels_first" else 3
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, 1, f"{name}expand_conv")(x)
        x = layers.BatchNormalization(axis=bn_axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    padding = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(padding=_base.correct_pad(x, kernel_size),
                                 name=f"{name}dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding=padding, use_bias=False,
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=f"{name}dwconv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
        se_shape = (filters, 1, 1) if bn_axis == 1 else (1, 1, filters)
        se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)
        se = _conv(max(1, int(filters_in * se_ratio)), 1, f"{name}se_reduce",
                   activation=activation, use_bias=True)(se)
        se = _conv(filters, 1, f"{name}se_expand", activation="sigmoid", use_bias=True)(se)
        x = layers.multiply([x, se], name=f"{name}se_excite")
    x = _conv(filters_out, 1, f"{name}project_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name=f"{name}project_bn")(x)
    if strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def build_efficientnet(size, *, include_top, weights, input_tensor, input_shape, pooling,
                       classes, classifier_activation, name, drop_connect_rate=0.2,
                       activation="swish"):
    """Build EfficientNet-``size`` (``"b0"``..``"b7"``); the other arguments are the public
    functions'. ``drop_connect_rate`` grows linearly over the blocks (stochastic depth)."""
    width, depth, default_size, dropout_rate = _SCALING[size]
    model = f"EfficientNet{size.upper()}"
    _base.check_weights(weights, include_top, classes, model)
    _base.check_pooling(pooling, model)
    input_shape = _base.obtain_input_shape(input_shape, default_size=default_size,
                                           min_size=32, data_format=image_data_format(),
                                           require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    bn_axis = 1 if image_data_format() == "channels_first" else 3

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=bn_axis)(x)
    if weights == "imagenet":  # the released weights were made for this (odd) extra scaling
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=_base.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = _conv(round_filters(32, width), 3, "stem_conv", strides=2, padding="valid")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    repeats = [math.ceil(depth * stage[1]) for stage in _STAGES]
    total, index = float(sum(repeats)), 0
    for stage, ((kernel, _, f_in, f_out, expand, strides), count) in enumerate(
            zip(_STAGES, repeats), start=1):
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for j in range(count):
            x = mb_conv_block(x, activation=activation,
                              drop_rate=drop_connect_rate * index / total,
                              name=f"block{stage}{chr(ord('a') + j)}_",
                              filters_in=f_in if j == 0 else f_out, filters_out=f_out,
                              kernel_size=kernel, strides=strides if j == 0 else 1,
                              expand_ratio=expand, se_ratio=_SE_RATIO)
            index += 1

    x = _conv(round_filters(1280, width), 1, "top_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    fname = f"efficientnet{size}" + (".h5" if include_top else "_notop.h5")
    file = (fname, _URL + fname, _HASHES[size][0 if include_top else 1])
    return _base.finish_model(img_input, input_tensor, x, name, weights, file)


_DOC = """Instantiate the {model} model (default input {size}x{size}, at least 32x32).

    The input preprocessing is part of the model: it takes float pixels in [0, 255].

    Args:
        include_top: include the fully-connected ``predictions`` layer at the top.
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: one image's shape (only without the top; 3 channels).
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        name: the model's name.

    Returns:
        A ``Model``.
    """


def _make(size):
    model = f"EfficientNet{size.upper()}"

    def function(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name=f"efficientnet{size}"):
        return build_efficientnet(size, include_top=include_top, weights=weights,
                                  input_tensor=input_tensor, input_shape=input_shape,
                                  pooling=pooling, classes=classes,
                                  classifier_activation=classifier_activation, name=name)

    function.__name__ = function.__qualname__ = model
    function.__doc__ = _DOC.format(model=model, size=_SCALING[size][2])
    return function


EfficientNetB0 = _make("b0")
EfficientNetB1 = _make("b1")
EfficientNetB2 = _make("b2")
EfficientNetB3 = _make("b3")
EfficientNetB4 = _make("b4")
EfficientNetB5 = _make("b5")
EfficientNetB6 = _make("b6")
EfficientNetB7 = _make("b7")


def preprocess_input(x, data_format=None):
    """A pass-through kept for compatibility: EfficientNet's preprocessing is in the model.

    Args:
        x: a floating point numpy array or a tensor.
        data_format: None, ``"channels_last"`` or ``"channels_first"`` (checked only: the
            identity does not depend on it).

    Returns:
        ``x`` unchanged.
    """
    return passthrough(x, data_format, "efficientnet")


def passthrough(x, data_format, module):
    """The identity ``preprocess_input`` of the families whose model preprocesses its input;
    ``data_format`` is checked (None or an image data format), ``module`` names the family."""
    if data_format not in (None, "channels_last", "channels_first"):
        raise ValueError(f"{module}.preprocess_input: `data_format` must be None, "
                         f"'channels_last' or 'channels_first'. Received: {data_format!r}")
    return x


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
