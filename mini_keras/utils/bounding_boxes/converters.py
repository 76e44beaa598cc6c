"""``keras.utils.bounding_boxes``: format conversion, clipping, cropping, padding, affine
transforms and anchor deltas of bounding boxes (tensors of the current backend, via ``ops``)."""

from __future__ import annotations

import math

from mini_keras import config, ops
from mini_keras.utils.bounding_boxes.formats import area, convert_boxes


def _only_xyxy(where: str, bounding_box_format, allowed=("xyxy",)) -> None:
    if bounding_box_format not in allowed:
        raise NotImplementedError(f"bounding_boxes.{where}: bounding_box_format must be one of "
                                  f"{allowed} (as Keras 3), received "
                                  f"bounding_box_format={bounding_box_format!r}; convert the "
                                  "boxes with convert_format first")


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Convert bounding boxes between formats (case-insensitive): "xyxy", "yxyx", "xywh",
    "center_xywh", "center_yxhw" and the relative (fractions of ``height``/``width``)
    "rel_xyxy", "rel_yxyx", "rel_xywh", "rel_center_xywh".

    Args:
        boxes: tensor/array with a last axis of 4, or a dict whose "boxes" entry is one (the
            dict is updated and returned, as Keras 3).
        source, target: the formats.
        height, width: image size, needed when one format is relative.
        dtype: dtype of the result.

    Returns:
        The converted boxes (a tensor of the current backend).
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    return convert_boxes(boxes, source, target, height, width, dtype)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clip boxes to the image (``[0, width] x [0, height]``, or ``[0, 1]`` for "rel_xyxy");
    labels of boxes left with no area become -1.

    Args:
        bounding_boxes: dict with "boxes" ``(N, 4)``/``(batch, N, 4)`` and optional "labels".
        height, width: image size (needed for "xyxy").
        bounding_box_format: "xyxy" or "rel_xyxy".

    Returns:
        A copy of the dict with clipped "boxes" (and updated "labels").
    """
    _only_xyxy("clip_to_image_size", bounding_box_format, ("xyxy", "rel_xyxy"))
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("bounding_boxes.clip_to_image_size: `height` and `width` must be set "
                         "for bounding_box_format='xyxy'")
    boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels")
    if bounding_box_format == "xyxy":
        high_x, high_y = ops.cast(width, boxes.dtype), ops.cast(height, boxes.dtype)
    else:
        high_x = high_y = 1.0
    x1, y1, x2, y2 = ops.split(boxes, 4, axis=-1)
    boxes = ops.concatenate([ops.clip(x1, 0, high_x), ops.clip(y1, 0, high_y),
                             ops.clip(x2, 0, high_x), ops.clip(y2, 0, high_y)], axis=-1)
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        result["labels"] = ops.where(ops.squeeze(area(boxes), axis=-1) > 0, labels, -1)
    return result


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale,
                           shear_x, shear_y, height, width):
    batch_size = ops.shape(angle)[0]
    dtype = angle.dtype
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx, cy = ops.multiply(center_x, width - 1), ops.multiply(center_y, height - 1)
    rot = ops.multiply(angle, 1.0 / 180.0 * math.pi)
    tx, ty = ops.multiply(-translate_x, width - 1), ops.multiply(-translate_y, height - 1)
    sx = ops.multiply(shear_x, 1.0 / 180.0 * math.pi)
    sy = ops.multiply(shear_y, 1.0 / 180.0 * math.pi)
    cos_sy, tan_sx = ops.cos(sy), ops.tan(sx)
    a = ops.cos(rot - sy) / cos_sy
    b = a * tan_sx + ops.sin(rot)
    c = -ops.sin(rot - sy) / cos_sy
    d = ops.cos(rot) - c * tan_sx
    a0, a1 = ops.multiply(d, scale), ops.multiply(-b, scale)
    b0, b1 = ops.multiply(-c, scale), ops.multiply(a, scale)
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = ops.zeros([batch_size], dtype), ops.ones([batch_size], dtype)
    matrix = ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1)
    return ops.reshape(matrix, [batch_size, 3, 3])


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height,
                     width, center_x=None, center_y=None, bounding_box_format="xyxy"):
    """Apply a per-image affine transform (the inverse of the one an image transform uses) to
    ``xyxy`` boxes ``(batch, N, 4)``; each box becomes the bounding box of its 4 moved corners.

    Args:
        boxes: ``(batch, N, 4)`` boxes.
        angle: ``(batch,)`` rotation in degrees.
        translate_x, translate_y: ``(batch,)`` translations, fractions of width/height.
        scale: ``(batch,)`` scaling factors.
        shear_x, shear_y: ``(batch,)`` shear angles in degrees.
        height, width: image size.
        center_x, center_y: transform centre as fractions (default 0.5).
        bounding_box_format: "xyxy" only.
    """
    _only_xyxy("affine_transform", bounding_box_format)
    boxes = ops.convert_to_tensor(boxes)
    angle = ops.convert_to_tensor(angle)
    batch_size, n_boxes = ops.shape(boxes)[0], ops.shape(boxes)[1]
    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x,
                                    0.5 if center_y is None else center_y, angle, translate_x,
                                    translate_y, scale, shear_x, shear_y, height, width)
    boxes = ops.cast(boxes, matrix.dtype)
    corners = ops.stack([boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 1],
                         boxes[..., 2], boxes[..., 3], boxes[..., 0], boxes[..., 3]], axis=-1)
    corners = ops.reshape(corners, [batch_size, n_boxes, 4, 2])
    corners = ops.concatenate([corners, ops.ones([batch_size, n_boxes, 4, 1], corners.dtype)],
                              axis=-1)
    moved = ops.einsum("bnxy,byz->bnxz", corners,
                       ops.transpose(matrix[:, :2, :], [0, 2, 1]))
    return ops.concatenate([ops.amin(moved, axis=2), ops.amax(moved, axis=2)], axis=-1)


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Boxes of the crop ``[left, left + width) x [top, top + height)``: shifted by
    ``(-left, -top)`` and clipped to ``[0, width] x [0, height]`` ("xyxy" only)."""
    _only_xyxy("crop", bounding_box_format)
    x1, y1, x2, y2 = ops.split(ops.convert_to_tensor(boxes), 4, axis=-1)
    return ops.concatenate([ops.clip(x1 - left, 0, width), ops.clip(y1 - top, 0, height),
                            ops.clip(x2 - left, 0, width), ops.clip(y2 - top, 0, height)],
                           axis=-1)


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Boxes of an image padded by ``top``/``left``: shifted by ``(left, top)`` ("xyxy" only;
    ``height``/``width`` are accepted for Keras 3's signature and, as there, do not change the
    result)."""
    _only_xyxy("pad", bounding_box_format)
    x1, y1, x2, y2 = ops.split(ops.convert_to_tensor(boxes), 4, axis=-1)
    return ops.concatenate([x1 + left, y1 + top, x2 + left, y2 + top], axis=-1)


def _check_variance(variance):
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, "float32")
    if tuple(variance.shape)[-1:] != (4,):
        raise ValueError(f"bounding_boxes: `variance` must have 4 entries, received shape "
                         f"{tuple(variance.shape)}")
    return variance


def _check_center_format(name: str, value) -> None:
    if value not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"bounding_boxes: `{name}` must be 'center_xywh' or 'center_yxhw', "
                         f"received {name}={value!r}")


def _image_size(image_shape):
    return (None, None) if image_shape is None else tuple(image_shape)[:2]


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format,
                         encoding_format="center_yxhw", variance=None, image_shape=None):
    """Deltas of ``boxes`` relative to ``anchors`` (centre offsets over anchor size, log size
    ratios), in ``encoding_format``, divided by ``variance`` when given.

    Args:
        anchors: ``(N, 4)`` anchors in ``anchor_format``.
        boxes: ``(N, 4)`` or ``(B, N, 4)`` boxes in ``box_format``.
        encoding_format: "center_yxhw" or "center_xywh".
        variance: 4 scale factors, or None.
        image_shape: ``(height, width, channels)``, for relative formats.
    """
    variance = _check_variance(variance)
    _check_center_format("encoding_format", encoding_format)
    height, width = _image_size(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_size = ops.maximum(anchors[..., 2:], config.epsilon())
    box_size = ops.maximum(boxes[..., 2:], config.epsilon())
    deltas = ops.concatenate([(boxes[..., :2] - anchors[..., :2]) / anchor_size,
                              ops.log(box_size / anchor_size)], axis=-1)
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format,
                           encoded_format="center_yxhw", variance=None, image_shape=None):
    """Boxes in ``box_format`` from ``boxes_delta`` relative to ``anchors`` (the inverse of
    :func:`encode_box_to_deltas`); dicts of levels give dicts.

    Args:
        anchors: ``(N, 4)`` anchors in ``anchor_format``, or a dict level -> anchors.
        boxes_delta: deltas ``(N, 4)``/``(B, N, 4)`` (a dict like ``anchors``).
        encoded_format: "center_yxhw" or "center_xywh".
        variance: 4 scale factors multiplied into the deltas, or None.
        image_shape: ``(height, width, channels)``, for relative formats.
    """
    variance = _check_variance(variance)
    _check_center_format("encoded_format", encoded_format)
    height, width = _image_size(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = ops.cast(ops.convert_to_tensor(delta), anchor.dtype)
        if variance is not None:
            delta = delta * variance
        box = ops.concatenate([delta[..., :2] * anchor[..., 2:] + anchor[..., :2],
                               ops.exp(delta[..., 2:]) * anchor[..., 2:]], axis=-1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
