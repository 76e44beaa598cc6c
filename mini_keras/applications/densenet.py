"""``keras.applications.densenet``: DenseNet121/169/201 (Huang et al., "Densely Connected
Convolutional Networks", CVPR 2017)."""

from __future__ import annotations

from mini_keras import layers
from mini_keras.applications import _base, imagenet_utils
from mini_keras.common.settings import image_data_format

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions",
           "preprocess_input"]

_URL = _base.BASE_URL + "densenet/"
_HASHES = {  # md5 of the ImageNet weights files: (with top, without top)
    (6, 12, 24, 16): ("densenet121", "9d60b8095a5708f2dcce2bca79d332c7",
                      "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): ("densenet169", "d699b8f76981ab1b30698df4c175e90b",
                      "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): ("densenet201", "1ceb130c1ea1b78c3bf6114dbdfd8807",
                      "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPSILON = 1.001e-5


def _bn(name):
    return layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=name)


def _conv_block(x, growth_rate, name):
    x1 = _bn(f"{name}_0_bn")(x)
    x1 = layers.Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = _bn(f"{name}_1_bn")(x1)
    x1 = layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                       name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=3, name=f"{name}_concat")([x, x1])


def _transition_block(x, reduction, name):
    x = _bn(f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(blocks, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    if image_data_format() == "channels_first":
        raise ValueError("DenseNet does not support the `channels_first` image data format. "
                         "Switch to `channels_last` (keras.config.set_image_data_format).")
    _base.check_weights(weights, include_top, classes, "DenseNet")
    _base.check_pooling(pooling, "DenseNet")
    input_shape = _base.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                           data_format=image_data_format(),
                                           require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn("conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        for i in range(1, count + 1):
            x = _conv_block(x, 32, name=f"conv{stage}_block{i}")
        if stage < 5:
            x = _transition_block(x, 0.5, name=f"pool{stage}")
    x = _bn("bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = _base.pool_or_classify(x, include_top, pooling, classes, classifier_activation, weights)
    stem, top_hash, notop_hash = _HASHES[tuple(blocks)]
    suffix = "" if include_top else "_notop"
    file_name = f"{stem}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    file = (file_name, _URL + file_name, top_hash if include_top else notop_hash)
    return _base.finish_model(img_input, input_tensor, x, name, weights, file)


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet121"):
    """Instantiate DenseNet121 (default input 224x224, at least 32x32, channels_last)."""
    return _densenet((6, 12, 24, 16), include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation, name)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet169"):
    """Instantiate DenseNet169 (default input 224x224, at least 32x32, channels_last)."""
    return _densenet((6, 12, 32, 32), include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation, name)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="densenet201"):
    """Instantiate DenseNet201 (default input 224x224, at least 32x32, channels_last)."""
    return _densenet((6, 12, 48, 32), include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation, name)


for _fn in (DenseNet121, DenseNet169, DenseNet201):
    _fn.__doc__ += _base.ARGS_DOC


def preprocess_input(x, data_format=None):
    """Preprocess images for DenseNet: scaled to [0, 1], then normalized by ImageNet's
    per-channel mean and standard deviation ("torch")."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
