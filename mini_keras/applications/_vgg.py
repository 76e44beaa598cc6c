"""The VGG family (``vgg16``, ``vgg19``): blocks of 3x3 "same" convolutions and max pooling."""

from __future__ import annotations

from mini_keras import layers
from mini_keras.applications import _base
from mini_keras.common.settings import image_data_format

_URL = _base.BASE_URL + "{name}/{name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
_FILTERS = (64, 128, 256, 512, 512)


def build_vgg(convs_per_block, hashes, *, include_top, weights, input_tensor, input_shape,
              pooling, classes, classifier_activation, name, model):
    """Build VGG with ``convs_per_block`` convolutions in each of the 5 blocks.

    Args:
        convs_per_block: 5 ints (VGG16: 2, 2, 3, 3, 3; VGG19: 2, 2, 4, 4, 4).
        hashes: md5 of the ImageNet weights files ``(with top, without top)``.
        model: ``"vgg16"`` or ``"vgg19"`` (the weights files' prefix).
        The other arguments are the public function's.
    """
    _base.check_weights(weights, include_top, classes, model.upper())
    _base.check_pooling(pooling, model.upper())
    input_shape = _base.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                           data_format=image_data_format(),
                                           require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        _base.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)
    suffix = "" if include_top else "_notop"
    file = (f"{model}_weights_tf_dim_ordering_tf_kernels{suffix}.h5",
            _URL.format(name=model, suffix=suffix), hashes[0 if include_top else 1])
    return _base.finish_model(img_input, input_tensor, x, name, weights, file)
