"""Keras' batch convention: a batch is ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""

from __future__ import annotations


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Pack inputs, targets and weights into Keras' batch tuple.

    Returns ``(x,)`` when ``y`` is None (a weight without targets is dropped, as in Keras),
    ``(x, y)`` without weights, else ``(x, y, sample_weight)``.
    """
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data) -> tuple:
    """Split a batch into ``(x, y, sample_weight)``, with None for the missing parts.

    A list is read as a tuple; anything else (an array, a dict) is ``x`` alone.

    Raises:
        ValueError: a tuple with more than three elements.
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return data
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found a tuple of {len(data)} elements.")
