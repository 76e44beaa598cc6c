"""Preprocessing layers: Rescaling and Normalization (with ``adapt``)."""

from __future__ import annotations

import itertools

import numpy as np

from mini_keras import backends, config, ops
from mini_keras.layers.layer import Layer

__all__ = ["Normalization", "Rescaling"]


class Rescaling(Layer):
    """``inputs * scale + offset`` (e.g. ``Rescaling(1 / 255)`` for pixel values).

    Integer inputs are cast to the layer's float dtype first.

    Args:
        scale: float, or an array broadcastable to the inputs (e.g. one value per channel).
        offset: float or array, added after scaling.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs):
        scale = ops.convert_to_tensor(np.asarray(self.scale), dtype=self.dtype)
        offset = ops.convert_to_tensor(np.asarray(self.offset), dtype=self.dtype)
        return ops.add(ops.multiply(ops.cast(inputs, self.dtype), scale), offset)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        def plain(v):
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v
        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


class Normalization(Layer):
    """Standardize features: ``(x - mean) / max(sqrt(variance), epsilon)``.

    The statistics are either given (``mean``/``variance``) or learned from data with
    :meth:`adapt` (computed on the host with numpy, then stored in the layer's weights).

    Args:
        axis: axis or axes that keep their own statistics (-1: one mean per feature); the
            others are reduced over. None: a single scalar mean and variance.
        mean, variance: fixed statistics (both or neither), broadcastable to the kept axes.
        invert: apply the inverse transform ``mean + x * max(sqrt(variance), epsilon)``.

    Weights (when not given ``mean``/``variance``; all non-trainable, Keras order):
    ``mean``, ``variance`` (shape: the input sizes on ``axis``) and ``count`` (int64 scalar,
    unused, kept for Keras weight compatibility).
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization '{self.name}': pass both mean and variance or "
                             f"neither; received mean={mean!r}, variance={variance!r}")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(f"Normalization '{self.name}': mean and variance must have the "
                             f"same shape, received {np.shape(mean)} and {np.shape(variance)}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise ValueError(f"Normalization '{self.name}': axis {self.axis} is out of range for "
                             f"inputs of rank {ndim}.")
        self._keep_axes = tuple(sorted(a % ndim for a in self.axis))
        for a in self._keep_axes:
            if input_shape[a] is None:
                raise ValueError(f"Normalization '{self.name}': kept axis {a} must have a known "
                                 f"size, received input shape {tuple(input_shape)}")
        self._reduce_axes = tuple(a for a in range(ndim) if a not in self._keep_axes)
        self._stat_shape = tuple(input_shape[a] for a in self._keep_axes)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep_axes else 1
                                      for a in range(ndim))
        self._input_shape = tuple(input_shape)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(self._stat_shape, "zeros", trainable=False,
                                              name="mean")
            self.adapt_variance = self.add_weight(self._stat_shape, "ones", trainable=False,
                                                  name="variance")
            self.count = self.add_weight((), "zeros", dtype="int64", trainable=False,
                                         name="count")
        else:
            self._fixed = [self._to_broadcast(self.input_mean),
                           self._to_broadcast(self.input_variance)]

    def _to_broadcast(self, value):
        """Place given statistics (aligned with the last kept axes) in the broadcast shape."""
        value = np.asarray(value, dtype=self.dtype)
        expanded = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            expanded[self._keep_axes[-i]] = value.shape[-i]
        return np.array(np.broadcast_to(value.reshape(expanded), self._broadcast_shape))

    def adapt(self, data) -> None:
        """Compute the mean and variance of ``data`` over the reduced axes and store them.

        Args:
            data: a numpy array, a backend tensor, or an iterable of batches (arrays, or
                ``(x, y)`` tuples whose ``x`` is used).
        """
        if self.input_mean is not None:
            raise ValueError(f"Normalization '{self.name}': adapt() cannot be used when mean "
                             "and variance were passed to the constructor.")
        with backends.backend_scope(self._backend_name):  # tensors of the layer's backend
            self._adapt(data)

    def _adapt(self, data) -> None:
        if isinstance(data, np.ndarray) or ops.is_tensor(data):
            batches = [data]
        else:
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(f"Normalization '{self.name}'.adapt: received no data.")
            batches = itertools.chain([first], iterator)
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            batch = batch[0] if isinstance(batch, tuple) else batch
            batch = np.asarray(ops.convert_to_numpy(batch)
                               if not isinstance(batch, np.ndarray) else batch, dtype="float64")
            if not self.built:
                self._maybe_build(batch.shape)
            self._check_adapt_shape(batch.shape)
            mean = batch.mean(axis=self._reduce_axes)
            var = batch.var(axis=self._reduce_axes)
            count = int(np.prod([batch.shape[a] for a in self._reduce_axes]))
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            # Combine two sets of moments (Chan et al.'s parallel variance formula).
            new_count = total_count + count
            new_mean = total_mean + (mean - total_mean) * count / new_count
            total_var = ((total_var + (total_mean - new_mean) ** 2) * total_count
                         + (var + (mean - new_mean) ** 2) * count) / new_count
            total_mean, total_count = new_mean, new_count
        self.adapt_mean.assign(total_mean.astype(self.dtype))
        self.adapt_variance.assign(total_var.astype(self.dtype))

    def _check_adapt_shape(self, shape):
        for a in self._keep_axes:
            if len(shape) != len(self._input_shape) or shape[a] != self._input_shape[a]:
                raise ValueError(f"Normalization '{self.name}': the layer was built for input "
                                 f"shape {self._input_shape}, adapt() received data of shape "
                                 f"{tuple(shape)}")

    def call(self, inputs):
        inputs = ops.cast(inputs, self.dtype)
        if self.input_mean is None:
            mean = ops.reshape(self.adapt_mean, self._broadcast_shape)
            variance = ops.reshape(self.adapt_variance, self._broadcast_shape)
        else:
            mean, variance = (ops.convert_to_tensor(v) for v in self._fixed)
        std = ops.maximum(ops.sqrt(variance), config.epsilon())
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, std))
        return ops.divide(ops.subtract(inputs, mean), std)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        def plain(v):
            return None if v is None else np.asarray(v).tolist()
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}
