"""What every application model shares: argument checks, the input, the model and its weights.

Each architecture module builds its layers with Keras 3's layer names between
``image_input`` and ``finish_model``; ``finish_model`` makes the Functional model and loads
the weights (``"imagenet"`` from Keras' cache, or a file path).
"""

from __future__ import annotations

import os
import warnings

from mini_keras import activations, layers
from mini_keras.backend import is_keras_tensor
from mini_keras.common.settings import image_data_format
from mini_keras.datasets._files import DownloadError
from mini_keras.utils.file_utils import get_file
from mini_keras.utils.graph_utils import get_source_inputs

BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"

ARGS_DOC = """
    Args:
        include_top: include the classifier at the top of the network.
        weights: None (random), ``"imagenet"`` or the path of a weights file (``.h5``,
            ``.weights.h5``, ``.keras``).
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: one image's shape (only without the top; else the default size).
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling.
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the ``predictions`` layer (None: logits).
        name: the model's name.

    Returns:
        A ``Model``.
"""


def keras_cache_dir() -> str:
    """Keras' cache root (``$KERAS_HOME`` or ``~/.keras``): pretrained weights live in its
    ``models/`` folder, so files Keras 3 already downloaded are reused."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def pretrained_file(fname: str, origin: str, file_hash: str | None = None) -> str:
    """Return the local path of a pretrained weights file, downloading it the first time.

    Raises:
        FileNotFoundError: the file is not cached and cannot be downloaded; the message names
            the URL and the exact path to put the file at.
    """
    path = os.path.join(keras_cache_dir(), "models", fname)
    try:
        return get_file(fname, origin, file_hash=file_hash, cache_subdir="models",
                        cache_dir=keras_cache_dir())
    except DownloadError as e:
        raise FileNotFoundError(
            f"The pretrained weights file {fname!r} is not in the cache and could not be "
            f"downloaded ({e}). Download {origin} and put it at {path} (or pass its path as "
            "`weights=`).") from e


def check_weights(weights, include_top: bool, classes: int, model: str) -> None:
    """Keras' checks of ``weights`` and ``classes`` (``model`` names the function)."""
    if not (weights in {"imagenet", None} or (isinstance(weights, (str, os.PathLike))
                                              and os.path.exists(weights))):
        raise ValueError(f"{model}: the `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded. Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f"{model}: if using `weights='imagenet'` with `include_top=True`, "
                         f"`classes` should be 1000. Received classes={classes}")


def check_pooling(pooling, model: str) -> None:
    """``pooling`` is None, ``"avg"`` or ``"max"``."""
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"{model}: `pooling` must be None, 'avg' or 'max'. "
                         f"Received: pooling={pooling!r}")


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """Validate ``input_shape`` (or make the default one), as Keras' applications do.

    Args:
        input_shape: None or one image's shape.
        default_size: default height/width.
        min_size: smallest height/width the architecture accepts.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        require_flatten: the top is included (the shape must be static).
        weights: ``"imagenet"`` requires 3 channels (and the default size with a top).
    """
    first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if first else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {channels} input channels.", stacklevel=3)
        default_shape = ((channels, default_size, default_size) if first
                         else (default_size, default_size, channels))
    else:
        default_shape = (3, default_size, default_size) if first else (default_size,
                                                                       default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default_shape}. "
                             f"Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers. "
                             f"Received: input_shape={input_shape}")
        channels = input_shape[0] if first else input_shape[-1]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        spatial = input_shape[1:] if first else input_shape[:2]
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; "
                             f"Received: input_shape={input_shape}")
        input_shape = tuple(input_shape)
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """Zero-padding ``((top, bottom), (left, right))`` before a strided 2D convolution, so the
    output is the one of TensorFlow's "same" padding whatever the input size's parity."""
    axis = 2 if image_data_format() == "channels_first" else 1
    size = inputs.shape[axis:axis + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained weights allow only ``None`` or ``"softmax"`` as the classifier activation."""
    if weights is None:
        return
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         "with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def image_input(input_tensor, input_shape):
    """The model's image input: a new ``Input`` or the given symbolic ``input_tensor``."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def pool_or_classify(x, include_top, pooling, classes, classifier_activation, weights,
                     pool_name="avg_pool"):
    """The usual head: global average pooling + ``predictions`` Dense with a top, else the
    optional ``pooling`` (the names are Keras')."""
    if include_top:
        x = layers.GlobalAveragePooling2D(name=pool_name)(x)
        validate_activation(classifier_activation, weights)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name="max_pool")(x)
    return x


def finish_model(img_input, input_tensor, outputs, name, weights, imagenet_file=None):
    """Make the Functional model and load its weights.

    Args:
        img_input: the tensor ``image_input`` returned.
        input_tensor: the user's ``input_tensor`` (its source inputs become the model's).
        outputs: the model's output tensor.
        name: the model's name.
        weights: None, ``"imagenet"`` or a path to a weights file (``.h5``, ``.weights.h5``,
            ``.keras``).
        imagenet_file: ``(file name, URL, file hash)`` of the ImageNet weights for this
            configuration, or None when it has none (``"imagenet"`` then raises).
    """
    from mini_keras.models import Model

    inputs = get_source_inputs(input_tensor) if input_tensor is not None else img_input
    model = Model(inputs, outputs, name=name)
    if weights == "imagenet":
        if imagenet_file is None:
            raise ValueError(f"{name}: no ImageNet weights exist for this configuration; "
                             "use `weights=None` or a path to a weights file.")
        model.load_weights(pretrained_file(*imagenet_file))
    elif weights is not None:
        model.load_weights(os.fspath(weights))
    return model
