"""Set ops of the numpy family: ``unique``, written in sorts, cumulative sums and searches.

Without ``size`` the number of unique values depends on the data: eager only (a functional
graph gets an unknown size); with ``size`` every step has a static shape, so it also runs inside
compiled steps.
"""

from __future__ import annotations

from mini_keras import ops
from mini_keras.core.keras_tensor import KerasTensor
from mini_keras.ops.checks import _fail, _tensor
from mini_keras.ops.declare import composite, exported


def _unknown_count(probed, x, sorted=True, return_index=False, return_inverse=False,
                   return_counts=False, axis=None, size=None, fill_value=None):
    """Without ``size`` the probe's count of unique values is meaningless: make it unknown."""
    if size is not None:
        return probed
    outputs = list(probed) if isinstance(probed, tuple) else [probed]
    fixed = [KerasTensor((None,), outputs[0].dtype)]
    rest = outputs[1:]
    if return_index:
        fixed.append(KerasTensor((None,), rest.pop(0).dtype))
    if return_inverse:
        fixed.append(rest.pop(0))
    if return_counts:
        fixed.append(KerasTensor((None,), rest.pop(0).dtype))
    return fixed[0] if len(fixed) == 1 else tuple(fixed)


@composite(spec=_unknown_count)
def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """The sorted unique values of the flattened ``x``, with optional indices and counts.

    Args:
        x: input tensor (flattened).
        sorted: accepted as in Keras 3; the values always come sorted (also a valid order
            when ``sorted=False``).
        return_index: also return the (int32) index in the flat ``x`` of each value's first
            occurrence.
        return_inverse: also return int32 indices (``x``'s shape) that rebuild ``x`` from the
            unique values.
        return_counts: also return how often (int32) each unique value occurs.
        axis: must be None (unique slices along an axis are not supported).
        size: a fixed number of outputs: fewer unique values are padded with ``fill_value``
            (default: the smallest value; index and counts padded with 0), more are cut.
        fill_value: the padding value when ``size`` is given.

    Returns:
        The values, or a tuple ``(values, [index], [inverse], [counts])``.

    Raises:
        NotImplementedError: ``axis`` is not None.
        ValueError: ``size`` is not a positive int.
    """
    if axis is not None:
        raise NotImplementedError(f"ops.unique: `axis`={axis!r} (unique slices) is not "
                                  "supported; only axis=None (unique values of the flat x).")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        _fail("unique", f"`size` must be a positive int or None, received {size!r}.")
    del sorted  # the values always come sorted
    x = _tensor(x)
    flat = ops.reshape(x, (-1,))
    n = ops.shape(flat)[0]
    if n == 0:
        _fail("unique", "`x` is empty.")
    order = ops.cast(ops.argsort(flat), "int32")
    ordered = ops.take(flat, order)
    first = ops.concatenate([ops.ones((1,), "bool"), ops.not_equal(
        ops.getitem(ordered, slice(1, None)), ops.getitem(ordered, slice(None, -1)))])
    group = ops.subtract(ops.cumsum(ops.cast(first, "int32")), 1)  # sorted position -> group
    count = ops.add(ops.getitem(group, -1), 1)
    slots = size if size is not None else int(ops.convert_to_numpy(count))
    k = ops.arange(slots, dtype="int32")
    starts = ops.cast(ops.searchsorted(group, k, side="left"), "int32")
    ends = ops.cast(ops.searchsorted(group, k, side="right"), "int32")
    present = ops.less(k, count)
    values = ops.take(ordered, ops.minimum(starts, n - 1))
    if size is not None:
        fill = ops.getitem(ordered, 0) if fill_value is None else ops.cast(fill_value,
                                                                          ops.dtype(x))
        values = ops.where(present, values, fill)
    outputs = [values]
    if return_index:
        in_group = ops.equal(ops.expand_dims(group, 0), ops.expand_dims(k, 1))  # (slots, n)
        firsts = ops.min(ops.where(in_group, ops.expand_dims(order, 0), n), axis=1)
        outputs.append(ops.where(present, ops.cast(firsts, "int32"), 0))
    if return_inverse:
        back = ops.cast(ops.argsort(order), "int32")
        outputs.append(ops.reshape(ops.take(group, back), tuple(ops.shape(x))))
    if return_counts:
        outputs.append(ops.subtract(ends, starts))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


__all__ = [name for name in exported(__name__)]
