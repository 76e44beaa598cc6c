"""Keras 3's ``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``: what a data source yields."""

from __future__ import annotations


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Pack ``x``, ``y`` and ``sample_weight`` into the tuple a ``train_step`` receives.

    Returns ``x`` alone when ``y`` is None and ``x`` is not a tuple/list (a tuple ``x`` is
    wrapped as ``(x,)`` so it is not mistaken for ``(x, y)``), ``(x, y)`` without sample
    weights, else ``(x, y, sample_weight)``.
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """Return ``(x, y, sample_weight)`` from ``data`` (missing entries are None).

    Raises:
        ValueError: ``data`` is a tuple of more than three elements.
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
        return (data[0], data[1], data[2])
    raise ValueError("Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")
