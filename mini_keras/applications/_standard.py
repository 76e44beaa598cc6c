"""The pieces the single-model families share: argument checks + input, and the usual
"imagenet" weights file pair (``<stem>_weights_tf_dim_ordering_tf_kernels[_notop].h5``)."""

from __future__ import annotations

from mini_keras.applications import _base
from mini_keras.common.settings import image_data_format


def start(model, weights, include_top, classes, pooling, input_tensor, input_shape,
          default_size, min_size):
    """Check the arguments and return ``(img_input, input_shape)``."""
    _base.check_weights(weights, include_top, classes, model)
    _base.check_pooling(pooling, model)
    input_shape = _base.obtain_input_shape(input_shape, default_size=default_size,
                                           min_size=min_size, data_format=image_data_format(),
                                           require_flatten=include_top, weights=weights)
    return _base.image_input(input_tensor, input_shape), input_shape


def tf_kernels_file(folder, stem, include_top, hashes):
    """``(file name, URL, md5)`` of the Keras pretrained file ``<folder>/<stem>_weights_tf_...``."""
    suffix = "" if include_top else "_notop"
    file_name = f"{stem}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    return (file_name, f"{_base.BASE_URL}{folder}/{file_name}",
            hashes[0 if include_top else 1])


def channel_axis() -> int:
    """The channel axis of a 4D image batch under the global data format."""
    return 1 if image_data_format() == "channels_first" else -1
