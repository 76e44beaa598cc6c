"""keras.utils.bounding_boxes against Keras 3, on every backend: the same numbers for every
format conversion, clipping, crop/pad, affine transform, anchor deltas and (C)IoU."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import mini_keras as keras
from mini_keras.utils.bounding_boxes.formats import SUPPORTED_FORMATS

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
RNG = np.random.default_rng(0)
XY = RNG.uniform(0, 40, (2, 5, 2)).astype("float32")
BOXES = np.concatenate([XY, XY + RNG.uniform(1, 30, (2, 5, 2))], -1).astype("float32")
NAMES = sorted(keras.utils.bounding_boxes.__all__)


@pytest.fixture(scope="module")
def kb():
    return pytest.importorskip("keras").utils.bounding_boxes


def _np(x):
    if isinstance(x, dict):
        return {k: _np(v) for k, v in x.items()}
    return np.asarray(keras.ops.convert_to_numpy(x)) if not hasattr(x, "numpy") else x.numpy()


def _close(ours, theirs, atol=1e-4):
    ours, theirs = _np(ours), _np(theirs)
    if isinstance(theirs, dict):
        assert ours.keys() == theirs.keys()
        for key in theirs:
            _close(ours[key], theirs[key], atol)
        return
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=atol)


def test_names_and_signatures_match_keras(kb):
    assert NAMES == sorted(n for n in dir(kb) if not n.startswith("_"))
    for name in NAMES:
        assert (inspect.signature(getattr(keras.utils.bounding_boxes, name))
                == inspect.signature(getattr(kb, name))), name


def test_convert_format_every_pair(backend, kb):
    size = {"height": 90, "width": 120}
    for source in SUPPORTED_FORMATS:
        boxes = kb.convert_format(BOXES, "xyxy", source, **size)
        for target in SUPPORTED_FORMATS:
            _close(keras.utils.bounding_boxes.convert_format(np.asarray(boxes), source, target,
                                                             **size),
                   kb.convert_format(boxes, source, target, **size))
    boxes = {"boxes": BOXES[0], "labels": np.arange(5)}
    _close(keras.utils.bounding_boxes.convert_format(dict(boxes), "XYXY", "center_YXHW"),
           kb.convert_format(dict(boxes), "xyxy", "center_yxhw"))
    with pytest.raises(ValueError, match="height"):
        keras.utils.bounding_boxes.convert_format(BOXES, "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="source"):
        keras.utils.bounding_boxes.convert_format(BOXES, "xxyy", "xyxy")
    with pytest.raises(ValueError, match="last dimension"):
        keras.utils.bounding_boxes.convert_format(BOXES[..., :3], "xyxy", "yxyx")


def test_clip_crop_pad(backend, kb):
    ours, theirs = keras.utils.bounding_boxes, kb
    labelled = {"boxes": BOXES - 10, "labels": np.arange(10).reshape(2, 5).astype("float32")}
    _close(ours.clip_to_image_size(labelled, height=30, width=25),
           theirs.clip_to_image_size(labelled, height=30, width=25))
    relative = {"boxes": BOXES / 50 - 0.2, "labels": np.ones((2, 5), "float32")}
    _close(ours.clip_to_image_size(relative, bounding_box_format="rel_xyxy"),
           theirs.clip_to_image_size(relative, bounding_box_format="rel_xyxy"))
    _close(ours.crop(BOXES, 5, 8, 30, 20), theirs.crop(BOXES, 5, 8, 30, 20))
    _close(ours.pad(BOXES, 3, 4, 100, 100), theirs.pad(BOXES, 3, 4, 100, 100))
    for call in (lambda: ours.crop(BOXES, 1, 1, 2, 2, bounding_box_format="yxyx"),
                 lambda: ours.clip_to_image_size(labelled, 3, 3, bounding_box_format="xywh")):
        with pytest.raises(NotImplementedError, match="bounding_box_format"):
            call()
    with pytest.raises(ValueError, match="height"):
        ours.clip_to_image_size(labelled)


def test_affine_transform(backend, kb):
    params = [np.array(v, "float32") for v in ([10.0, -30.0], [0.1, 0.0], [0.0, -0.2],
                                               [1.0, 1.2], [5.0, 0.0], [0.0, 8.0])]
    _close(keras.utils.bounding_boxes.affine_transform(BOXES, *params, 64, 80),
           kb.affine_transform(BOXES, *params, 64, 80), atol=1e-3)
    _close(keras.utils.bounding_boxes.affine_transform(BOXES, *params, 64, 80, center_x=0.2,
                                                       center_y=0.7),
           kb.affine_transform(BOXES, *params, 64, 80, center_x=0.2, center_y=0.7), atol=1e-3)


def test_deltas_round_trip_like_keras(backend, kb):
    anchors = BOXES[0]
    kwargs = {"anchor_format": "xyxy", "box_format": "xywh", "variance": [0.1, 0.1, 0.2, 0.2]}
    boxes = np.asarray(kb.convert_format(BOXES, "xyxy", "xywh")) + 1.5
    for encoding in ("center_yxhw", "center_xywh"):
        deltas = keras.utils.bounding_boxes.encode_box_to_deltas(
            anchors, boxes, encoding_format=encoding, **kwargs)
        _close(deltas, kb.encode_box_to_deltas(anchors, boxes, encoding_format=encoding,
                                               **kwargs))
        decoded = keras.utils.bounding_boxes.decode_deltas_to_boxes(
            anchors, _np(deltas), encoded_format=encoding, **kwargs)
        _close(decoded, kb.decode_deltas_to_boxes(anchors, _np(deltas),
                                                  encoded_format=encoding, **kwargs))
        _close(decoded, boxes, atol=1e-3)
    levels = keras.utils.bounding_boxes.decode_deltas_to_boxes(
        {"p3": anchors}, {"p3": np.zeros((5, 4), "float32")}, "xyxy", "xyxy")
    _close(levels["p3"], anchors)
    with pytest.raises(ValueError, match="variance"):
        keras.utils.bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy",
                                                        variance=[1, 2])
    with pytest.raises(ValueError, match="encoding_format"):
        keras.utils.bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy",
                                                        encoding_format="xyxy")


def test_iou_and_ciou(backend, kb):
    ours, theirs = keras.utils.bounding_boxes, kb
    masked = BOXES.copy()
    masked[0, 1] = -1
    for boxes1, boxes2 in ((BOXES[0], BOXES[1]), (BOXES, BOXES[::-1]), (BOXES[0], BOXES)):
        _close(ours.compute_iou(boxes1, boxes2, "xyxy"), theirs.compute_iou(boxes1, boxes2,
                                                                             "xyxy"))
    _close(ours.compute_iou(masked, BOXES, "xyxy", use_masking=True, mask_val=-2),
           theirs.compute_iou(masked, BOXES, "xyxy", use_masking=True, mask_val=-2))
    relative = BOXES / 100
    _close(ours.compute_iou(relative, relative, "rel_xyxy", image_shape=(100, 100, 3)),
           theirs.compute_iou(relative, relative, "rel_xyxy", image_shape=(100, 100, 3)))
    _close(ours.compute_ciou(BOXES, BOXES[::-1], "xyxy"),
           theirs.compute_ciou(BOXES, BOXES[::-1], "xyxy"))
    with pytest.raises(ValueError, match="image_shape"):
        ours.compute_iou(relative, relative, "rel_xyxy")
    with pytest.raises(ValueError, match="boxes1"):
        ours.compute_iou(BOXES[0, 0], BOXES, "xyxy")
