"""``keras.applications.mobilenet_v3``: MobileNetV3Small / MobileNetV3Large (Howard et al.,
"Searching for MobileNetV3", ICCV 2019): inverted residual blocks with squeeze-and-excite
and hard-swish, preprocessing (rescaling to [-1, 1]) inside the model."""

from __future__ import annotations

import warnings

from mini_keras import layers, ops
from mini_keras.applications import _base, imagenet_utils
from mini_keras.applications.mobilenet_v2 import make_divisible
from mini_keras.common.settings import image_data_format

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

_URL = _base.BASE_URL + "mobilenet_v3/"
_HASHES = {  # md5 of the ImageNet weights files: (with top, without top)
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}
# (expansion, filters, kernel ("k": the model's), stride, squeeze-excite, activation ("a": the
# model's, "relu")) of each inverted residual block
_SMALL = ((1, 16, 3, 2, True, "relu"), (72 / 16, 24, 3, 2, False, "relu"),
          (88 / 24, 24, 3, 1, False, "relu"), (4, 40, "k", 2, True, "a"),
          (6, 40, "k", 1, True, "a"), (6, 40, "k", 1, True, "a"), (3, 48, "k", 1, True, "a"),
          (3, 48, "k", 1, True, "a"), (6, 96, "k", 2, True, "a"), (6, 96, "k", 1, True, "a"),
          (6, 96, "k", 1, True, "a"))
_LARGE = ((1, 16, 3, 1, False, "relu"), (4, 24, 3, 2, False, "relu"),
          (3, 24, 3, 1, False, "relu"), (3, 40, "k", 2, True, "relu"),
          (3, 40, "k", 1, True, "relu"), (3, 40, "k", 1, True, "relu"), (6, 80, 3, 2, False, "a"),
          (2.5, 80, 3, 1, False, "a"), (2.3, 80, 3, 1, False, "a"), (2.3, 80, 3, 1, False, "a"),
          (6, 112, 3, 1, True, "a"), (6, 112, 3, 1, True, "a"), (6, 160, "k", 2, True, "a"),
          (6, 160, "k", 1, True, "a"), (6, 160, "k", 1, True, "a"))


def _depth(v, divisor=8, min_value=None):
    return make_divisible(v, divisor, min_value)


def _relu(x):
    return layers.ReLU()(x)


def _hard_sigmoid(x):
    return ops.multiply(layers.ReLU(6.0)(ops.add(x, 3.0)), 1.0 / 6.0)


def _hard_swish(x):
    return layers.Activation("hard_swish")(x)


def _bn(name):
    axis = 1 if image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name=name)


def _se_block(inputs, filters, se_ratio, prefix):
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(
        inputs)
    x = layers.Conv2D(_depth(filters * se_ratio), kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv")(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, kernel_size=1, padding="same",
                      name=f"{prefix}squeeze_excite_conv_1")(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, _hard_sigmoid(x)])


def _inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, activation,
                        block_id):
    channel_axis = 1 if image_data_format() == "channels_first" else -1
    shortcut, prefix, infilters = x, "expanded_conv_", x.shape[channel_axis]
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(_depth(infilters * expansion), kernel_size=1, padding="same",
                          use_bias=False, name=f"{prefix}expand")(x)
        x = activation(_bn(f"{prefix}expand_bn")(x))
    if stride == 2:
        x = layers.ZeroPadding2D(padding=_base.correct_pad(x, kernel_size),
                                 name=f"{prefix}depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel_size, strides=stride,
                               padding="same" if stride == 1 else "valid", use_bias=False,
                               name=f"{prefix}depthwise")(x)
    x = activation(_bn(f"{prefix}depthwise_bn")(x))
    if se_ratio:
        x = _se_block(x, _depth(infilters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, kernel_size=1, padding="same", use_bias=False,
                      name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_bn")(x)
    if stride == 1 and infilters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def _input_shape(input_shape, input_tensor):
    first = image_data_format() == "channels_first"
    if input_tensor is not None and not _base.is_keras_tensor(input_tensor):
        raise ValueError(f"MobileNetV3: input_tensor {input_tensor!r} is not a Keras tensor.")
    if input_shape is not None and input_tensor is not None:
        axis = 1 if first else 2
        if input_tensor.shape[axis] != input_shape[1]:
            raise ValueError(f"MobileNetV3: input_shape[1] must equal input_tensor.shape[{axis}]."
                             f" Received input_shape={input_shape}, "
                             f"input_tensor.shape={input_tensor.shape}")
    if input_shape is None and input_tensor is not None:
        shape = tuple(input_tensor.shape)
        rows, cols = (shape[2], shape[3]) if first else (shape[1], shape[2])
        input_shape = (3, cols, rows) if first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if first else (None, None, 3)
    return tuple(input_shape)


def _mobilenet_v3(blocks, last_point_ch, input_shape, alpha, model_type, minimalistic,
                  include_top, weights, input_tensor, classes, pooling, dropout_rate,
                  classifier_activation, include_preprocessing, name):
    _base.check_weights(weights, include_top, classes, name)
    _base.check_pooling(pooling, name)
    input_shape = _input_shape(input_shape, input_tensor)
    first = image_data_format() == "channels_first"
    rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0], input_shape[1])
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape={input_shape}`")
    if weights == "imagenet":
        if (not minimalistic and alpha not in (0.75, 1.0)) or (minimalistic and alpha != 1.0):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of `0.75`, "
                             "`1.0` for non minimalistic or `1.0` for minimalistic only.")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                          "Weights for input shape (224, 224) will be loaded as the default.",
                          stacklevel=3)
    img_input = _base.image_input(input_tensor, input_shape)
    channel_axis = 1 if first else -1
    kernel, activation, se_ratio = (3, _relu, None) if minimalistic else (5, _hard_swish, 0.25)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False,
                      name="conv")(x)
    x = activation(_bn("conv_bn")(x))
    for block_id, (expansion, filters, k, stride, se, act) in enumerate(blocks):
        x = _inverted_res_block(x, expansion, _depth(filters * alpha), kernel if k == "k" else k,
                                stride, se_ratio if se else None,
                                activation if act == "a" else _relu, block_id)
    last_conv_ch = _depth(x.shape[channel_axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = activation(_bn("conv_1_bn")(x))
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, kernel_size=1, padding="same", use_bias=True,
                          name="conv_2")(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)
    key = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    file = None
    if key in _HASHES:
        file_name = (f"weights_mobilenet_v3_{key}.h5" if include_top
                     else f"weights_mobilenet_v3_{key}_no_top_v2.h5")
        file = (file_name, _URL + file_name, _HASHES[key][0 if include_top else 1])
    return _base.finish_model(img_input, input_tensor, x, name, weights, file)


_DOC = """
    Args:
        input_shape: one image's shape (default ``(None, None, 3)``; at least 32x32).
        alpha: width multiplier (pretrained: 0.75 or 1.0; 1.0 when minimalistic).
        minimalistic: no squeeze-and-excite, hard-swish nor 5x5 convolutions.
        include_top: include the classifier (1x1 convolutions ``conv_2``, ``logits``).
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        classes: number of classes (with the top and no pretrained weights).
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        dropout_rate: dropout rate before the ``logits`` layer.
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        include_preprocessing: rescale inputs from [0, 255] to [-1, 1] inside the model.
        name: the model's name.

    Returns:
        A ``Model``.
"""


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Small"):
    """Instantiate MobileNetV3Small (inputs in [0, 255] with the built-in preprocessing)."""
    return _mobilenet_v3(_SMALL, 1024, input_shape, alpha, "small", minimalistic, include_top,
                         weights, input_tensor, classes, pooling, dropout_rate,
                         classifier_activation, include_preprocessing, name)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False, include_top=True,
                     weights="imagenet", input_tensor=None, classes=1000, pooling=None,
                     dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Large"):
    """Instantiate MobileNetV3Large (inputs in [0, 255] with the built-in preprocessing)."""
    return _mobilenet_v3(_LARGE, 1280, input_shape, alpha, "large", minimalistic, include_top,
                         weights, input_tensor, classes, pooling, dropout_rate,
                         classifier_activation, include_preprocessing, name)


MobileNetV3Small.__doc__ += _DOC
MobileNetV3Large.__doc__ += _DOC


def preprocess_input(x, data_format=None):
    """The identity (kept for API consistency): MobileNetV3 models preprocess inside
    (``include_preprocessing=True``)."""
    return x


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
