"""``keras.applications.convnext``: ConvNeXt Tiny, Small, Base, Large, XLarge (Liu et al.,
CVPR 2022).

A patchify stem and three downsampling blocks (small ``Sequential`` models, as Keras 3's)
around four stages of ConvNeXt blocks: 7x7 depthwise convolution, LayerNormalization, an
inverted MLP with GELU, a learned per-channel scale (``LayerScale``) and a residual sum. With
``include_preprocessing`` the model normalizes pixels in [0, 255] itself, so
``preprocess_input`` is the identity. Layer names and order are Keras 3's, so its weight files
load. Only ``channels_last`` is supported (as in Keras).
"""

from __future__ import annotations

from mini_keras import initializers, layers, ops
from mini_keras.applications import _base, imagenet_utils
from mini_keras.applications.efficientnet import passthrough
from mini_keras.common.settings import image_data_format
from mini_keras.layers.layer import Layer

_URL = _base.BASE_URL + "convnext/"
# Per size: (blocks per stage, channels per stage, sha256 of the ImageNet weights with top,
# without top). Every size's default input is 224x224; its default name "convnext_" + size.
_SIZES = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768),
             "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
             "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768),
              "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
              "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024),
             "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
             "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536),
              "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
              "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048),
               "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
               "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
_FUNCTIONS = {size: f"ConvNeXt{'XLarge' if size == 'xlarge' else size.title()}"
              for size in _SIZES}
__all__ = list(_FUNCTIONS.values()) + ["decode_predictions", "preprocess_input"]
_DEFAULT_SIZE = 224
_EPSILON = 1e-6
_LAYER_SCALE_INIT = 1e-6


class LayerScale(Layer):
    """Multiply the input by a learned per-channel ``gamma`` (ConvNeXt's layer scale).

    Args:
        init_values: the initial value of every ``gamma`` entry.
        projection_dim: the number of channels (last axis).
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        """Create ``gamma`` (named ``variable``, as Keras' unnamed weight)."""
        if input_shape[-1] is not None and input_shape[-1] != self.projection_dim:
            raise ValueError(f"LayerScale: the input's last axis must be projection_dim="
                             f"{self.projection_dim}. Received input shape {input_shape}")
        self.gamma = self.add_weight(shape=(self.projection_dim,), name="variable",
                                     initializer=initializers.Constant(self.init_values))
        self.built = True

    def call(self, x):
        """``x * gamma``."""
        return ops.multiply(x, self.gamma)

    def compute_output_shape(self, input_shape):
        """The input's shape."""
        return input_shape

    def get_config(self):
        """The base config plus ``init_values`` and ``projection_dim``."""
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


def convnext_block(inputs, projection_dim, name):
    """One ConvNeXt block (``inputs`` has ``projection_dim`` channels; names start with
    ``name``): depthwise 7x7 convolution, LayerNormalization, Dense 4x + GELU, Dense back,
    ``LayerScale``, plus the input."""
    x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                      name=f"{name}_depthwise_conv")(inputs)
    x = layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
    x = LayerScale(_LAYER_SCALE_INIT, projection_dim, name=f"{name}_layer_scale")(x)
    # Keras 3's blocks use no stochastic depth (drop_path_rate=0): an identity layer stands
    # in its place.
    x = layers.Activation("linear", name=f"{name}_identity")(x)
    return ops.add(inputs, x)


def _downsampling(name, dims):
    """The stem and the three downsampling blocks, as ``Sequential`` models."""
    from mini_keras.models import Sequential

    blocks = [Sequential([
        layers.Conv2D(dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")]
    for i, filters in enumerate(dims[1:]):
        blocks.append(Sequential([
            layers.LayerNormalization(epsilon=_EPSILON,
                                      name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(filters, kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}"))
    return blocks


def build_convnext(size, *, include_top, include_preprocessing, weights, input_tensor,
                   input_shape, pooling, classes, classifier_activation, name):
    """Build ConvNeXt-``size`` (``"tiny"``..``"xlarge"``); the other arguments are the public
    functions'."""
    depths, dims, *hashes = _SIZES[size]
    model = _FUNCTIONS[size]
    if image_data_format() == "channels_first":
        raise ValueError(f"{model}: ConvNeXt does not support the `channels_first` image data "
                         "format; use `channels_last` (keras.config.set_image_data_format).")
    _base.check_weights(weights, include_top, classes, model)
    _base.check_pooling(pooling, model)
    input_shape = _base.obtain_input_shape(input_shape, default_size=_DEFAULT_SIZE,
                                           min_size=32, data_format=image_data_format(),
                                           require_flatten=include_top, weights=weights)
    img_input = _base.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(
            mean=[m * 255 for m in imagenet_utils._TORCH_MEAN],
            variance=[(s * 255) ** 2 for s in imagenet_utils._TORCH_STD],
            name=f"{name}_prestem_normalization")(x)
    for i, downsample in enumerate(_downsampling(name, dims)):
        x = downsample(x)
        for j in range(depths[i]):
            x = convnext_block(x, dims[i], name=f"{name}_stage_{i}_block_{j}")
    if include_top:
        _base.validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=_EPSILON, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=f"{name}_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=_EPSILON)(x)  # Keras normalizes every output
    fname = f"convnext_{size}" + (".h5" if include_top else "_notop.h5")
    file = (fname, _URL + fname, hashes[0 if include_top else 1])
    return _base.finish_model(img_input, input_tensor, x, name, weights, file)


_DOC = """Instantiate the {model} model (default input 224x224, at least 32x32).

    Args:
        include_top: include the classification head (pooling, LayerNormalization, Dense).
        include_preprocessing: the model normalizes its input (float pixels in [0, 255]).
        weights: None (random), ``"imagenet"`` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: one image's shape (only without the top; channels last).
        pooling: without the top, None (4D output), ``"avg"`` or ``"max"`` global pooling
            (the output is layer-normalized in every case).
        classes: number of classes (with the top and no pretrained weights).
        classifier_activation: activation of the head's Dense layer (None: logits).
        name: the model's name (its layers' names start with it).

    Returns:
        A ``Model``.

    Raises:
        ValueError: the image data format is ``channels_first``.
    """


def _make(size):
    model = _FUNCTIONS[size]

    def function(include_top=True, include_preprocessing=True, weights="imagenet",
                 input_tensor=None, input_shape=None, pooling=None, classes=1000,
                 classifier_activation="softmax", name=f"convnext_{size}"):
        return build_convnext(size, include_top=include_top,
                              include_preprocessing=include_preprocessing, weights=weights,
                              input_tensor=input_tensor, input_shape=input_shape,
                              pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation, name=name)

    function.__name__ = function.__qualname__ = model
    function.__doc__ = _DOC.format(model=model)
    return function


ConvNeXtTiny = _make("tiny")
ConvNeXtSmall = _make("small")
ConvNeXtBase = _make("base")
ConvNeXtLarge = _make("large")
ConvNeXtXLarge = _make("xlarge")


def preprocess_input(x, data_format=None):
    """A pass-through kept for compatibility: ConvNeXt's preprocessing is in the model.

    Args:
        x: a floating point numpy array or a tensor.
        data_format: None, ``"channels_last"`` or ``"channels_first"`` (checked only).

    Returns:
        ``x`` unchanged.
    """
    return passthrough(x, data_format, "convnext")


def decode_predictions(preds, top=5):
    """Decode ImageNet predictions: per sample, the ``top`` (class, description, score)."""
    return imagenet_utils.decode_predictions(preds, top=top)
