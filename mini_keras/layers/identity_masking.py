"""Pass-through layers of Keras 3's core set: Identity and Masking."""

from __future__ import annotations

from mini_keras import ops
from mini_keras.layers.layer import Layer

__all__ = ["Identity", "Masking"]


class Identity(Layer):
    """Returns its input unchanged (a placeholder layer); masks pass through."""

    supports_masking = True

    def call(self, inputs):
        return inputs


class Masking(Layer):
    """Masks timesteps whose features all equal ``mask_value``: their outputs become 0 and the
    mask (``any(x != mask_value)`` over the last axis) goes to the next layers.

    Args:
        mask_value: the value that marks a padded timestep.
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return ops.where(keep, inputs, ops.zeros((), ops.dtype(inputs)))

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
