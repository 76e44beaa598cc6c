"""Bounding-box formats and the conversions between them (through ``xyxy``), in ``ops``."""

from __future__ import annotations

from mini_keras import ops

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy",
                     "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _parts(boxes):
    return ops.split(boxes, 4, axis=-1)


def _join(*parts):
    return ops.concatenate(list(parts), axis=-1)


def _to_xyxy(source: str, boxes, height, width):
    a, b, c, d = _parts(boxes)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return _join(b, a, d, c)
    if source == "xywh":
        return _join(a, b, a + c, b + d)
    if source == "center_xywh":
        return _join(a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0)
    if source == "center_yxhw":
        return _join(b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0)
    if source == "rel_xyxy":
        return _join(a * width, b * height, c * width, d * height)
    if source == "rel_yxyx":
        return _join(b * width, a * height, d * width, c * height)
    if source == "rel_xywh":
        return _join(a * width, b * height, (a + c) * width, (b + d) * height)
    # rel_center_xywh
    return _join((a - c / 2.0) * width, (b - d / 2.0) * height, (a + c / 2.0) * width,
                 (b + d / 2.0) * height)


def _from_xyxy(target: str, boxes, height, width):
    x1, y1, x2, y2 = _parts(boxes)
    w, h = x2 - x1, y2 - y1
    cx, cy = x1 + w / 2.0, y1 + h / 2.0
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return _join(y1, x1, y2, x2)
    if target == "xywh":
        return _join(x1, y1, w, h)
    if target == "center_xywh":
        return _join(cx, cy, w, h)
    if target == "center_yxhw":
        return _join(cy, cx, h, w)
    if target == "rel_xyxy":
        return _join(x1 / width, y1 / height, x2 / width, y2 / height)
    if target == "rel_yxyx":
        return _join(y1 / height, x1 / width, y2 / height, x2 / width)
    if target == "rel_xywh":
        return _join(x1 / width, y1 / height, w / width, h / height)
    return _join(cx / width, cy / height, w / width, h / height)  # rel_center_xywh


def convert_boxes(boxes, source: str, target: str, height=None, width=None,
                  dtype="float32"):
    """``boxes`` (last axis 4) from format ``source`` to ``target``, cast to ``dtype``.

    Raises:
        ValueError: last axis not 4, an unknown format, or a relative format without
            ``height``/``width``.
    """
    boxes = ops.convert_to_tensor(boxes)
    if tuple(boxes.shape)[-1:] != (4,):
        raise ValueError(f"bounding_boxes.convert_format: `boxes` must have a last dimension "
                         f"of 4, received boxes.shape={tuple(boxes.shape)}")
    source, target = str(source).lower(), str(target).lower()
    for name, value in (("source", source), ("target", target)):
        if value not in SUPPORTED_FORMATS:
            raise ValueError(f"bounding_boxes.convert_format: `{name}` must be one of "
                             f"{SUPPORTED_FORMATS}, received {name}={value!r}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (
            height is None or width is None):
        raise ValueError(f"bounding_boxes.convert_format: converting from {source!r} to "
                         f"{target!r} needs `height` and `width`, received height={height}, "
                         f"width={width}")
    boxes = ops.cast(boxes, dtype)
    if source == target:
        return boxes
    height = None if height is None else ops.cast(height, dtype)
    width = None if width is None else ops.cast(width, dtype)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return _from_xyxy(target, _to_xyxy(source, boxes, height, width), height, width)


def area(boxes):
    """Width times height of ``xyxy`` boxes, keeping the last axis (size 1)."""
    x1, y1, x2, y2 = _parts(boxes)
    return (x2 - x1) * (y2 - y1)
