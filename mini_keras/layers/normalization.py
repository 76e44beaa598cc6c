"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
UnitNormalization."""

from __future__ import annotations

from mini_keras import constraints, initializers, ops, regularizers
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.layer import Layer

__all__ = ["BatchNormalization", "GroupNormalization", "LayerNormalization", "UnitNormalization"]


def _positive_axes(layer_name, axis, ndim):
    """Turn an int or list of axes into sorted non-negative ints, checking the range."""
    axes = [axis] if isinstance(axis, int) else list(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"Layer '{layer_name}': axis {a} is out of bounds for an input of "
                             f"rank {ndim} (expected -{ndim} <= axis < {ndim}).")
    return sorted(a % ndim for a in axes)


def _scale_and_shift(x, mean, variance, gamma, beta, epsilon):
    """``(x - mean) / sqrt(variance + eps) * gamma + beta``, as ``x * inv + (beta - mean * inv)``.

    All statistics are already shaped to broadcast against ``x``; ``gamma``/``beta`` may be None.
    """
    inv = ops.rsqrt(ops.add(variance, epsilon))
    if gamma is not None:
        inv = ops.multiply(inv, gamma)
    shift = ops.negative(ops.multiply(mean, inv))
    if beta is not None:
        shift = ops.add(shift, beta)
    return ops.add(ops.multiply(x, inv), shift)


class _AffineNormalization(Layer):
    """Shared constructor and config for the layers with optional ``gamma``/``beta`` weights."""

    _compute_in_float32 = True  # statistics in float32 under mixed precision, as in Keras 3

    def __init__(self, axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                 beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def _add_affine_weights(self, shape):
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, name="gamma",
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, name="beta",
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)

    def _broadcast(self, weight, shape):
        return None if weight is None else ops.reshape(weight, shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}


class BatchNormalization(_AffineNormalization):
    """Normalize each feature with batch statistics in training, moving averages in inference.

    Training (``training=True`` and the layer trainable)::

        mean, var = batch mean / population variance over every axis but ``axis``
        moving_mean = moving_mean * momentum + mean * (1 - momentum)   (same for the variance)

    Inference uses ``moving_mean``/``moving_variance``. Both modes return
    ``gamma * (x - mean) / sqrt(var + epsilon) + beta``. A layer with ``trainable=False`` always
    runs in inference mode (Keras 3 behaviour).

    Args:
        axis: the feature axis (e.g. -1 channels-last, 1 after a channels-first conv).
        momentum: momentum of the moving averages.
        epsilon: added to the variance before the square root.
        center, scale: whether to learn ``beta`` / ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers (zeros, ones, zeros, ones).
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: optional.
        synchronized, renorm, renorm_clipping, renorm_momentum: accepted so Keras configs load;
            ``synchronized`` and ``renorm`` must be False.

    Weights (Keras order): ``gamma``, ``beta`` (trainable), ``moving_mean``,
    ``moving_variance`` (non-trainable), each of shape ``(input_shape[axis],)``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        if not isinstance(self.axis, int):
            raise TypeError(f"BatchNormalization '{self.name}': axis must be an int, "
                            f"received {axis!r}")
        if synchronized:
            raise ValueError(f"BatchNormalization '{self.name}': synchronized=True needs a "
                             "multi-device strategy, which mini_keras does not have.")
        if renorm:
            raise ValueError(f"BatchNormalization '{self.name}': renorm=True (batch "
                             "renormalization) is not supported.")
        self.momentum = float(momentum)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        ndim = len(input_shape)
        (axis,) = _positive_axes(self.name, self.axis, ndim)
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"BatchNormalization '{self.name}': axis {self.axis} of the input "
                             f"must have a known size, received input shape {tuple(input_shape)}")
        self._add_affine_weights((channels,))
        self.moving_mean = self.add_weight((channels,), self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight((channels,), self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self._reduction_axes = tuple(a for a in range(ndim) if a != axis)
        self._stat_shape = tuple(channels if a == axis else 1 for a in range(ndim))
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})

    def call(self, inputs, training=None):
        shape = self._stat_shape
        if training and self.trainable:
            mean = ops.mean(inputs, axis=self._reduction_axes, keepdims=True)
            variance = ops.var(inputs, axis=self._reduction_axes, keepdims=True)
            keep, channels = self.momentum, self.moving_mean.shape
            self.moving_mean.assign(ops.add(ops.multiply(self.moving_mean, keep),
                                            ops.multiply(ops.reshape(mean, channels), 1 - keep)))
            self.moving_variance.assign(ops.add(
                ops.multiply(self.moving_variance, keep),
                ops.multiply(ops.reshape(variance, channels), 1 - keep)))
        else:
            mean = ops.reshape(self.moving_mean, shape)
            variance = ops.reshape(self.moving_variance, shape)
        return _scale_and_shift(inputs, mean, variance, self._broadcast(self.gamma, shape),
                                self._broadcast(self.beta, shape), self.epsilon)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum,
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer),
                "synchronized": False, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": 0.99}


class LayerNormalization(_AffineNormalization):
    """Normalize each sample over ``axis``: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Args:
        axis: int or list of ints; statistics are taken over these axes, per sample.
        epsilon: added to the variance.
        center, scale: whether to learn ``beta`` / ``gamma`` (shape: the input's sizes on
            ``axis``).
        beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
        beta_constraint, gamma_constraint: as in Keras.
        rms_scaling: Keras 3's deprecated option: ``x / sqrt(var + eps) * gamma`` (no centering,
            no ``beta``).

    Weights (Keras order): ``gamma``, then ``beta``.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, rms_scaling=False, **kwargs):
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.rms_scaling = bool(rms_scaling)

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = tuple(_positive_axes(self.name, self.axis, ndim))
        shape = tuple(input_shape[a] for a in self._axes)
        if self.rms_scaling:
            self.center, self.scale = False, True
        self._add_affine_weights(shape)
        self._stat_shape = tuple(input_shape[a] if a in self._axes else 1 for a in range(ndim))

    def call(self, inputs):
        variance = ops.var(inputs, axis=self._axes, keepdims=True)
        gamma = self._broadcast(self.gamma, self._stat_shape)
        if self.rms_scaling:
            out = ops.multiply(inputs, ops.rsqrt(ops.add(variance, self.epsilon)))
            return out if gamma is None else ops.multiply(out, gamma)
        mean = ops.mean(inputs, axis=self._axes, keepdims=True)
        return _scale_and_shift(inputs, mean, variance, gamma,
                                self._broadcast(self.beta, self._stat_shape), self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rms_scaling": self.rms_scaling}


class GroupNormalization(_AffineNormalization):
    """Split the channels on ``axis`` into ``groups`` and normalize each group per sample.

    ``groups=1`` is layer normalization over all non-batch axes; ``groups=-1`` (one channel
    per group) is instance normalization.

    Args:
        groups: number of groups (must divide the channel count), or -1.
        axis: the channel axis.
        epsilon, center, scale, initializers, regularizers, constraints: as LayerNormalization.

    Weights (Keras order): ``gamma``, ``beta``, each of shape ``(channels,)``.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError("GroupNormalization: groups must be a positive int or -1, "
                             f"received {groups!r}")
        super().__init__(axis, epsilon, center, scale, beta_initializer, gamma_initializer,
                         beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint,
                         **kwargs)
        self.groups = groups

    def build(self, input_shape):
        ndim = len(input_shape)
        (axis,) = _positive_axes(self.name, self.axis, ndim)
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"GroupNormalization '{self.name}': axis {self.axis} must have a "
                             f"known size, received input shape {tuple(input_shape)}")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups or channels % self.groups:
            raise ValueError(f"GroupNormalization '{self.name}': groups ({self.groups}) must "
                             f"divide the number of channels ({channels}) on axis {self.axis}.")
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})
        self._add_affine_weights((channels,))
        self._axis = axis
        per_group = channels // self.groups
        # In the grouped view (..., groups, per_group, ...) the group axis sits at `axis`.
        self._grouped_weight_shape = tuple(
            [1] * axis + [self.groups, per_group] + [1] * (ndim - axis - 1))
        self._reduction_axes = tuple(a for a in range(1, ndim + 1) if a != axis)

    def call(self, inputs):
        shape = ops.shape(inputs)
        axis = self._axis
        grouped_shape = (tuple(shape[:axis]) + (self.groups, shape[axis] // self.groups)
                         + tuple(shape[axis + 1:]))
        grouped = ops.reshape(inputs, grouped_shape)
        mean = ops.mean(grouped, axis=self._reduction_axes, keepdims=True)
        variance = ops.var(grouped, axis=self._reduction_axes, keepdims=True)
        out = _scale_and_shift(grouped, mean, variance,
                               self._broadcast(self.gamma, self._grouped_weight_shape),
                               self._broadcast(self.beta, self._grouped_weight_shape),
                               self.epsilon)
        return ops.reshape(out, shape)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups}


class UnitNormalization(Layer):
    """Scale each sample to unit L2 norm over ``axis``: ``x / max(||x||, 1e-12)``.

    Args:
        axis: int or list of ints to compute the norm over.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axis, (int, list, tuple)):
            raise TypeError(f"UnitNormalization '{self.name}': axis must be an int or a list of "
                            f"ints, received {axis!r}")
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, inputs):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        square_sum = ops.sum(ops.square(inputs), axis=axis, keepdims=True)
        # Clamping the squared norm (not the inverse norm as Keras does) gives the same values
        # and keeps the gradient finite for an all-zero sample.
        return ops.multiply(inputs, ops.rsqrt(ops.maximum(square_sum, 1e-24)))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
