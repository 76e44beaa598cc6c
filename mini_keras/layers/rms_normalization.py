"""RMSNormalization (Keras 3): ``x / sqrt(mean(x^2) + epsilon) * scale`` over ``axis``."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.layers.layer import Layer

__all__ = ["RMSNormalization"]


class RMSNormalization(Layer):
    """Root-mean-square normalization (Zhang & Sennrich, 2019), with a learned ``scale``.

    Args:
        axis: int or list of ints: the axes to normalize over (and the shape of ``scale``).
        epsilon: added to the mean square.

    Weights: ``scale``, shaped like the input on ``axis``, initialized to ones.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, epsilon

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, (list, tuple)) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise ValueError(f"{self.name}: axis {a} is out of bounds for input shape "
                                 f"{tuple(input_shape)}. Received: axis={self.axis}")
        shape = tuple(input_shape[a] for a in axes)
        self.axis = axes
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")

    def call(self, inputs):
        return ops.rms_normalization(inputs, scale=self.scale, axis=self.axis,
                                     epsilon=self.epsilon)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
