"""Connectionist temporal classification of the nn family: ctc_loss, ctc_decode.

Both are composites: the loss runs the log-space forward (alpha) recursion of Graves et al.
(2006) in ``ops.*`` calls, one step per time frame, so it differentiates on every backend; the
greedy decoder takes the best class per frame, merges repeats and drops blanks.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras.ops.checks import _fail, _is_float, _positive_int, _tensor
from mini_keras.ops.declare import composite, exported

_NEG = -1e30  # log(0) stand-in: finite, so logsumexp and its gradient never see inf - inf


def _result_dtype(output):
    return "float64" if ops.dtype(output) == "float64" else "float32"


def _log_add(*terms):
    """``log(sum(exp(terms)))`` elementwise, stable for the large negative stand-in of log 0."""
    top = terms[0]
    for t in terms[1:]:
        top = ops.maximum(top, t)
    total = ops.exp(ops.subtract(terms[0], top))
    for t in terms[1:]:
        total = ops.add(total, ops.exp(ops.subtract(t, top)))
    return ops.add(top, ops.log(total))


def _shift(x, by, fill):
    """``x`` moved ``by`` places right along the last axis, ``fill`` coming in on the left."""
    pad = ops.full(tuple(ops.shape(x)[:-1]) + (by,), fill, ops.dtype(x))
    return ops.concatenate([pad, ops.getitem(x, (Ellipsis, slice(0, -by)))], axis=-1)


@composite(keras_class="CTCLoss")
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC negative log-likelihood of each target sequence under per-frame class logits.

    Args:
        target: int tensor ``(batch, max_label_length)`` of class ids (entries past
            ``target_length`` are ignored).
        output: logits ``(batch, max_time, num_classes)`` (log-softmax is applied here).
        target_length: int tensor ``(batch,)``, the length of each target.
        output_length: int tensor ``(batch,)``, the number of valid frames of each output.
        mask_index: the class id of the blank.

    Returns:
        loss ``(batch,)``: float32 (float64 for float64 logits).
    """
    target, output = _tensor(target), _tensor(output)
    if len(ops.shape(target)) != 2 or len(ops.shape(output)) != 3:
        _fail("ctc_loss", f"`target` must be (batch, max_label_length) and `output` (batch, "
                          f"max_time, num_classes), received shapes {tuple(ops.shape(target))} "
                          f"and {tuple(ops.shape(output))}.")
    if not _is_float(output):
        _fail("ctc_loss", f"`output` must hold float logits, received {ops.dtype(output)}.",
              TypeError)
    batch, steps, classes = ops.shape(output)
    labels = ops.shape(target)[1]
    blank = int(mask_index) % classes
    dtype = _result_dtype(output)
    logp = ops.log_softmax(ops.cast(output, dtype), axis=-1)
    target = ops.clip(ops.cast(target, "int32"), 0, classes - 1)
    target_length = ops.cast(_tensor(target_length), "int32")
    output_length = ops.cast(_tensor(output_length), "int32")
    # Extended labels: blank, l1, blank, l2, ..., blank (S = 2 L + 1 states).
    states = 2 * labels + 1
    ext = ops.reshape(ops.stack([ops.full((batch, labels), blank, "int32"), target], axis=-1),
                      (batch, 2 * labels))
    ext = ops.concatenate([ext, ops.full((batch, 1), blank, "int32")], axis=1)
    # A state may skip the blank before it when it is a label unlike the label two back.
    skip = ops.logical_and(ops.not_equal(ext, blank), ops.not_equal(ext, _shift(ext, 2, -1)))
    index = ops.expand_dims(ops.arange(states, dtype="int32"), 0)
    allowed = ops.less(index, ops.expand_dims(2 * target_length + 1, 1))  # (batch, S)
    emit = ops.take_along_axis(logp, ops.broadcast_to(ops.expand_dims(ext, 1),
                                                      (batch, steps, states)), axis=2)
    neg = ops.full((batch, states), _NEG, dtype)
    alpha = ops.where(ops.logical_and(ops.less(index, 2), allowed),
                      ops.getitem(emit, (slice(None), 0)), neg)
    for t in range(1, steps):
        prev1, prev2 = _shift(alpha, 1, _NEG), _shift(alpha, 2, _NEG)
        moved = _log_add(alpha, prev1, ops.where(skip, prev2, neg))
        new = ops.where(allowed, ops.add(moved, ops.getitem(emit, (slice(None), t))), neg)
        alpha = ops.where(ops.expand_dims(ops.less(t, output_length), 1), new, alpha)
    last = ops.expand_dims(2 * target_length, 1)  # the final blank; the last label is before
    end_blank = ops.squeeze(ops.take_along_axis(alpha, last, axis=1), 1)
    end_label = ops.squeeze(ops.take_along_axis(alpha, ops.maximum(last - 1, 0), axis=1), 1)
    end_label = ops.where(ops.greater(target_length, 0), end_label, ops.full((batch,), _NEG, dtype))
    return ops.negative(_log_add(end_blank, end_label))


@composite(keras_class="CTCDecode")
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Decode per-frame class scores into label sequences (greedy: best class per frame).

    Args:
        inputs: scores ``(batch, max_time, num_classes)`` (logits or log-probabilities).
        sequence_lengths: int tensor ``(batch,)``, the valid frames of each row.
        strategy: "greedy" ("beam_search" is not provided: it raises).
        beam_width, top_paths: beam-search settings; greedy decoding takes ``top_paths=1``.
        merge_repeated: merge runs of the same class before dropping blanks.
        mask_index: the class id of the blank.

    Returns:
        ``(decoded, scores)``: int32 ``(1, batch, max_time)`` padded with -1, and float
        ``(batch, 1)``, the negative sum of each frame's best score (TensorFlow's convention).
    """
    if strategy == "beam_search":
        raise NotImplementedError(
            "ops.ctc_decode: strategy='beam_search' is not implemented in mini_keras; use "
            "strategy='greedy'.")
    if strategy != "greedy":
        _fail("ctc_decode", f"`strategy` must be 'greedy' or 'beam_search', received "
                            f"{strategy!r}.")
    _positive_int("ctc_decode", beam_width, "beam_width")
    if top_paths != 1:
        _fail("ctc_decode", f"greedy decoding gives one path: `top_paths` must be 1, received "
                            f"{top_paths!r}.")
    inputs = _tensor(inputs)
    if len(ops.shape(inputs)) != 3:
        _fail("ctc_decode", f"`inputs` must be (batch, max_time, num_classes), received "
                            f"shape {tuple(ops.shape(inputs))}.")
    batch, steps, classes = ops.shape(inputs)
    sequence_lengths = _tensor(sequence_lengths)
    if tuple(ops.shape(sequence_lengths)) != (batch,):
        _fail("ctc_decode", f"`sequence_lengths` must have shape ({batch},) (one length per "
                            f"row of `inputs`), received {tuple(ops.shape(sequence_lengths))}.")
    inputs = ops.cast(inputs, _result_dtype(inputs))
    blank = int(mask_index) % classes
    valid = ops.less(ops.expand_dims(ops.arange(steps, dtype="int32"), 0),
                     ops.expand_dims(ops.cast(sequence_lengths, "int32"), 1))
    best = ops.cast(ops.argmax(inputs, axis=-1), "int32")  # (batch, T)
    keep = ops.logical_and(valid, ops.not_equal(best, blank))
    if merge_repeated:
        keep = ops.logical_and(keep, ops.not_equal(best, _shift(best, 1, -1)))
    position = ops.subtract(ops.cumsum(ops.cast(keep, "int32"), axis=1), 1)
    slots = ops.reshape(ops.arange(steps, dtype="int32"), (1, 1, steps))
    hit = ops.logical_and(ops.expand_dims(keep, 2),
                          ops.equal(ops.expand_dims(position, 2), slots))  # (batch, T, slot)
    values = ops.sum(ops.where(hit, ops.expand_dims(best, 2), 0), axis=1)
    decoded = ops.where(ops.any(hit, axis=1), values, -1)
    scores = ops.negative(ops.sum(ops.where(valid, ops.max(inputs, axis=-1), 0.0), axis=1,
                                  keepdims=True))
    return ops.expand_dims(ops.cast(decoded, "int32"), 0), scores


__all__ = [name for name in exported(__name__)]
