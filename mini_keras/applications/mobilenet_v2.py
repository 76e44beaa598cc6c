"""``keras.applications.mobilenet_v2``: MobileNetV2 (Sandler et al., CVPR 2018), inverted
residual blocks with linear bottlenecks."""

from __future__ import annotations

from mini_keras import layers
from mini_keras.applications import _base, imagenet_utils
from mini_keras.applications.mobilenet import pretrained_rows, square_default_size
from mini_keras.common.settings import image_data_format

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

_URL = _base.BASE_URL + "mobilenet_v2/"
_SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of the 17 inverted residual blocks
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6),
           (64, 1, 6), (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6),
           (160, 2, 6), (160, 1, 6), (160, 1, 6), (320, 1, 6))


def make_divisible(v, divisor, min_value=None):
    """Round ``v`` to a multiple of ``divisor`` (at least ``min_value``, never 10% lower)."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def _bn(name):
    axis = 1 if image_data_format() == "channels_first" else -1
    return layers.BatchNormalization(axis=axis, epsilon=1e-3, momentum=0.999, name=name)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    channel_axis = 1 if image_data_format() == "channels_first" else -1
    in_channels = inputs.shape[channel_axis]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same",
                          use_bias=False, activation=None, name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=_base.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False,
                      activation=None, name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet",
                input_tensor=None, pooling=None, classes=1000, classifier_activation="softmax",
                name=None):
    """Instantiate the MobileNetV2 model (default input 224x224, at least 32x32).

    Args:
        input_shape: one image's shape (only without the top, or 96/128/160/192/224 square).
        alpha: width multiplier (pretrained: 0.35, 0.5, 0.75, 1.0, 1.3 or 1.4).
        include_top: include the global pooling + ``predictions`` layer at the top.
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        name: the model's name (default ``mobilenetv2_<alpha>_<rows>``).

    Returns:
        A ``Model``.
    """
    _base.check_weights(weights, include_top, classes, "MobileNetV2")
    _base.check_pooling(pooling, "MobileNetV2")
    if input_tensor is not None and not _base.is_keras_tensor(input_tensor):
        raise ValueError("MobileNetV2: input_tensor is not a Keras tensor; "
                         f"Received `input_tensor={input_tensor}`")
    if input_shape is not None and input_tensor is not None:
        axis = 1 if image_data_format() == "channels_first" else 2
        if input_tensor.shape[axis] != input_shape[1]:
            raise ValueError(f"MobileNetV2: input_tensor.shape[{axis}] must equal "
                             f"input_shape[1]; Received `input_tensor.shape="
                             f"{input_tensor.shape}`, `input_shape={input_shape}`")
    input_shape = _base.obtain_input_shape(
        input_shape, default_size=square_default_size(input_shape, _SIZES, input_tensor),
        min_size=32, data_format=image_data_format(), require_flatten=include_top,
        weights=weights)
    if weights == "imagenet" and alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
        raise ValueError("MobileNetV2: if imagenet weights are being loaded, alpha must be one "
                         "of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; "
                         f"Received `alpha={alpha}`")
    rows = pretrained_rows(input_shape, _SIZES, weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2),
                      padding="same", use_bias=False, name="Conv1")(img_input)
    x = _bn("bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)
    last_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = _bn("Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                 f"{'' if include_top else '_no_top'}.h5")
    return _base.finish_model(img_input, input_tensor, x, name, weights,
                              (file_name, _URL + file_name, None))


def preprocess_input(x, data_format=None):
    """Preprocess images for MobileNetV2: pixels scaled to [-1, 1] ("tf")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
