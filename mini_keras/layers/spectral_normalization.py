"""SpectralNormalization: divide a wrapped layer's kernel by its largest singular value."""

from __future__ import annotations

from mini_keras import initializers, ops
from mini_keras.layers.input_spec import InputSpec
from mini_keras.layers.wrapper import Wrapper

__all__ = ["SpectralNormalization"]


class SpectralNormalization(Wrapper):
    """Constrain the spectral norm of a layer's kernel (Miyato et al. 2018), e.g. in GANs.

    In training calls, ``power_iterations`` steps of the power method on the kernel reshaped
    to ``(-1, kernel.shape[-1])`` update the non-trainable vector ``u`` and estimate the largest
    singular value ``sigma = v W u^T``; the wrapped layer's kernel variable is then *assigned*
    ``kernel / sigma`` (Keras 3 semantics: the stored kernel is overwritten, an all-zero kernel
    is left alone) before the layer runs. Inference calls run the layer on its kernel as is.

    Args:
        layer: a layer with a ``kernel`` (Dense, Conv...) or ``embeddings`` (Embedding).
        power_iterations: power-method steps per training call (> 0).

    Weights (Keras 3's order): the wrapped kernel, ``vector_u`` ``(1, kernel.shape[-1])``
    (non-trainable, TruncatedNormal(stddev=0.02)), then the layer's other weights.

    Training with ``fit`` differentiates through ``kernel / sigma`` (``u`` and ``v`` are
    constants) and the optimizer updates the normalized kernel.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(f"SpectralNormalization '{self.name}': power_iterations must be "
                             f"an int > 0, received {power_iterations!r}")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if kernel is None:
            raise ValueError(f"SpectralNormalization '{self.name}': the wrapped "
                             f"{type(self.layer).__name__} has neither a `kernel` nor an "
                             "`embeddings` weight")
        self.kernel = kernel
        self._trainable_variables.append(kernel)  # Keras tracks it as the wrapper's own too
        self.kernel_shape = tuple(kernel.shape)
        self.vector_u = self.add_weight((1, self.kernel_shape[-1]),
                                        initializers.TruncatedNormal(stddev=0.02),
                                        dtype=kernel.dtype, trainable=False, name="vector_u")

    def normalized_weights(self):
        """``(new vector_u, kernel / sigma)`` from ``power_iterations`` power-method steps."""
        weights = ops.reshape(self.kernel.value, (-1, self.kernel_shape[-1]))
        u = self.vector_u.value
        for _ in range(self.power_iterations):
            v = ops.normalize(ops.matmul(u, ops.transpose(weights)), axis=None)
            u = ops.normalize(ops.matmul(v, weights), axis=None)
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.matmul(ops.matmul(v, weights), ops.transpose(u))  # (1, 1)
        kernel = ops.reshape(ops.divide(weights, sigma), self.kernel_shape)
        return ops.cast(u, self.vector_u.dtype), ops.cast(kernel, self.kernel.dtype)

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel.value
            zero = ops.all(ops.equal(kernel, 0))
            new_u, new_kernel = self.normalized_weights()
            # an all-zero kernel has sigma 0: keep it and u (a select, so it runs under jit)
            self.vector_u.assign(ops.where(zero, self.vector_u.value, new_u))
            self.kernel.assign(ops.where(zero, kernel, new_kernel))
        output = self.layer(inputs)
        return ops.cast(output, ops.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
