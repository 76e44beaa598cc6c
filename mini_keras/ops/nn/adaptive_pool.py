"""Adaptive pooling of the nn family: pool to a fixed output size, whatever the input size.

Output bin ``i`` of an axis of length ``L`` pooled to ``n`` covers the inputs
``floor(i * L / n) <= j < ceil((i + 1) * L / n)`` (Keras 3's and PyTorch's bins, which may
overlap). Boxes are products of per-axis bins, so both the mean and the max of a box are
computed one axis at a time; each op is a composite of slices, reductions and one
``concatenate`` per axis, so it runs, differentiates and traces the same on every backend.
"""

from __future__ import annotations

import numbers

from mini_keras import config, ops
from mini_keras.ops.checks import _fail
from mini_keras.ops.declare import composite, exported, unwrap


def adaptive_bins(length: int, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of each of the ``size`` bins over an axis of ``length`` entries."""
    return [((i * length) // size, -((-(i + 1) * length) // size)) for i in range(size)]


def _standardize(op: str, inputs, output_size, data_format):
    """Check the arguments; return ``(inputs, output sizes, first spatial axis)``."""
    inputs = ops.convert_to_tensor(unwrap(inputs))
    shape = tuple(ops.shape(inputs))
    rank = len(shape) - 2
    if rank not in (1, 2, 3):
        _fail(op, f"`inputs` must be 3-D, 4-D or 5-D (batch, 1 to 3 spatial axes, channels), "
                  f"received shape {shape}.")
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        _fail(op, f"`data_format` must be 'channels_last' or 'channels_first', received "
                  f"{data_format!r}.")
    sizes = (output_size,) * rank if isinstance(output_size, numbers.Integral) else output_size
    if (not isinstance(sizes, (tuple, list)) or len(sizes) != rank or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
            for s in sizes)):
        _fail(op, f"`output_size` must be a positive int or a tuple of {rank} positive ints "
                  f"for inputs of shape {shape}, received {output_size!r}.")
    return inputs, tuple(int(s) for s in sizes), 1 if data_format == "channels_last" else 2


def _adaptive_pool(inputs, sizes, first, reduce):
    x = inputs
    for offset, size in enumerate(sizes):
        axis = first + offset
        lead = (slice(None),) * axis
        pieces = [reduce(ops.getitem(x, lead + (slice(start, end),)), axis=axis, keepdims=True)
                  for start, end in adaptive_bins(ops.shape(x)[axis], size)]
        x = pieces[0] if len(pieces) == 1 else ops.concatenate(pieces, axis=axis)
    return x


@composite
def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average over adaptive bins so that the spatial output size is ``output_size``.

    Args:
        inputs: ``(batch, *spatial, channels)`` (channels_last) or
            ``(batch, channels, *spatial)``, with 1 to 3 spatial axes.
        output_size: an int (every spatial axis) or one int per spatial axis.
        data_format: "channels_last" or "channels_first" (default
            ``config.image_data_format()``).

    Returns:
        The pooled tensor: the spatial axes have sizes ``output_size``.

    Example:
        >>> ops.adaptive_average_pool(np.ones((2, 10, 7, 3)), 4).shape   # (2, 4, 4, 3)
    """
    inputs, sizes, first = _standardize("adaptive_average_pool", inputs, output_size,
                                        data_format)
    if not ops.dtype(inputs).startswith(("float", "bfloat")):
        inputs = ops.cast(inputs, config.floatx())
    return _adaptive_pool(inputs, sizes, first, ops.mean)


@composite
def adaptive_max_pool(inputs, output_size, data_format=None):
    """Maximum over adaptive bins so that the spatial output size is ``output_size``.

    Args:
        inputs: ``(batch, *spatial, channels)`` (channels_last) or
            ``(batch, channels, *spatial)``, with 1 to 3 spatial axes.
        output_size: an int (every spatial axis) or one int per spatial axis.
        data_format: "channels_last" or "channels_first" (default
            ``config.image_data_format()``).

    Returns:
        The pooled tensor (same dtype as ``inputs``): the spatial axes have sizes
        ``output_size``.

    Example:
        >>> ops.adaptive_max_pool(np.ones((2, 10, 3)), 4).shape   # (2, 4, 3)
    """
    inputs, sizes, first = _standardize("adaptive_max_pool", inputs, output_size, data_format)
    return _adaptive_pool(inputs, sizes, first, ops.max)


__all__ = [name for name in exported(__name__)]
