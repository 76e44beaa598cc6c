"""``ContrastLimitedAdaptiveHistogramEqualization`` (CLAHE) and ``MaxNumBoundingBoxes``
(Keras 3's layers, written in ``ops``; both deterministic, applied in training and at
inference alike, as in Keras 3)."""

from __future__ import annotations

import numpy as np

from mini_keras import ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.layers.preprocessing.image_adjust import _scale
from mini_keras.layers.preprocessing.image_geometry import ImageLayer

__all__ = ["ContrastLimitedAdaptiveHistogramEqualization", "MaxNumBoundingBoxes"]


def _symmetric_index(n: int, pad: int) -> np.ndarray:
    """Indices of a length-``n`` axis padded at its end by ``pad`` in "symmetric" mode."""
    period = np.concatenate([np.arange(n), np.arange(n - 1, -1, -1)])
    return np.resize(period, n + pad).astype("int32")


class ContrastLimitedAdaptiveHistogramEqualization(ImageLayer):
    """Equalize each tile of a ``tile_grid_size`` grid with a histogram clipped at
    ``clip_limit`` times the mean bin count (the excess spread over all bins), then blend the
    tiles' mappings bilinearly, per channel (Zuiderveld 1994; Keras 3's algorithm).

    Args:
        value_range: the ``(low, high)`` range of the input values.
        clip_limit: histogram clip, relative to a uniform histogram (<= 0: no clipping).
        tile_grid_size: ``(rows, cols)`` of tiles.
        data_format: "channels_last" or "channels_first".
    """

    def __init__(self, value_range=(0, 255), clip_limit=4.0, tile_grid_size=(8, 8),
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        name = "ContrastLimitedAdaptiveHistogramEqualization"
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"{name}: `value_range` must be a pair (low, high), received "
                             f"{value_range!r}.")
        grid = tuple(tile_grid_size) if isinstance(tile_grid_size, (tuple, list)) else ()
        if len(grid) != 2 or any(not isinstance(g, int) or g < 1 for g in grid):
            raise ValueError(f"{name}: `tile_grid_size` must be two positive ints, received "
                             f"{tile_grid_size!r}.")
        self.value_range, self.clip_limit, self.tile_grid_size = value_range, clip_limit, grid

    def call(self, inputs):
        images = ops.convert_to_tensor(inputs)
        original = ops.dtype(images)
        rank = len(ops.shape(images))
        x = images if rank == 4 else ops.expand_dims(images, 0)
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 2, 3, 1))
        x = _scale(ops.cast(x, "float32"), self.value_range, (0, 255))
        x = _scale(self._clahe(x), (0, 255), self.value_range)
        if self.data_format == "channels_first":
            x = ops.transpose(x, (0, 3, 1, 2))
        return ops.cast(x if rank == 4 else ops.squeeze(x, 0), original)

    def _tile_mappings(self, padded, tile_h, tile_w):
        """Clipped, equalized CDF of every tile, edge-replicated: (B, gh+2, gw+2, C, 256)."""
        batch, _, _, channels = ops.shape(padded)
        grid_h, grid_w = self.tile_grid_size
        tiles = ops.reshape(padded, (batch, grid_h, tile_h, grid_w, tile_w, channels))
        tiles = ops.reshape(ops.transpose(tiles, (0, 1, 3, 5, 2, 4)),
                            (batch, grid_h, grid_w, channels, tile_h * tile_w))
        values = ops.clip(ops.cast(tiles, "int32"), 0, 255)
        hists = ops.sum(ops.one_hot(values, 256, dtype="float32"), axis=-2)
        if self.clip_limit > 0:
            limit = self.clip_limit * (tile_h * tile_w) / 256.0
            clipped = ops.clip(hists, 0.0, limit)
            excess = ops.sum(ops.subtract(hists, clipped), axis=-1, keepdims=True)
            hists = ops.add(clipped, ops.divide(excess, 256.0))
        cdf = ops.cumsum(hists, axis=-1)
        cdf_min = ops.min(cdf, axis=-1, keepdims=True)
        denominator = ops.subtract(float(tile_h * tile_w), cdf_min)
        denominator = ops.where(ops.equal(denominator, 0.0), 1.0, denominator)
        cdf = ops.clip(ops.divide(ops.multiply(ops.subtract(cdf, cdf_min), 255.0), denominator),
                       0.0, 255.0)
        rows = np.concatenate([[0], np.arange(grid_h), [grid_h - 1]]).astype("int32")
        cols = np.concatenate([[0], np.arange(grid_w), [grid_w - 1]]).astype("int32")
        return ops.take(ops.take(cdf, rows, axis=1), cols, axis=2)

    def _clahe(self, images):
        batch, height, width, channels = ops.shape(images)
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        padded = ops.take(ops.take(images, _symmetric_index(height, tile_h * grid_h - height),
                                   axis=1),
                          _symmetric_index(width, tile_w * grid_w - width), axis=2)
        cdf = ops.reshape(self._tile_mappings(padded, tile_h, tile_w), (-1,))

        def axis_terms(size, tile, grid):
            g = (np.arange(size, dtype="float32") - tile / 2.0) / tile + 1.0
            low = np.floor(g)
            weight = (g - low).astype("float32")
            return (np.clip(low, 0, grid + 1).astype("int32"),
                    np.clip(low + 1, 0, grid + 1).astype("int32"), weight)
        y0, y1, wy = axis_terms(tile_h * grid_h, tile_h, grid_h)
        x0, x1, wx = axis_terms(tile_w * grid_w, tile_w, grid_w)
        stride_x = 256 * channels
        stride_y = stride_x * (grid_w + 2)
        stride_b = stride_y * (grid_h + 2)
        pixels = ops.cast(ops.clip(padded, 0.0, 255.0), "int32")
        base = ops.add(pixels, ops.convert_to_tensor(
            (np.arange(batch).reshape(-1, 1, 1, 1) * stride_b
             + np.arange(channels).reshape(1, 1, 1, -1) * 256).astype("int32")))

        def read(ys, xs):
            offset = (ys.reshape(1, -1, 1, 1) * stride_y
                      + xs.reshape(1, 1, -1, 1) * stride_x).astype("int32")
            return ops.take(cdf, ops.add(base, ops.convert_to_tensor(offset)))
        wx_e = ops.convert_to_tensor(wx.reshape(1, 1, -1, 1))
        wy_e = ops.convert_to_tensor(wy.reshape(1, -1, 1, 1))
        top = ops.add(ops.multiply(read(y0, x0), ops.subtract(1.0, wx_e)),
                      ops.multiply(read(y0, x1), wx_e))
        bottom = ops.add(ops.multiply(read(y1, x0), ops.subtract(1.0, wx_e)),
                         ops.multiply(read(y1, x1), wx_e))
        out = ops.add(ops.multiply(top, ops.subtract(1.0, wy_e)), ops.multiply(bottom, wy_e))
        return out[:, :height, :width, :]

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(tuple(inputs.shape), inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "clip_limit": self.clip_limit, "tile_grid_size": self.tile_grid_size}


class MaxNumBoundingBoxes(ImageLayer):
    """Pad (with ``fill_value``) or truncate the ``bounding_boxes`` of a dict input
    ``{"images", "bounding_boxes": {"boxes", "labels"}, ...}`` to ``max_number`` boxes per
    image; images and the other entries pass unchanged (a plain image input too).

    Args:
        max_number: the number of boxes per image in the output.
        fill_value: the value of padded boxes and labels.
        bounding_box_format: the boxes' format (needed with bounding boxes, as in Keras 3).
    """

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, **kwargs):
        super().__init__(**kwargs)
        if int(max_number) < 1:
            raise ValueError(f"MaxNumBoundingBoxes: `max_number` must be a positive int, "
                             f"received max_number={max_number!r}.")
        self.max_number, self.fill_value = int(max_number), int(fill_value)
        self.bounding_box_format = bounding_box_format

    def _check_input(self, inputs) -> None:
        images = inputs.get("images") if isinstance(inputs, dict) else inputs
        if images is not None:
            super()._check_input(images)
        if isinstance(inputs, dict) and "bounding_boxes" in inputs:
            if self.bounding_box_format is None:
                raise ValueError(f"MaxNumBoundingBoxes '{self.name}': the input has "
                                 "'bounding_boxes', so pass `bounding_box_format` (e.g. "
                                 "'xyxy') to the layer.")
            extra = set(inputs["bounding_boxes"]) - {"boxes", "labels"}
            if extra:
                raise KeyError(f"MaxNumBoundingBoxes '{self.name}': unsupported keys in "
                               f"`bounding_boxes`: {sorted(extra)}; only 'boxes' and 'labels' "
                               "are supported.")

    def _images(self, inputs):
        return inputs

    def _fit(self, x, width=None):
        x = ops.convert_to_tensor(x)
        count = ops.shape(x)[1]
        x = x[:, :self.max_number]
        pad = max(self.max_number - count, 0)
        if pad:
            widths = [(0, 0), (0, pad)] + [(0, 0)] * (len(ops.shape(x)) - 2)
            x = ops.pad(x, widths, constant_values=self.fill_value)
        return x

    def call(self, inputs):
        if not isinstance(inputs, dict):
            return inputs
        out = dict(inputs)
        if "bounding_boxes" in inputs:
            boxes = inputs["bounding_boxes"]
            out["bounding_boxes"] = {**boxes, "boxes": self._fit(boxes["boxes"]),
                                     "labels": self._fit(boxes["labels"])}
        return out

    def compute_output_spec(self, inputs, *args, **kwargs):
        def spec(t, fit=False):
            shape = list(t.shape)
            if fit:
                shape[1] = self.max_number
            return KerasTensor(tuple(shape), t.dtype)
        if not isinstance(inputs, dict):
            return spec(inputs)
        out = {k: spec(v) for k, v in inputs.items() if k != "bounding_boxes"}
        if "bounding_boxes" in inputs:
            out["bounding_boxes"] = {k: spec(v, True) for k, v in
                                     inputs["bounding_boxes"].items()}
        return out

    def get_config(self):
        return {**super().get_config(), "bounding_box_format": self.bounding_box_format,
                "max_number": self.max_number}
