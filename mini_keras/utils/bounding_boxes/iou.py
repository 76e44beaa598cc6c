"""``keras.utils.bounding_boxes.compute_iou`` / ``compute_ciou``: box overlap measures."""

from __future__ import annotations

import math

from mini_keras import config, ops
from mini_keras.utils.bounding_boxes.converters import convert_format


def _area(boxes):
    y1, x1, y2, x2 = ops.split(boxes[..., :4], 4, axis=-1)
    return ops.squeeze((y2 - y1) * (x2 - x1), axis=-1)


def _intersection(boxes1, boxes2):
    y_min1, x_min1, y_max1, x_max1 = ops.split(boxes1[..., :4], 4, axis=-1)
    y_min2, x_min2, y_max2, x_max2 = ops.split(boxes2[..., :4], 4, axis=-1)
    perm = [1, 0] if len(boxes2.shape) == 2 else [0, 2, 1]
    height = ops.minimum(y_max1, ops.transpose(y_max2, perm)) - ops.maximum(
        y_min1, ops.transpose(y_min2, perm))
    width = ops.minimum(x_max1, ops.transpose(x_max2, perm)) - ops.maximum(
        x_min1, ops.transpose(x_min2, perm))
    zero = ops.cast(0, height.dtype)
    return ops.maximum(zero, height) * ops.maximum(zero, width)


def _image_size(where, bounding_box_format, image_shape):
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError(f"bounding_boxes.{where}: relative formats ({bounding_box_format!r}) "
                         "need `image_shape` (height, width, channels)")
    return (None, None) if image_shape is None else tuple(image_shape)[:2]


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1,
                image_shape=None):
    """Pairwise intersection-over-union of two sets of boxes.

    Args:
        boxes1: ``(M, 4)`` or ``(batch, M, 4)``.
        boxes2: ``(N, 4)`` or ``(batch, N, 4)``.
        bounding_box_format: the boxes' format (see ``convert_format``).
        use_masking: give ``mask_val`` for pairs where a box has all coordinates < 0.
        mask_val: the masked value.
        image_shape: ``(height, width, channels)``, for relative formats.

    Returns:
        ``(M, N)`` or ``(batch, M, N)`` IoUs.
    """
    boxes1, boxes2 = ops.convert_to_tensor(boxes1), ops.convert_to_tensor(boxes2)
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if len(boxes.shape) not in (2, 3):
            raise ValueError(f"bounding_boxes.compute_iou: `{name}` must be (N, 4) or "
                             f"(batch, N, 4), received shape {tuple(boxes.shape)}")
    height, width = _image_size("compute_iou", bounding_box_format, image_shape)
    boxes1 = convert_format(boxes1, bounding_box_format, "yxyx", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "yxyx", height, width)
    intersection = _intersection(boxes1, boxes2)
    area1, area2 = _area(boxes1), _area(boxes2)
    area1 = ops.expand_dims(area1, axis=-1)
    area2 = ops.expand_dims(area2, axis=1 if len(area2.shape) == 2 else 0)
    result = ops.divide(intersection, area1 + area2 - intersection + config.epsilon())
    if not use_masking:
        return result
    perm = [1, 0] if len(boxes1.shape) == 2 else [0, 2, 1]
    masked = ops.cast(mask_val, result.dtype) * ops.ones_like(result)
    mask1 = ops.less(ops.max(boxes1, axis=-1, keepdims=True), 0.0)
    mask2 = ops.less(ops.max(boxes2, axis=-1, keepdims=True), 0.0)
    return ops.where(ops.logical_or(mask1, ops.transpose(mask2, perm)), masked, result)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Complete IoU (IoU minus centre-distance and aspect-ratio penalties) of matching boxes.

    Args:
        boxes1, boxes2: ``(..., 4)`` boxes of the same shape.
        bounding_box_format: the boxes' format (relative formats are refused, as Keras 3).
        image_shape: ``(height, width, channels)``.

    Returns:
        ``(...)`` CIoU values.
    """
    if "rel" in bounding_box_format:
        raise ValueError(f"bounding_boxes.compute_ciou: relative formats "
                         f"({bounding_box_format!r}) are not supported (as Keras 3); convert "
                         "the boxes to an absolute format first")
    height, width = _image_size("compute_ciou", bounding_box_format, image_shape)
    boxes1 = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    eps = config.epsilon()
    x_min1, y_min1, x_max1, y_max1 = ops.split(boxes1[..., :4], 4, axis=-1)
    x_min2, y_min2, x_max2, y_max2 = ops.split(boxes2[..., :4], 4, axis=-1)
    width_1, height_1 = x_max1 - x_min1, y_max1 - y_min1 + eps
    width_2, height_2 = x_max2 - x_min2, y_max2 - y_min2 + eps
    intersection = ops.maximum(ops.minimum(x_max1, x_max2) - ops.maximum(x_min1, x_min2), 0) * (
        ops.maximum(ops.minimum(y_max1, y_max2) - ops.maximum(y_min1, y_min2), 0))
    union = width_1 * height_1 + width_2 * height_2 - intersection + eps
    iou = ops.squeeze(ops.divide(intersection, union + eps), axis=-1)
    convex_width = ops.maximum(x_max1, x_max2) - ops.minimum(x_min1, x_min2)
    convex_height = ops.maximum(y_max1, y_max2) - ops.minimum(y_min1, y_min2)
    diagonal = ops.squeeze(convex_width ** 2 + convex_height ** 2 + eps, axis=-1)
    centers = ops.squeeze(((x_min1 + x_max1) / 2 - (x_min2 + x_max2) / 2) ** 2
                          + ((y_min1 + y_max1) / 2 - (y_min2 + y_max2) / 2) ** 2, axis=-1)
    v = ops.squeeze((4 / math.pi ** 2) * ops.power(
        ops.arctan(width_2 / height_2) - ops.arctan(width_1 / height_1), 2), axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (centers / diagonal + v * alpha)
