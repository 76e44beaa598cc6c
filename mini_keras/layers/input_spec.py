"""InputSpec: what a built layer accepts (rank and fixed dimensions), checked on every call."""

from __future__ import annotations


class InputSpec:
    """Constraints on a layer input.

    Args:
        ndim: exact rank, or None.
        min_ndim: minimum rank, or None.
        axes: ``{axis: size}`` fixed sizes (negative axes count from the end).
        dtype, shape, name: as in Keras 3, e.g. ``InputSpec(shape=(None, 3), dtype="float32")``
            as an export ``input_signature``; ``shape`` also fixes the rank and its known
            dimensions.
    """

    def __init__(self, ndim=None, min_ndim=None, axes=None, *, dtype=None, shape=None,
                 name=None):
        self.ndim, self.min_ndim, self.axes = ndim, min_ndim, dict(axes or {})
        self.dtype, self.name = dtype, name
        self.shape = None if shape is None else tuple(shape)
        if self.shape is not None:
            self.ndim = len(self.shape) if ndim is None else ndim
            self.axes = {**{i: d for i, d in enumerate(self.shape) if d is not None},
                         **self.axes}

    def check(self, layer_name: str, shape: tuple) -> None:
        """Raise ValueError naming the layer, expected and received shape if ``shape`` does not fit."""
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(
                f"Input of layer '{layer_name}' is incompatible: expected ndim={self.ndim}, "
                f"found ndim={rank}. Full shape received: {tuple(shape)}")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(
                f"Input of layer '{layer_name}' is incompatible: expected min_ndim={self.min_ndim}, "
                f"found ndim={rank}. Full shape received: {tuple(shape)}")
        for axis, size in self.axes.items():
            if size is None or -rank > axis or axis >= rank:
                continue
            if shape[axis] is not None and shape[axis] != size:
                raise ValueError(
                    f"Input of layer '{layer_name}' is incompatible: expected axis {axis} of the "
                    f"input shape to have value {size}, but received input with shape "
                    f"{tuple(shape)}")
