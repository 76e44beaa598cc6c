"""Image layers that change the image size: ``Resizing``, ``CenterCrop``, ``RandomCrop``,
plus the base class every image preprocessing layer shares (data format, rank check)."""

from __future__ import annotations

from mini_keras import config as mk_config
from mini_keras import ops
from mini_keras import random as mk_random
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.core.seed_generator import SeedGenerator
from mini_keras.layers.layer import Layer, shape_of

__all__ = ["CenterCrop", "RandomCrop", "Resizing"]


class ImageLayer(Layer):
    """Base of the image preprocessing layers: ``data_format``, a rank-3/4 input check naming
    the layer, inputs cast to the compute dtype."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or mk_config.image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"{type(self).__name__}: `data_format` must be 'channels_last' or "
                             f"'channels_first', received {data_format!r}.")
        self.data_format = data_format

    @property
    def _hw_axes(self) -> tuple[int, int]:
        return (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def _check_input(self, inputs) -> None:
        shape = tuple(shape_of(inputs))
        if len(shape) not in (3, 4):
            layout = "H, W, C" if self.data_format == "channels_last" else "C, H, W"
            raise ValueError(f"{type(self).__name__} '{self.name}' expects images of rank 3 "
                             f"({layout}) or 4 (batch, {layout}), received shape {shape}.")

    def _images(self, inputs):
        return ops.cast(inputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _SizedImageLayer(ImageLayer):
    """An image layer whose output has a fixed ``(height, width)``."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not (isinstance(height, int) and isinstance(width, int) and height > 0
                and width > 0):
            raise ValueError(f"{type(self).__name__}: `height` and `width` must be positive "
                             f"ints, received height={height!r}, width={width!r}.")
        self.height, self.width = height, width

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = self._hw_axes
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def _center_or_resize(self, images):
        """Keras' CenterCrop: crop the centre, or resize (cropping to the aspect ratio) when
        the image is smaller than the target."""
        h_axis, w_axis = self._hw_axes
        shape = ops.shape(images)
        dh, dw = shape[h_axis] - self.height, shape[w_axis] - self.width
        if dh >= 0 and dw >= 0:
            top, left = dh // 2, dw // 2
            if self.data_format == "channels_last":
                return images[..., top:top + self.height, left:left + self.width, :]
            return images[..., top:top + self.height, left:left + self.width]
        return ops.image.resize(images, (self.height, self.width), crop_to_aspect_ratio=True,
                                data_format=self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class Resizing(_SizedImageLayer):
    """Resize images to ``(height, width)`` (Keras 3's ``Resizing``).

    Args:
        height, width: the output size.
        interpolation: "bilinear", "nearest" or "bicubic".
        crop_to_aspect_ratio: crop the centre to the target aspect ratio first.
        pad_to_aspect_ratio: pad with ``fill_value`` to the target aspect ratio first.
        fill_mode: "constant".
        fill_value: padding value for ``pad_to_aspect_ratio``.
        antialias: not supported (False).
        data_format: "channels_last" or "channels_first".
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(height, width, data_format=data_format, **kwargs)
        if interpolation not in ops.image.RESIZE_INTERPOLATIONS:
            raise ValueError(f"Resizing: `interpolation` must be one of "
                             f"{list(ops.image.RESIZE_INTERPOLATIONS)}, received "
                             f"{interpolation!r}.")
        if antialias:
            raise NotImplementedError("Resizing: antialias=True is not supported.")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("Resizing: only one of crop_to_aspect_ratio and "
                             "pad_to_aspect_ratio can be True.")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: `fill_mode` must be 'constant', received "
                             f"{fill_mode!r}.")
        self.interpolation, self.antialias = interpolation, False
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value

    def call(self, inputs):
        return ops.cast(ops.image.resize(
            self._images(inputs), (self.height, self.width), interpolation=self.interpolation,
            crop_to_aspect_ratio=self.crop_to_aspect_ratio,
            pad_to_aspect_ratio=self.pad_to_aspect_ratio, fill_value=self.fill_value,
            data_format=self.data_format), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_SizedImageLayer):
    """Crop the centre ``(height, width)`` of images; smaller images are resized (after a
    centre crop to the target aspect ratio), as Keras 3 does."""

    def call(self, inputs):
        return self._center_or_resize(self._images(inputs))


class RandomCrop(_SizedImageLayer):
    """Crop a random ``(height, width)`` window in training (one offset per batch, drawn
    from the layer's SeedGenerator; images not larger than the target are cut from the
    corner of their centred aspect-ratio crop and resized, as Keras 3 does). At inference the images pass unchanged, as in Keras 3.

    Args:
        height, width: the crop size.
        seed: seed of the layer's SeedGenerator (reproducible crops).
        data_format: "channels_last" or "channels_first".
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(height, width, data_format=data_format, name=name, **kwargs)
        self.seed = seed
        self.seed_generator = SeedGenerator(seed)

    def call(self, inputs, training=True):
        images = self._images(inputs)
        if training is False:
            return images
        h_axis, w_axis = self._hw_axes
        shape = ops.shape(images)
        in_h, in_w = shape[h_axis], shape[w_axis]
        if not (in_h > self.height and in_w > self.width):
            # Keras: slice from the aspect-ratio crop's corner, then resize what is left.
            crop_h = max(min(in_h, int(float(in_w * self.height) / self.width)), 1)
            crop_w = max(min(in_w, int(float(in_h * self.width) / self.height)), 1)
            top, left = int(float(in_h - crop_h) / 2), int(float(in_w - crop_w) / 2)
            if self.data_format == "channels_last":
                images = images[..., top:top + self.height, left:left + self.width, :]
            else:
                images = images[..., top:top + self.height, left:left + self.width]
            return ops.cast(ops.image.resize(images, (self.height, self.width),
                                             data_format=self.data_format), self.compute_dtype)
        top = ops.cast(mk_random.uniform((), 0.0, float(in_h - self.height + 1),
                                         seed=self.seed_generator), "int32")
        left = ops.cast(mk_random.uniform((), 0.0, float(in_w - self.width + 1),
                                          seed=self.seed_generator), "int32")
        rank = len(shape)
        start = [0] * rank
        size = list(shape)
        start[h_axis], start[w_axis] = top, left
        size[h_axis], size[w_axis] = self.height, self.width
        return ops.slice(images, ops.stack([ops.cast(s, "int32") for s in start]), size)

    def compute_output_shape(self, input_shape):
        return super().compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
